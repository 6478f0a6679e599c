"""Refusals with the right code and a useful message, the size and time limits, and the
import child process under eventlet (the server's async mode)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from music21 import corpus

from server.formats import FormatError, detect_format, export_score, import_score, sandbox
from server.score import new_document

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def chorale_mxl() -> bytes:
    return Path(str(corpus.getWork("bach/bwv66.6"))).read_bytes()


def refused(data: bytes, filename: str, **limits: float) -> FormatError:
    with pytest.raises(FormatError) as caught:
        import_score(data, filename, **limits)  # type: ignore[arg-type]
    return caught.value


def test_malformed_xml_gives_the_parser_reason() -> None:
    error = refused(b"<?xml version='1.0'?><score-partwise><part-list><score-part", "x.musicxml")
    assert error.code == "malformed_file"
    assert "could not be read" in error.message and len(error.message) < 400


def _mxl(files: dict[str, str]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


CONTAINER = "<container><rootfiles><rootfile full-path='score.xml'/></rootfiles></container>"


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (_mxl({"META-INF/container.xml": CONTAINER}), "x.mxl", "holds no MusicXML score"),
        (_mxl({"notes.txt": "hello"}), "x.mxl", "holds no MusicXML score"),
        (
            b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x00\x60MTrk\x00\x00\x00\x04\x00\xff\x2f",
            "x.mid",
            "could not be read as MIDI",
        ),
    ],
)
def test_unreadable_files_are_explained_in_musicians_words(
    data: bytes, filename: str, expected: str
) -> None:
    error = refused(data, filename)
    assert error.code == "malformed_file"
    assert expected in error.message
    # Never Python's own words ("a bytes-like object is required, not 'NoneType'").
    for internal in ("NoneType", "bytes-like", "index out of range", "Error:"):
        assert internal not in error.message, error.message


def test_truncated_mxl_is_malformed(chorale_mxl: bytes) -> None:
    error = refused(chorale_mxl[: len(chorale_mxl) // 2], "bwv66.6.mxl")
    assert error.code == "malformed_file"
    assert ".mxl archive is damaged or truncated" in error.message


def test_oversized_file_names_the_limit(chorale_mxl: bytes) -> None:
    error = refused(chorale_mxl, "bwv66.6.mxl", max_bytes=1000)
    assert error.code == "file_too_large"
    assert error.message == f"the file is {len(chorale_mxl) // 1000} kB; the limit is 1 kB"
    error = refused(b"x" * 6_000_001, "big.musicxml")
    assert (error.code, error.message) == (
        "file_too_large",
        "the file is 6.0 MB; the limit is 5.0 MB",
    )


def test_mxl_that_inflates_too_far_is_refused() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("score.musicxml", b" " * 3_000_000)
    error = refused(buffer.getvalue(), "bomb.mxl", max_bytes=100_000)
    assert (error.code, error.message) == (
        "file_too_large",
        "the .mxl archive unpacks to 3.0 MB; the limit is 2.0 MB",
    )


@pytest.mark.parametrize(
    ("data", "filename"),
    [(b"%PDF-1.4 not a score", "score.pdf"), (b"hello", "notes.txt"), (b"hello", "README")],
)
def test_unknown_format_is_unsupported(data: bytes, filename: str) -> None:
    error = refused(data, filename)
    assert error.code == "unsupported_format"
    assert "MusicXML" in error.message


def test_format_is_sniffed_from_content_when_the_name_does_not_say(chorale_mxl: bytes) -> None:
    assert detect_format(chorale_mxl, "upload") == "mxl"
    assert detect_format(b"MThd\x00\x00\x00\x06", "upload.bin") == "midi"
    assert detect_format(b"<?xml version='1.0'?>\n<score-partwise>", "upload") == "musicxml"
    assert detect_format(b"X:1\nT:Tune\nK:G\nGABc|", "upload") == "abc"
    assert detect_format(b"anything", "Song.MXL") == "mxl"


def test_empty_inputs_are_empty_scores() -> None:
    assert refused(b"", "empty.musicxml").code == "empty_score"
    no_parts = b"<?xml version='1.0'?><score-partwise version='4.0'><part-list/></score-partwise>"
    error = refused(no_parts, "none.musicxml")
    assert error.code == "empty_score"


def test_broken_midi_is_malformed() -> None:
    error = refused(b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01", "broken.mid")
    assert error.code == "malformed_file"


def test_slow_parse_is_stopped_and_the_next_import_still_works(chorale_mxl: bytes) -> None:
    error = refused(chorale_mxl, "bwv66.6.mxl", timeout_s=0.01)
    assert error.code == "parse_timeout"
    assert "longer than 0.01 s" in error.message
    assert len(import_score(chorale_mxl, "bwv66.6.mxl").doc["parts"]) == 4


def test_import_without_a_warm_child(chorale_mxl: bytes) -> None:
    sandbox.stop_spare()
    sandbox.KEEP_SPARE = False
    try:
        assert len(import_score(chorale_mxl, "bwv66.6.mxl").doc["parts"]) == 4
    finally:
        sandbox.KEEP_SPARE = True


def test_abc_collection_imports_its_first_tune() -> None:
    tune = b"X:1\nT:First\nM:3/4\nL:1/4\nK:D\nd2 A|F2 D|]\n\nX:2\nT:Second\nK:G\nGABc|]\n"
    result = import_score(tune, "two.abc")
    assert result.doc["title"] == "First"
    assert result.report[0] == "the file holds 2 tunes; only the first was imported"
    assert result.doc["measures"][0] == {"id": "m1", "time": [3, 4], "key": 2, "tempo": 120}


def test_export_refuses_an_unknown_format() -> None:
    with pytest.raises(FormatError) as caught:
        export_score(new_document(), "pdf")
    assert caught.value.code == "unsupported_format"


def test_import_under_eventlet_keeps_the_loop_running_and_times_out() -> None:
    """The server runs under eventlet: the child process must not block the hub."""
    script = textwrap.dedent(
        """
        import eventlet
        eventlet.monkey_patch()
        import time
        from music21 import corpus
        from server.formats import FormatError, import_score

        data = open(corpus.getWork("bach/bwv66.6"), "rb").read()
        ticks = []

        def tick():
            while True:
                ticks.append(time.monotonic())
                eventlet.sleep(0.01)

        eventlet.spawn(tick)
        result = import_score(data, "bwv66.6.mxl")
        assert len(result.doc["parts"]) == 4
        print("ticks", len(ticks))
        try:
            import_score(data, "bwv66.6.mxl", timeout_s=0.01)
        except FormatError as exc:
            print("code", exc.code)
        """
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = dict(line.split() for line in done.stdout.splitlines())
    assert int(lines["ticks"]) >= 10  # the hub ran other green threads during the import
    assert lines["code"] == "parse_timeout"

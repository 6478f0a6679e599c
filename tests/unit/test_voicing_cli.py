"""``tutti voicing`` end to end through ``main([...])`` with a real temp file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.voicing.cli import main

CHORDS = {
    "chords": [
        {"symbol": "C"},
        {"symbol": "G7/B"},
        {"pitch_classes": [9, 0, 4], "bass": 9, "fixed": {"soprano": 72}},
        {"symbol": "F"},
        {"symbol": "G7"},
        {"symbol": "C"},
    ]
}


def _write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "progression.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_satb_output_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--target", "satb", "--k", "3", _write(tmp_path, CHORDS)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 3
    assert [s["cost"] for s in out] == sorted(s["cost"] for s in out)
    for suggestion in out:
        assert len(suggestion["chords"]) == 6
        assert set(suggestion["chords"][0]) == {"soprano", "alto", "tenor", "bass"}
        assert suggestion["chords"][2]["soprano"] == 72
        assert isinstance(suggestion["explanation"], list)
        assert suggestion["breakdown"]


def test_piano_and_guitar_output_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = {"chords": [{"symbol": s} for s in ("Cmaj7", "A7", "Dm9", "G13", "Cmaj7")]}
    path = _write(tmp_path, plain)
    assert main(["--target", "piano", "--k", "2", path]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out[0]["chords"][0]) >= {"left", "right"}
    assert main(["--target", "guitar", "--k", "2", "--tuning", "dadgad", path]) == 0
    out = json.loads(capsys.readouterr().out)
    chord = out[0]["chords"][0]
    assert len(chord["frets"]) == 6
    tuning = (38, 45, 50, 55, 57, 62)
    sounding = [o + f for o, f in zip(tuning, chord["frets"], strict=True) if f is not None]
    assert chord["midi"] == sounding


@pytest.mark.parametrize(
    ("data", "args", "code"),
    [
        ({"chords": [{"symbol": "Cxyz"}]}, [], "unknown_chord_symbol"),
        ({"chords": [{"symbol": "C", "fixed": {"soprano": 99}}]}, [], "fixed_out_of_range"),
        ({"nothing": []}, [], "bad_progression"),
        ({"chords": ["C"]}, ["--target", "guitar", "--tuning", "banjo"], "bad_tuning"),
    ],
)
def test_errors_are_json_on_stderr_with_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    data: object,
    args: list[str],
    code: str,
) -> None:
    assert main([*args, _write(tmp_path, data)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert json.loads(captured.err)["error"]["code"] == code


def test_unreadable_and_invalid_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "missing.json")]) == 2
    assert json.loads(capsys.readouterr().err)["error"]["code"] == "unreadable_input"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main([str(bad)]) == 2
    assert json.loads(capsys.readouterr().err)["error"]["code"] == "bad_json"

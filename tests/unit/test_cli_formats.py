"""``tutti export`` and ``tutti import`` through the real formats package: a score goes
out as MusicXML and comes back as a new score whose import is an attributed edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.cli import main
from server.editing import EditLog
from server.persistence import Database
from tests.support.records import records


def test_export_then_import_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'f.sqlite3'}"
    assert main(["--database-url", url, "create-user", "ana", "--password", "secret"]) == 0
    service = EditLog(Database(url))
    try:
        score = service.create_score(1, "Round Trip")
        event = {"id": "e1", "dur": {"type": 4}, "notes": [{"id": "n1", "step": "E", "octave": 4}]}
        service.submit(
            score,
            1,
            [{"op": "write_event", "part": "p1", "measure": "m1", "offset": "0", "event": event}],
        )
        xml, midi = tmp_path / "out.musicxml", tmp_path / "out.mid"
        assert main(["--database-url", url, "export", score, "-o", str(xml)]) == 0
        assert (
            main(["--database-url", url, "export", score, "--format", "midi", "-o", str(midi)]) == 0
        )
        assert (
            xml.read_bytes().lstrip().startswith(b"<?xml") and b"<step>E</step>" in xml.read_bytes()
        )
        assert midi.read_bytes().startswith(b"MThd")
        # The score as it was before the note (seq 0) has no E in it.
        early = tmp_path / "early.musicxml"
        assert main(["--database-url", url, "export", score, "--seq", "0", "-o", str(early)]) == 0
        assert b"<step>E</step>" not in early.read_bytes()
        capsys.readouterr()

        assert main(["--database-url", url, "import", str(xml), "--owner", "ana"]) == 0
        imported = capsys.readouterr().out.strip()
        assert imported and imported != score
        doc, seq = service.load(imported)
        assert seq == 1
        notes = [
            (n["step"], n["octave"])
            for part in doc["parts"]
            for bar in part["bars"].values()
            for events in bar["voices"].values()
            for e in events
            for n in e["notes"]
        ]
        assert notes == [("E", 4)]
        (edit,) = service.edits(imported)
        assert edit.origin == "import" and edit.author_name == "ana"
        assert edit.ops[0]["op"] == "replace_document"
        assert edit.meta["filename"] == "out.musicxml" and isinstance(edit.meta["report"], list)
        assert records(service).members.role_of(imported, 1) == "owner"

        bad = tmp_path / "bad.musicxml"
        bad.write_bytes(b"<score-partwise><nonsense")
        assert main(["--database-url", url, "import", str(bad), "--owner", "ana"]) == 1
        assert "cannot import bad.musicxml" in capsys.readouterr().err
        assert main(["--database-url", url, "import", str(xml), "--owner", "nobody"]) == 1
        assert main(["--database-url", url, "export", "nope", "-o", str(xml)]) == 1
    finally:
        service.db.dispose()

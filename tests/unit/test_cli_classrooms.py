"""``tutti class`` and ``tutti assignment`` on a real SQLite database, spelled as the issue
writes them: create a class, import a roster, create copy and group assignments, status as
JSON and CSV with each student's numbers from the log."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from server.cli import main
from server.editing import EditLog
from server.persistence import Database
from server.score.model import new_document
from tests.support.records import records

REPO = Path(__file__).resolve().parents[2]


def _user(repos: Any, name: str) -> dict[str, Any]:
    found = repos.users.user_by_name(name)
    assert found is not None
    return dict(found)


def _tutti(url: str, *args: str) -> int:
    return main(["--database-url", url, *args])


def test_class_roster_assignments_and_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert _tutti(url, "create-user", "tess", "--password", "pw-tess") == 0
    log = EditLog(Database(url))
    repos = records(log)
    ben_id = repos.users.create_user("ben", "x")  # exists already: enrolled as is
    tess = _user(repos, "tess")["id"]
    template = log.create_score(tess, "Template", new_document(measures=2))
    capsys.readouterr()

    assert _tutti(url, "class", "create", "Year 9", "--teacher", "tess", "--json") == 0
    made = json.loads(capsys.readouterr().out)
    assert set(made) == {"id", "join_code"} and len(made["join_code"]) == 8
    roster = tmp_path / "roster.csv"
    roster.write_text("name,display_name,password\nana,Ana A,pw-ana-1\nben,,\ncy,Cy,pw-cy-1\n")
    assert _tutti(url, "class", "roster", str(made["id"]), "--import", str(roster)) == 0
    assert "created 2 accounts, enrolled 3" in capsys.readouterr().out
    assert _user(repos, "ana")["display_name"] == "Ana A"
    assert _user(repos, "ben")["id"] == ben_id

    args = ["assignment", "create", str(made["id"]), "--title", "Melody", "--template", template]
    assert _tutti(url, *args, "--mode", "copy", "--helper", "forbid", "--json") == 0
    copy = json.loads(capsys.readouterr().out)
    assert sorted(copy["copies"]) == ["ana", "ben", "cy"]
    assert _tutti(
        url, *args, "--mode", "group", "--groups", "ana,ben;cy", "--helper", "allow",
        "--due", "2030-01-31", "--json",
    ) == 0  # fmt: skip
    group = json.loads(capsys.readouterr().out)
    assert sorted(group["copies"]) == ["ana,ben", "cy"]

    ana = _user(repos, "ana")["id"]
    note = {
        "op": "write_event", "part": "p1", "measure": "m1", "offset": "0",
        "event": {"id": "e1", "dur": {"type": 4}, "notes": [{"id": "e1a", "step": "C",
                                                           "octave": 5}]},
    }  # fmt: skip
    log.submit(group["copies"]["ana,ben"], ana, [note])

    assert _tutti(url, "assignment", "status", str(group["id"]), "--format", "json") == 0
    rows = {r["student"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows["ana"]["edits"], rows["ana"]["notes_written"], rows["ana"]["notes_standing"]) == (
        1, 1, 1,
    )  # fmt: skip
    assert (rows["ben"]["edits"], rows["ben"]["score"]) == (0, group["copies"]["ana,ben"])
    assert rows["cy"]["state"] == "created" and rows["ana"]["helper_notes"] == 0

    # As a subprocess too, CSV with the columns first.
    out = subprocess.run(
        [sys.executable, "-m", "server.cli", "--database-url", url, "assignment", "status",
         str(group["id"]), "--format", "csv"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    table = list(csv.DictReader(io.StringIO(out)))
    assert [r["student"] for r in table] == ["ana", "ben", "cy"]
    for column in ("student", "state", "score", "edits", "notes_written", "notes_standing",
                   "helper_notes"):  # fmt: skip
        assert column in table[0]
    assert table[0]["edits"] == "1"

    assert _tutti(url, "assignment", "create", "999", "--title", "X") == 1
    assert "no class 999" in capsys.readouterr().err
    assert _tutti(url, *args, "--mode", "group", "--groups", "ana,zed") == 1
    assert "not students of this class: zed" in capsys.readouterr().err
    log.db.dispose()

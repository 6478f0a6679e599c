"""The ``tutti`` command on a real SQLite database: init-db, create-user, history (csv and
json) and verify-log, called in-process through ``main`` and as a subprocess."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from werkzeug.security import check_password_hash

from server.cli import main
from server.editing import EditLog
from server.persistence import Database
from tests.support.records import records

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def _tutti(url: str, *args: str) -> int:
    return main(["--database-url", url, *args])


def test_init_db_is_repeatable(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _tutti(url, "init-db") == 0
    assert _tutti(url, "init-db") == 0
    assert "database ready" in capsys.readouterr().out
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM edits").fetchone() == (0,)


def test_create_user(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _tutti(url, "create-user", "ana", "--password", "s3cret", "--display-name", "Ana") == 0
    user_id = int(capsys.readouterr().out)
    service = EditLog(Database(url))
    try:
        user = records(service).users.user_by_name("ana")
        assert user is not None and user["id"] == user_id and user["display_name"] == "Ana"
        assert check_password_hash(user["password_hash"], "s3cret")
        assert "s3cret" not in user["password_hash"]
    finally:
        service.db.dispose()
    assert _tutti(url, "create-user", "ana", "--password", "other") == 1
    assert "already exists" in capsys.readouterr().err
    assert _tutti(url, "create-user", "bo", "--password", "x") == 1  # too short


def _score_with_edits(url: str) -> tuple[EditLog, str]:
    _tutti(url, "init-db")
    service = EditLog(Database(url))
    ana = records(service).users.create_user("ana", "h", display_name="Ana")
    score = service.create_score(ana, "Song")
    service.submit(score, ana, [{"op": "set_meta", "title": "Hymn"}], client_id="t", client_seq=1)
    service.submit(
        score,
        ana,
        [{"op": "set_tempo", "measure": "m1", "tempo": 90}, {"op": "delete_event", "event": "x"}],
        client_id="t",
        client_seq=2,
    )
    service.submit(score, ana, [{"op": "set_key", "measure": "m2", "key": 2}], origin="helper")
    return service, score


def test_history_csv_and_json(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    service, score = _score_with_edits(url)
    capsys.readouterr()
    assert _tutti(url, "history", score, "--format", "csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["seq"] for r in rows] == ["1", "2", "3"]
    assert [r["author"] for r in rows] == ["Ana"] * 3
    assert [r["origin"] for r in rows] == ["human", "human", "helper"]
    assert rows[1]["ops"] == "set_tempo delete_event" and rows[1]["skipped"] == "1"
    assert rows[0]["client_id"] == "t" and rows[0]["client_seq"] == "1"
    assert rows[2]["client_id"] == ""

    assert _tutti(url, "history", score, "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert [(d["seq"], d["ops"]) for d in data] == [
        (1, ["set_meta"]),
        (2, ["set_tempo", "delete_event"]),
        (3, ["set_key"]),
    ]
    assert data[0]["at"] == service.edits(score)[0].to_wire()["at"]
    assert _tutti(url, "history", "missing") == 1
    service.db.dispose()


def test_history_comments_lists_every_comment(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    service, score = _score_with_edits(url)
    repos = records(service)
    ana = repos.users.user_by_name("ana")
    assert ana is not None
    root = repos.comments.create(
        score, ana["id"], "bar 1, again", 3, anchor={"kind": "measures", "measures": ["m1"]}
    )
    repos.comments.create(score, ana["id"], "yes, twice", 3, parent_id=root["id"])
    capsys.readouterr()
    assert _tutti(url, "history", score, "--comments") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["body"], r["thread"], r["anchor"], r["state"]) for r in rows] == [
        ("bar 1, again", str(root["id"]), "m. 1", "attached"),
        ("yes, twice", str(root["id"]), "m. 1", "attached"),
    ]
    assert _tutti(url, "history", score, "--comments", "--format", "json") == 0
    assert [r["author"] for r in json.loads(capsys.readouterr().out)] == ["ana", "ana"]
    assert _tutti(url, "history", "missing", "--comments") == 1
    service.db.dispose()


def test_verify_log_detects_a_modified_row(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    service, score = _score_with_edits(url)
    service.db.dispose()
    assert _tutti(url, "verify-log", score) == 0
    assert "3 edits, keyed hash chain intact" in capsys.readouterr().out

    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE edits SET author_id = author_id WHERE seq = 2")  # no change
        conn.execute(
            "UPDATE edits SET origin = 'human' WHERE score_id = ? AND seq = 3", (score,)
        )  # a helper edit passed off as a person's
    assert _tutti(url, "verify-log", score) == 2
    captured = capsys.readouterr()
    assert (
        "edit 3: content does not match its keyed hash (modified, or re-hashed without the log key)"
        in captured.out
    )
    assert "damaged" in captured.err

    # The same through a separate process, the way an operator would run it.
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "--database-url", url, "verify-log", score],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "edit 3: content does not match its keyed hash" in done.stdout


def test_missing_score_and_bad_usage(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _tutti(url, "init-db")
    assert _tutti(url, "verify-log", "nope") == 1
    assert "no score 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([])
    with pytest.raises(SystemExit):
        _tutti(url, "history", "x", "--format", "xml")


def test_members_share_and_unshare(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("ana", "ben"):
        assert _tutti(url, "create-user", name, "--password", "s3cret") == 0
    service = EditLog(Database(url))
    try:
        ana = records(service).users.user_by_name("ana")
        assert ana is not None
        score = service.create_score(int(ana["id"]), "Shared")
    finally:
        service.db.dispose()
    capsys.readouterr()
    assert _tutti(url, "share", score, "ben", "--role", "commenter") == 0
    assert capsys.readouterr().out == f"ben is now commenter of {score}\n"
    assert _tutti(url, "members", score) == 0
    assert capsys.readouterr().out == "ana\towner\nben\tcommenter\n"
    assert _tutti(url, "members", score, "--format", "json") == 0
    view = json.loads(capsys.readouterr().out)
    assert [(m["name"], m["role"]) for m in view["members"]] == [
        ("ana", "owner"),
        ("ben", "commenter"),
    ]
    # The last owner stays; unknown users and scores are named.
    assert _tutti(url, "unshare", score, "ana") == 1
    assert "needs an owner" in capsys.readouterr().err
    assert _tutti(url, "share", score, "ana", "--role", "viewer") == 1
    assert _tutti(url, "share", score, "nobody", "--role", "viewer") == 1
    assert "no user named 'nobody'" in capsys.readouterr().err
    assert _tutti(url, "members", "nosuchscore") == 1
    assert "no such score" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _tutti(url, "share", score, "ben", "--role", "admin")  # argparse refuses the role
    assert _tutti(url, "unshare", score, "ben") == 0
    assert _tutti(url, "unshare", score, "ben") == 1
    assert "ben is not a member" in capsys.readouterr().err
    assert _tutti(url, "members", score) == 0
    assert capsys.readouterr().out.endswith("ana\towner\n")

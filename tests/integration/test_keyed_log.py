"""The keyed log against a database-only attacker, on SQLite and on PostgreSQL.

The attacker can run any SQL and knows the code (so the plain SHA-256 chain of
``chain.edit_hash``) but not the log key. Each tampering of issue 9 item 5 must make
``verify-log`` fail: an altered row re-hashed (a), the newest edits deleted with the
head rolled back (b), a forged snapshot (c). The limits the docs state are pinned by
tests too (docs/persistence.md, "What the keyed log protects against").
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from server.editing import EditLog, LogTampered
from server.persistence import GENESIS_HASH, Database, edit_hash, init_db
from server.score import apply_edit, new_document
from tests.support.records import records

REPO = Path(__file__).resolve().parents[2]
TUTTI = REPO / ".venv" / "bin" / "tutti"
EDITS = 25
EVERY = 10  # snapshots at 0, 10, 20


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        sqlite = f"sqlite:///{tmp_path / 'keyed.sqlite3'}"
        init_db(sqlite)
        yield sqlite
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def logged(url: str) -> Iterator[tuple[EditLog, str]]:
    """A score with 25 edits (snapshots at 0, 10, 20) that verifies clean."""
    service = EditLog(Database(url), snapshot_every=EVERY)
    author = records(service).users.create_user("ana", "h")
    score = service.create_score(author, "Audit")
    for i in range(EDITS):
        service.submit(score, author, [{"op": "set_meta", "title": f"t{i}"}])
    assert service.verify_log(score) == []
    yield service, score
    service.db.dispose()


class Attacker:
    """Direct SQL on the database, without the key (its own engine and connections)."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://"))

    def run(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.begin() as conn:
            result = conn.execute(text(sql), params)
            return list(result) if result.returns_rows else []

    def rehash_plain(self, score: str, from_seq: int) -> None:
        """Recompute the unkeyed chain from ``from_seq`` on, as if nothing were keyed."""
        rows = self.run(
            "SELECT score_id, seq, author_id, client_id, client_seq, ops, inverse, skipped,"
            " origin, meta, created_at, prev_hash FROM edits WHERE score_id = :s ORDER BY seq",
            s=score,
        )
        prev = GENESIS_HASH
        for r in rows:
            row = dict(r._mapping)
            for name in ("ops", "inverse", "skipped", "meta"):
                if isinstance(row[name], str):  # SQLite hands JSON back as text
                    row[name] = json.loads(row[name])
            if isinstance(row["created_at"], str):
                row["created_at"] = datetime.fromisoformat(row["created_at"])
            if row["seq"] >= from_seq:
                new = edit_hash(prev, row)
                self.run(
                    "UPDATE edits SET prev_hash = :p, hash = :h WHERE score_id = :s AND seq = :q",
                    p=prev, h=new, s=score, q=row["seq"],
                )  # fmt: skip
                prev = new
            else:
                prev = self.run(
                    "SELECT hash FROM edits WHERE score_id = :s AND seq = :q", s=score, q=row["seq"]
                )[0][0]

    def close(self) -> None:
        self.engine.dispose()


@pytest.fixture
def attacker(url: str) -> Iterator[Attacker]:
    found = Attacker(url)
    yield found
    found.close()


def cli_verify(url: str, score: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``tutti verify-log`` in its own process, the way an operator runs it."""
    return subprocess.run(
        [str(TUTTI), "--database-url", url, "verify-log", score],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_hash_is_keyed_and_the_key_matters(
    logged: tuple[EditLog, str], url: str, attacker: Attacker, tmp_path: Path
) -> None:
    service, score = logged
    rows = attacker.run("SELECT seq, hash FROM edits WHERE score_id = :s ORDER BY seq", s=score)
    first = service.edits(score, to_seq=1)[0]
    plain = edit_hash(GENESIS_HASH, {**first.__dict__, "created_at": first.created_at})
    assert len(rows) == EDITS and rows[0][1] != plain  # not the unkeyed chain
    # No key material in the database: the key's hex is nowhere in any signed column.
    key = os.environ["TUTTI_LOG_KEY"]
    head = attacker.run("SELECT head_sig, keyed_from FROM scores WHERE id = :s", s=score)
    assert head[0][1] == 1 and key not in str(head) and key not in str(rows)
    done = cli_verify(url, score)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{EDITS} edits, keyed hash chain intact" in done.stdout
    # Another key (a server set up without the deployment's key) sees nothing it signed.
    wrong = cli_verify(url, score, TUTTI_LOG_KEY="not-the-key-of-this-deployment")
    assert wrong.returncode == 2 and "signed head does not match" in wrong.stdout
    # And verify-log never makes a key up: with none it refuses and creates no file.
    env = {"TUTTI_LOG_KEY": "", "TUTTI_INSTANCE_DIR": str(tmp_path / "empty")}
    none = cli_verify(url, score, **env)
    assert none.returncode == 1 and "no log key" in none.stderr
    assert not (tmp_path / "empty").exists()


@pytest.mark.parametrize("downgrade", [False, True])
def test_altered_row_rehashed_without_the_key_fails(
    logged: tuple[EditLog, str], url: str, attacker: Attacker, downgrade: bool
) -> None:
    """(a) The attacker rewrites edit 5 and recomputes the plain chain after it; with
    ``downgrade`` also marks every edit as pre-key and removes the head signature."""
    service, score = logged
    attacker.run(
        "UPDATE edits SET ops = :o WHERE score_id = :s AND seq = 5",
        o='[{"op": "set_meta", "title": "forged"}]', s=score,
    )  # fmt: skip
    attacker.rehash_plain(score, from_seq=5)
    if downgrade:
        attacker.run(
            "UPDATE scores SET keyed_from = head_seq + 1, head_sig = NULL WHERE id = :s", s=score
        )
    problems = service.verify_log(score)
    if downgrade:
        # The rows now pass as legacy plain hashes, but an unsigned head is never clean.
        assert any("the head is not signed" in p for p in problems), problems
    else:
        assert problems[0] == (
            "edit 5: content does not match its keyed hash (modified, or re-hashed without"
            " the log key)"
        )
        assert len([p for p in problems if "keyed hash" in p]) == EDITS - 4
        assert any("signed head does not match" in p for p in problems)
    if not downgrade:  # the real CLI once per backend (a subprocess costs seconds)
        done = cli_verify(url, score)
        assert done.returncode == 2 and "damaged" in done.stderr, done.stdout


@pytest.mark.parametrize("strip_signature", [False, True])
def test_deleted_newest_edits_fail_and_the_server_refuses_to_extend_them(
    logged: tuple[EditLog, str], url: str, attacker: Attacker, strip_signature: bool
) -> None:
    """(b) Edits 21..25 deleted and head_seq rolled back to 20, consistently with the
    remaining log; the attacker cannot sign head 20, so keeps the old signature or
    removes it."""
    service, score = logged
    attacker.run("DELETE FROM edits WHERE score_id = :s AND seq > 20", s=score)
    attacker.run("UPDATE scores SET head_seq = 20 WHERE id = :s", s=score)
    if strip_signature:
        attacker.run("UPDATE scores SET head_sig = NULL WHERE id = :s", s=score)
    problems = service.verify_log(score)
    if strip_signature:
        assert problems == [
            "the head is not signed: a log from before keyed hashing (check it, then"
            " `tutti sign-log`), or its signature was removed"
        ]
    else:
        assert problems == [
            "the signed head does not match seq 20 and the last edit's hash: newest edits"
            " deleted or the head rolled back (or another log key)"
        ]
    done = cli_verify(url, score)
    assert done.returncode == 2, done.stdout
    assert problems[0] in done.stdout
    # A fresh server process (no cached head) must not sign a new head over the rollback:
    # that would make the deletion undetectable.
    fresh = EditLog(Database(url), snapshot_every=EVERY)
    author = service.edits(score, to_seq=1)[0].author_id
    try:
        if strip_signature:
            # An unsigned head is extended (a pre-key log must stay editable) but never
            # signed by an edit: verify-log keeps failing until an operator signs it.
            assert fresh.submit(score, author, [{"op": "set_meta", "title": "after"}]).seq == 21
            assert fresh.verify_log(score) == problems
        else:
            with pytest.raises(LogTampered):
                fresh.submit(score, author, [{"op": "set_meta", "title": "after"}])
            assert fresh.head_seq(score) == 20
            assert fresh.verify_log(score) == problems
            # The same from the process that had the head cached at 25.
            with pytest.raises(LogTampered):
                service.submit(score, author, [{"op": "set_meta", "title": "after"}])
    finally:
        fresh.db.dispose()


@pytest.mark.parametrize("forgery", ["doc", "moved", "unsigned"])
def test_forged_snapshot_fails(
    logged: tuple[EditLog, str], url: str, attacker: Attacker, forgery: str
) -> None:
    """(c) Snapshot 20's document changed (what a cold load starts from), or snapshot
    10's document and signature copied over it, or its signature removed."""
    service, score = logged
    if forgery == "doc":
        doc = service.doc_at(score, 20)
        doc["title"] = "forged"
        attacker.run(
            "UPDATE snapshots SET doc = :d WHERE score_id = :s AND seq = 20",
            d=json.dumps(doc), s=score,
        )  # fmt: skip
        expected = "snapshot 20: document does not match its signature (forged)"
    elif forgery == "moved":
        doc, sig = attacker.run(
            "SELECT doc, sig FROM snapshots WHERE score_id = :s AND seq = 10", s=score
        )[0]
        attacker.run(
            "UPDATE snapshots SET doc = :d, sig = :g WHERE score_id = :s AND seq = 20",
            d=doc if isinstance(doc, str) else json.dumps(doc), g=sig, s=score,
        )  # fmt: skip
        expected = "snapshot 20: document does not match its signature (forged)"
    else:
        attacker.run("UPDATE snapshots SET sig = NULL WHERE score_id = :s AND seq = 20", s=score)
        expected = "snapshot 20 is not signed"
    assert service.verify_log(score) == [expected]
    if forgery == "doc":
        done = cli_verify(url, score)
        assert done.returncode == 2 and expected in done.stdout


def test_known_limit_rollback_to_a_captured_signed_head_passes(
    url: str, attacker: Attacker
) -> None:
    """What the keyed log does NOT detect (docs/persistence.md): an attacker who copied
    the score row at seq 10 (head_seq and its signature) can later cut the log back to it."""
    service = EditLog(Database(url), snapshot_every=EVERY)
    try:
        author = records(service).users.create_user("ben", "h")
        score = service.create_score(author, "Rolled back")
        for i in range(EDITS):
            service.submit(score, author, [{"op": "set_meta", "title": f"t{i}"}])
            if i + 1 == 10:
                captured = attacker.run(
                    "SELECT head_seq, head_sig FROM scores WHERE id = :s", s=score
                )[0]
        attacker.run("DELETE FROM edits WHERE score_id = :s AND seq > 10", s=score)
        attacker.run("DELETE FROM snapshots WHERE score_id = :s AND seq > 10", s=score)
        attacker.run(
            "UPDATE scores SET head_seq = :q, head_sig = :g WHERE id = :s",
            q=captured[0], g=captured[1], s=score,
        )  # fmt: skip
        assert service.verify_log(score) == []  # undetectable without a record kept elsewhere
        # So is deleting the whole score (its row, log and snapshots go together).
        attacker.run("DELETE FROM scores WHERE id = :s", s=score)
        assert score not in [s["id"] for s in records(service).members.scores_for(author)]
    finally:
        service.db.dispose()


def test_pre_key_log_upgrades_fails_until_signed_then_stays_pinned(
    logged: tuple[EditLog, str], url: str, attacker: Attacker
) -> None:
    """A log written before keyed hashing, as migration 0004 leaves it: plain hashes,
    ``keyed_from`` past the head, no head or snapshot signature."""
    service, score = logged
    attacker.rehash_plain(score, from_seq=1)
    attacker.run(
        "UPDATE scores SET keyed_from = head_seq + 1, head_sig = NULL WHERE id = :s", s=score
    )
    attacker.run("UPDATE snapshots SET sig = NULL WHERE score_id = :s", s=score)
    service.forget_cache()  # the server starts after the upgrade, with nothing cached
    warnings: list[str] = []
    problems = service.verify_log(score, warnings=warnings)
    assert problems[0].startswith("the head is not signed")
    assert sorted(problems[1:]) == [f"snapshot {s} is not signed" for s in (0, 10, 20)]
    assert warnings == [
        f"edits 1..{EDITS} carry unkeyed (legacy) hashes; they are only protected through"
        " the signed head, from when it was first signed"
    ]
    # Edits still go in (keyed) while unsigned; the head stays unsigned.
    author = service.edits(score, to_seq=1)[0].author_id
    assert service.submit(score, author, [{"op": "set_meta", "title": "new"}]).seq == EDITS + 1
    signed = subprocess.run(
        [str(TUTTI), "--database-url", url, "sign-log", score],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert signed.returncode == 0, signed.stdout + signed.stderr
    done = cli_verify(url, score)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "legacy" in done.stderr  # the warning stays visible
    # Signed: now the legacy rows are pinned by the head like keyed ones.
    attacker.run(
        "UPDATE edits SET meta = :m WHERE score_id = :s AND seq = 3", m='{"x": 1}', s=score
    )
    attacker.rehash_plain(score, from_seq=3)
    problems = service.verify_log(score)
    assert any("prev_hash" in p or "signed head" in p for p in problems), problems


def test_sign_log_refuses_a_damaged_or_inconsistent_pre_key_log(
    logged: tuple[EditLog, str], attacker: Attacker
) -> None:
    service, score = logged
    attacker.run(
        "UPDATE scores SET keyed_from = head_seq + 1, head_sig = NULL WHERE id = :s", s=score
    )
    attacker.rehash_plain(score, from_seq=1)
    attacker.run("UPDATE snapshots SET sig = NULL WHERE score_id = :s", s=score)  # pre-key
    doc = service.doc_at(score, 20)
    doc["title"] = "not what the log says"
    attacker.run(
        "UPDATE snapshots SET doc = :d WHERE score_id = :s AND seq = 20", d=json.dumps(doc), s=score
    )
    assert service.sign_log(score) == ["snapshot 20: document differs from the replay of the log"]
    attacker.run("DELETE FROM edits WHERE score_id = :s AND seq = 7", s=score)
    assert any("gap" in p for p in service.sign_log(score))
    with attacker.engine.begin() as conn:
        head_sig = conn.execute(text("SELECT head_sig FROM scores WHERE id = :s"), {"s": score})
        assert head_sig.scalar() is None  # nothing was signed


def test_migration_0004_marks_existing_edits_as_pre_key(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from server.persistence.db import MIGRATIONS

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(url)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0003")
        now = datetime.now(UTC)
        conn.execute(
            text("INSERT INTO users (name, display_name, password_hash, colour, created_at)"
                 " VALUES ('old', 'Old', 'h', '#000', :t)"), {"t": now},
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO scores (id, title, owner_id, head_seq, settings, created_at)"
                 " VALUES ('oldscore', 'Old', 1, 2, '{}', :t)"), {"t": now},
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO score_members VALUES ('oldscore', 1, 'owner')"),
        )
        doc = new_document()
        conn.execute(
            text("INSERT INTO snapshots (score_id, seq, doc) VALUES ('oldscore', 0, :d)"),
            {"d": json.dumps(doc)},
        )
        prev = GENESIS_HASH
        for seq in (1, 2):
            ops = [{"op": "set_meta", "title": f"old {seq}"}]
            inverse = apply_edit(doc, ops).inverse
            row = {"score_id": "oldscore", "seq": seq, "author_id": 1, "client_id": None,
                   "client_seq": None, "ops": ops, "inverse": inverse, "skipped": [],
                   "origin": "human", "meta": {}, "created_at": now, "prev_hash": prev}  # fmt: skip
            row["hash"] = edit_hash(prev, row)
            conn.execute(
                text("INSERT INTO edits VALUES (:score_id, :seq, :author_id, :client_id,"
                     " :client_seq, :ops, :inverse, :skipped, :origin, :meta, :created_at,"
                     " :prev_hash, :hash)"),
                {**row, **{k: json.dumps(row[k]) for k in ("ops", "inverse", "skipped", "meta")}},
            )  # fmt: skip
            prev = row["hash"]
    engine.dispose()
    init_db(url)  # what the server does at start: 0004
    service = EditLog(Database(url))
    try:
        warnings: list[str] = []
        problems = service.verify_log("oldscore", warnings=warnings)
        # The old rows verify as plain hashes; only the missing signatures are reported.
        assert problems == [
            "the head is not signed: a log from before keyed hashing (check it, then"
            " `tutti sign-log`), or its signature was removed",
            "snapshot 0 is not signed",
        ]
        assert warnings and warnings[0].startswith("edits 1..2 carry unkeyed")
        assert service.sign_log("oldscore") == []
        assert service.verify_log("oldscore") == []
        assert service.submit("oldscore", 1, [{"op": "set_meta", "title": "new"}]).seq == 3
        assert service.verify_log("oldscore") == []
    finally:
        service.db.dispose()

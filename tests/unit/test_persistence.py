"""Migrations on a fresh SQLite file, SQLite connection settings, the schema's own
guarantees (unique seq, unique client seq), the hash chain's canonical form and its
keyed signatures."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from server.persistence import (
    GENESIS_HASH,
    Database,
    DuplicateEdit,
    edit_hash,
    init_db,
    normalise_url,
    repository,
    schema_head,
)
from server.persistence.chain import LogSigner, canonical_json, iso

TABLES = {
    "alembic_version",
    "users",
    "scores",
    "score_members",
    "edits",
    "snapshots",
    "versions",
    "suggestions",
}


def test_migrations_create_every_table_and_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "dir" / "t.sqlite3"
    url = f"sqlite:///{path}"
    init_db(url)
    init_db(url)  # a second start must be a no-op
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert TABLES <= names
        versions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        assert versions == [(schema_head(),)]
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"ix_edits_author_id", "ix_scores_owner_id", "ix_versions_score_id_seq"} <= indexes


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(db_url: str) -> None:
    db = Database(db_url)
    try:
        with db.read() as conn:
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            }
        assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000}
    finally:
        db.dispose()


def _edit_row(score_id: str, seq: int, author: int, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "score_id": score_id,
        "seq": seq,
        "author_id": author,
        "client_id": None,
        "client_seq": None,
        "ops": [],
        "inverse": [],
        "skipped": [],
        "origin": "human",
        "meta": {},
        "created_at": datetime.now(UTC),
        "prev_hash": GENESIS_HASH,
        "hash": "x" * 64,
    }
    row.update(extra)
    return row


def test_schema_refuses_a_second_row_for_one_seq_or_client_seq(db_url: str) -> None:
    db = Database(db_url)
    try:
        with db.write() as conn:
            user = repository.create_user(conn, "u", "h", "U", "#000")
            repository.insert_score(conn, "s1", "T", user, {}, {"title": "T"})
            repository.insert_edit(conn, _edit_row("s1", 1, user, client_id="c", client_seq=1))
        for dup in (
            _edit_row("s1", 1, user),
            _edit_row("s1", 2, user, client_id="c", client_seq=1),
        ):
            with pytest.raises(DuplicateEdit), db.write() as conn:
                repository.insert_edit(conn, dup)
        # Edits without a client id never collide with each other.
        with db.write() as conn:
            repository.insert_edit(conn, _edit_row("s1", 2, user))
            repository.insert_edit(conn, _edit_row("s1", 3, user))
        with db.read() as conn:
            assert repository.count_edits(conn, "s1") == 3
    finally:
        db.dispose()


def test_foreign_keys_are_enforced(db_url: str) -> None:
    db = Database(db_url)
    try:
        with pytest.raises(DuplicateEdit), db.write() as conn:  # IntegrityError, translated
            repository.insert_edit(conn, _edit_row("no-score", 1, 42))
    finally:
        db.dispose()


def test_hash_is_canonical_and_covers_every_field() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)
    row = _edit_row("s", 1, 7, created_at=moment, ops=[{"op": "set_meta", "title": "é"}])
    base = edit_hash(GENESIS_HASH, row)
    assert len(base) == 64 and base == edit_hash(GENESIS_HASH, dict(reversed(row.items())))
    # The same instant read back naive (SQLite) or in another zone (PostgreSQL) hashes alike.
    assert edit_hash(GENESIS_HASH, {**row, "created_at": moment.replace(tzinfo=None)}) == base
    other_zone = moment.astimezone(timezone(timedelta(hours=2)))
    assert edit_hash(GENESIS_HASH, {**row, "created_at": other_zone}) == base
    assert iso(moment) == "2026-01-02T03:04:05.006000+00:00"
    for field, value in [
        ("score_id", "t"),
        ("seq", 2),
        ("author_id", 8),
        ("client_id", "c"),
        ("client_seq", 1),
        ("ops", []),
        ("inverse", [{"op": "x"}]),
        ("skipped", [{"index": 0}]),
        ("origin", "helper"),
        ("meta", {"a": 1}),
        ("created_at", moment + timedelta(microseconds=1)),
    ]:
        assert edit_hash(GENESIS_HASH, {**row, field: value}) != base, field
    assert edit_hash("1" * 64, row) != base
    assert canonical_json({"b": 1, "a": [1, "é"]}) == '{"a":[1,"é"],"b":1}'


def test_keyed_hashes_depend_on_the_key_and_every_input() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)
    row = _edit_row("s", 1, 7, created_at=moment)
    signer, other = LogSigner(b"k" * 32), LogSigner(b"K" * 32)
    keyed = signer.edit_hash(GENESIS_HASH, row)
    assert len(keyed) == 64 and keyed == signer.edit_hash(GENESIS_HASH, dict(reversed(row.items())))
    # Neither the plain chain nor another key gives it: re-hashing needs this key.
    assert keyed not in (edit_hash(GENESIS_HASH, row), other.edit_hash(GENESIS_HASH, row))
    for field, value in [("ops", [{"op": "x"}]), ("seq", 2), ("author_id", 8), ("meta", {"a": 1})]:
        assert signer.edit_hash(GENESIS_HASH, {**row, field: value}) != keyed, field
    assert signer.edit_hash("1" * 64, row) != keyed
    head = signer.head("s", 5, keyed, 1)
    for changed in [
        ("t", 5, keyed, 1),
        ("s", 4, keyed, 1),
        ("s", 5, "0" * 64, 1),
        ("s", 5, keyed, 2),
    ]:
        assert signer.head(*changed) != head, changed
    assert other.head("s", 5, keyed, 1) != head
    doc = {"title": "x", "parts": []}
    snap = signer.snapshot("s", 5, keyed, doc)
    assert snap == signer.snapshot("s", 5, keyed, dict(reversed(doc.items())))
    assert snap not in (
        signer.snapshot("s", 5, keyed, {**doc, "title": "y"}),
        signer.snapshot("s", 6, keyed, doc),
        signer.snapshot("s", 5, "0" * 64, doc),
    )
    # Domain tags: the same bytes signed as another kind never collide.
    assert signer.head("s", 5, keyed, 1) != signer.snapshot("s", 5, keyed, {})
    assert signer.check(head, head) and not signer.check(None, head)
    assert not signer.check(head, signer.head("s", 5, keyed, 2))
    assert "k" * 16 not in repr(signer)
    with pytest.raises(ValueError):
        LogSigner(b"short")


def test_postgresql_urls_use_psycopg2() -> None:
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg2://u@h/db"
    assert normalise_url("postgresql+psycopg2://u:p@h/db") == "postgresql+psycopg2://u:p@h/db"
    assert normalise_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_migrations_match_the_models(db_url: str) -> None:
    """A model changed without a migration (or the reverse) shows up as a schema diff."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from server.persistence.models import Base

    db = Database(db_url)
    try:
        with db.read() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        db.dispose()

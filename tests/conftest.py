"""Shared fixtures: a migrated SQLite database per test, an ``EditLog`` over it, and a
throwaway PostgreSQL database (created on 127.0.0.1 and dropped afterwards); one edit-log
key (``TUTTI_LOG_KEY``) for the run."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.editing import EditLog
from server.persistence import Database, init_db

PG_ADMIN_URL = "postgresql+psycopg2://root@127.0.0.1:5432/test"

# One edit-log key for the whole run, set before anything reads it: every EditLog
# in the test process and every server the tests start (they inherit the environment)
# signs and checks logs with it, and no test writes a key file into instance/.
os.environ.setdefault("TUTTI_LOG_KEY", secrets.token_hex(32))
# The suite signs up hundreds of people from 127.0.0.1 on shared servers; sign-up
# throttling per IP is tested with its own low limit (tests/unit/test_security.py).
os.environ.setdefault("TUTTI_SIGNUP_LIMIT", "1000000")
# Cheap password hashes for the suite (scrypt is ~100 ms each); the timing test of
# unknown users sets its own, costlier method.
os.environ.setdefault("TUTTI_PASSWORD_METHOD", "pbkdf2:sha256:1000")
# Test servers start no job process ahead of need (music21's import is seconds of CPU per
# server); the one test of that start-up turns it back on.
os.environ.setdefault("TUTTI_JOB_PREWARM", "0")


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh, migrated SQLite database file."""
    url = f"sqlite:///{tmp_path / 'tutti.sqlite3'}"
    init_db(url)
    return url


@pytest.fixture
def service(db_url: str) -> Iterator[EditLog]:
    svc = EditLog(Database(db_url), snapshot_every=10)
    yield svc
    svc.db.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database ``tutti_test_<random>``, dropped afterwards,
    so parallel test runs never share tables."""
    from server.persistence.scratch import scratch_database

    with scratch_database(PG_ADMIN_URL, "tutti_test") as url:
        yield url

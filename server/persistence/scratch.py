"""Throwaway PostgreSQL databases for tests and benchmarks: created fresh, dropped after.

Each gets a random name so parallel runs on one server never share tables.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

from .db import init_db


@contextmanager
def scratch_database(admin_url: str, prefix: str, *, migrate: bool = True) -> Iterator[str]:
    """The URL of a new database ``<prefix>_<random>`` on ``admin_url``'s server.

    Migrated to the newest schema unless ``migrate`` is false; dropped (with any
    connections still open) when the block ends.
    """
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = admin_url.rsplit("/", 1)[0] + f"/{name}"
            if migrate:
                init_db(url)
            yield url
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()

"""Persistence: the only package that imports SQLAlchemy. Tables (``models``), engines
and migrations (``db``), queries returning plain data (``repository``) and the edit
log's keyed hash chain and head/snapshot signatures (``chain``).

Callers hold a ``Database`` and pass its connections to ``repository`` functions.
"""

from __future__ import annotations

from . import repository
from .chain import GENESIS_HASH, LogSigner, as_utc, edit_hash, iso
from .db import Database, init_db, normalise_url, open_database, schema_head
from .models import ORIGINS, ROLES, SUGGESTION_STATUSES
from .repository import DuplicateEdit, NameTaken

__all__ = [
    "GENESIS_HASH",
    "ORIGINS",
    "ROLES",
    "SUGGESTION_STATUSES",
    "Database",
    "LogSigner",
    "DuplicateEdit",
    "NameTaken",
    "as_utc",
    "edit_hash",
    "init_db",
    "iso",
    "normalise_url",
    "open_database",
    "repository",
    "schema_head",
]

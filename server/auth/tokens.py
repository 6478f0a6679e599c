"""Credential lifetimes and the shape of a credential secret. Pure: no Flask, no SQL.

A session (the cookie) and an API token (``Authorization: Bearer`` or the socket's
``auth={"token"}``) are both random secrets whose SHA-256 is a row in the
``credentials`` table (``server.persistence.Credentials``), so either can be revoked
server-side: log-out, a password change, ``DELETE /api/tokens/<id>``.
"""

from __future__ import annotations

from datetime import timedelta

SESSION_LIFETIME = timedelta(days=31)  # Flask's PERMANENT_SESSION_LIFETIME default
TOKEN_LIFETIME = timedelta(days=30)
MAX_SECRET = 128


def well_formed(secret: object) -> bool:
    """Worth a database look-up: a non-empty string of sane length."""
    return isinstance(secret, str) and 0 < len(secret) <= MAX_SECRET

"""Password hashing and checking (werkzeug's salted scrypt/pbkdf2). No Flask app, no SQL.

A hash costs ~100 ms of CPU by design. hashlib's scrypt and pbkdf2 release the GIL, so
both run on an OS thread (``offload.in_thread``): under eventlet the loop keeps serving
everyone else while a log-in is checked (``tests/unit/test_auth.py`` shows it).
"""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from ..offload import in_thread

MIN_PASSWORD = 6
MAX_PASSWORD = 256


def hash_password(password: str) -> str:
    return in_thread(generate_password_hash, password)


def check_password(password_hash: str | None, password: str) -> bool:
    """False for a missing hash too, so unknown users and bad passwords look alike."""
    if not password_hash or not isinstance(password, str):
        return False
    return in_thread(check_password_hash, password_hash, password)


def password_problem(password: object) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        return f"a password has {MIN_PASSWORD}..{MAX_PASSWORD} characters"
    return None

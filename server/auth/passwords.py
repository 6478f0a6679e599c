"""Password hashing and checking (werkzeug's salted scrypt). No Flask app, no SQL."""

from __future__ import annotations

import secrets
from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

MIN_PASSWORD = 6
MAX_PASSWORD = 256


#: werkzeug's default: scrypt (2**15, 8, 1), ~100 ms. ``TUTTI_PASSWORD_METHOD`` may name
#: another werkzeug method (the test suite uses a cheap pbkdf2 to stay fast).
DEFAULT_METHOD = "scrypt"


def hash_password(password: str, method: str = DEFAULT_METHOD) -> str:
    return generate_password_hash(password, method=method)


@cache
def dummy_hash(method: str = DEFAULT_METHOD) -> str:
    """A hash of a random password, made with the same method and cost as real ones."""
    return generate_password_hash(secrets.token_hex(16), method=method)


def check_password(
    password_hash: str | None, password: object, method: str = DEFAULT_METHOD
) -> bool:
    """Whether ``password`` matches. With no hash (an unknown user) it still checks
    against a dummy hash of ``method`` (the one new hashes use) and answers False, so an
    unknown name takes as long as a wrong password and cannot be told apart by timing."""
    candidate = password if isinstance(password, str) else ""
    if not password_hash:
        check_password_hash(dummy_hash(method), candidate)
        return False
    return check_password_hash(password_hash, candidate) and isinstance(password, str)


def password_problem(password: object) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        return f"a password has {MIN_PASSWORD}..{MAX_PASSWORD} characters"
    return None

"""Password hashing and checking (werkzeug's salted scrypt). No Flask app, no SQL.

A hash costs ~100 ms of CPU by design. hashlib's scrypt and pbkdf2 release the GIL, so
both run on an OS thread (``offload.in_thread``): under eventlet the loop keeps serving
everyone else while a log-in is checked (``tests/unit/test_offload.py`` shows it). One
hash at a time: more would take every core from the loop; log-ins queue instead.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from functools import cache
from typing import TypeVar

from werkzeug.security import check_password_hash, generate_password_hash

from ..offload import in_thread

MIN_PASSWORD = 6
MAX_PASSWORD = 256
#: Hashes computed at once in this process (green under eventlet: waiting yields).
_hashing = threading.BoundedSemaphore(1)


T = TypeVar("T")

#: werkzeug's default: scrypt (2**15, 8, 1), ~100 ms. ``TUTTI_PASSWORD_METHOD`` may name
#: another werkzeug method (the test suite uses a cheap pbkdf2 to stay fast).
DEFAULT_METHOD = "scrypt"


def _one_at_a_time(fn: Callable[..., T], *args: object) -> T:
    with _hashing:
        return in_thread(fn, *args)


def hash_password(password: str, method: str = DEFAULT_METHOD) -> str:
    return _one_at_a_time(generate_password_hash, password, method)


@cache
def dummy_hash(method: str = DEFAULT_METHOD) -> str:
    """A hash of a random password, made with the same method and cost as real ones."""
    return _one_at_a_time(generate_password_hash, secrets.token_hex(16), method)


def check_password(
    password_hash: str | None, password: object, method: str = DEFAULT_METHOD
) -> bool:
    """Whether ``password`` matches. With no hash (an unknown user) it still checks
    against a dummy hash of ``method`` (the one new hashes use) and answers False, so an
    unknown name takes as long as a wrong password and cannot be told apart by timing."""
    candidate = password if isinstance(password, str) else ""
    if not password_hash:
        _one_at_a_time(check_password_hash, dummy_hash(method), candidate)
        return False
    matches = _one_at_a_time(check_password_hash, password_hash, candidate)
    return matches and isinstance(password, str)


def password_problem(password: object) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        return f"a password has {MIN_PASSWORD}..{MAX_PASSWORD} characters"
    return None

"""Settings read from the environment (``TUTTI_*``) into one frozen ``Settings`` value.

Stdlib only: the CLI reads settings before eventlet is monkey-patched, so this
module must not import Flask, SQLAlchemy, eventlet or anything of ours.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
ASYNC_MODES = ("eventlet", "gevent", "threading")
SECURE_COOKIES = ("auto", "always", "never")


def instance_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where local state (SQLite file, secret key) lives; ``TUTTI_INSTANCE_DIR`` moves it."""
    env = os.environ if env is None else env
    return Path(env.get("TUTTI_INSTANCE_DIR") or REPO_ROOT / "instance")


def default_database_url(env: Mapping[str, str] | None = None) -> str:
    return f"sqlite:///{instance_dir(env) / 'tutti.sqlite3'}"


def stored_secret_key(directory: Path | None = None) -> str:
    """The key kept in ``instance/secret_key``, generated on first use.

    Generated once rather than per start so that sessions survive a restart and
    every worker of one deployment signs cookies with the same key.
    """
    return _stored_key(directory or instance_dir(), "secret_key")


def stored_log_key(directory: Path | None = None, *, create: bool = True) -> str | None:
    """The edit log's HMAC key kept in ``instance/log_key`` (0600), generated on first use
    unless ``create`` is false (then None when there is none).

    Separate from the secret key, so rotating the cookie key never breaks the log. It
    must never be stored in the database: the log is signed against whoever can write
    to the database.
    """
    directory = directory or instance_dir()
    if not create:
        try:
            return (directory / "log_key").read_text().strip() or None
        except FileNotFoundError:
            return None
    return _stored_key(directory, "log_key")


def log_key(env: Mapping[str, str] | None = None, *, create: bool = True) -> str | None:
    """``TUTTI_LOG_KEY``, else the instance directory's ``log_key`` file (see above)."""
    env = os.environ if env is None else env
    return env.get("TUTTI_LOG_KEY") or stored_log_key(instance_dir(env), create=create)


def _stored_key(directory: Path, name: str) -> str:
    path = directory / name
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    directory.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Written whole to a private file, then linked into place: when two workers start
    # at once exactly one key wins, and neither can read a half-written (empty) file.
    staging = directory / f".{name}.{secrets.token_hex(8)}"
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
        try:
            os.link(staging, path)
        except FileExistsError:
            return path.read_text().strip()
    finally:
        staging.unlink()
    return key


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one Tutti deployment."""

    database_url: str
    secret_key: str
    async_mode: str = "eventlet"
    message_queue: str | None = None
    snapshot_every: int = 100
    #: HMAC key of the edit log (``TUTTI_LOG_KEY`` or instance/log_key); never in the DB.
    log_key: str = field(default="", repr=False)
    max_import_bytes: int = 10 * 1024 * 1024
    cors_origins: tuple[str, ...] = ()  # empty = same origin only
    #: Byte budget of the cached score heads of one process (``TUTTI_CACHE_BYTES``).
    cache_bytes: int = 256 * 1024 * 1024
    #: Byte budget of the history views of one process (``TUTTI_HISTORY_CACHE_BYTES``).
    history_cache_bytes: int = 256 * 1024 * 1024
    #: The job pool (``server/offload``): processes, queue, per-job seconds and bytes.
    job_workers: int = 2
    job_queue: int = 8
    job_time_limit: float = 300.0
    job_memory_bytes: int = 3 * 1024**3
    #: Session cookie ``Secure`` flag: ``auto`` (when the request came over HTTPS, as the
    #: proxy reports with ``TUTTI_PROXY_HOPS``), ``always`` or ``never``.
    secure_cookies: str = "auto"
    #: How many reverse proxies in front set ``X-Forwarded-For/-Proto/-Host`` (nginx: 1);
    #: 0 trusts none of them (the client IP is the socket's peer).
    proxy_hops: int = 0
    #: werkzeug hashing method for new passwords (and the unknown-user dummy hash).
    password_method: str = "scrypt"
    #: Sign-ups per client IP per hour (log-in failures have fixed limits: docs/security.md).
    signup_limit: int = 20

    @classmethod
    def from_env(
        cls, overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
    ) -> Settings:
        """Settings from ``env`` (default ``os.environ``); ``overrides`` win over both.

        Keys of ``overrides`` are field names (``database_url``), as in a test config.
        """
        env = os.environ if env is None else env
        overrides = dict(overrides or {})
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")

        def pick(name: str, default: str | None) -> str | None:
            value = env.get(f"TUTTI_{name.upper()}")
            return value if value not in (None, "") else default

        values: dict[str, Any] = {
            "database_url": pick("database_url", None) or default_database_url(env),
            "async_mode": pick("async_mode", "eventlet"),
            "message_queue": pick("message_queue", None),
            "snapshot_every": _positive_int(pick("snapshot_every", "100"), "snapshot_every"),
            "max_import_bytes": _positive_int(
                pick("max_import_bytes", str(10 * 1024 * 1024)), "max_import_bytes"
            ),
            "cors_origins": _origins(pick("cors_origins", "") or ""),
            "cache_bytes": _positive_int(pick("cache_bytes", str(256 * 1024**2)), "cache_bytes"),
            "history_cache_bytes": _positive_int(
                pick("history_cache_bytes", str(256 * 1024**2)), "history_cache_bytes"
            ),
            "job_workers": _positive_int(pick("job_workers", "2"), "job_workers"),
            "job_queue": _positive_int(pick("job_queue", "8"), "job_queue"),
            "job_time_limit": _positive_float(pick("job_time_limit", "300"), "job_time_limit"),
            "job_memory_bytes": _positive_int(
                pick("job_memory_bytes", str(3 * 1024**3)), "job_memory_bytes"
            ),
            "secure_cookies": pick("secure_cookies", "auto"),
            "proxy_hops": _count(pick("proxy_hops", "0"), "proxy_hops"),
            "signup_limit": _positive_int(pick("signup_limit", "20"), "signup_limit"),
            "password_method": pick("password_method", "scrypt"),
        }
        values.update(overrides)
        if "secret_key" not in values:
            # Only touch the instance directory when no key was given.
            values["secret_key"] = pick("secret_key", None) or stored_secret_key(instance_dir(env))
        if isinstance(values["cors_origins"], list | str):
            values["cors_origins"] = _origins(values["cors_origins"])
        if values["async_mode"] not in ASYNC_MODES:
            raise ValueError(f"TUTTI_ASYNC_MODE must be one of {ASYNC_MODES}")
        if values["secure_cookies"] not in SECURE_COOKIES:
            raise ValueError(f"TUTTI_SECURE_COOKIES must be one of {SECURE_COOKIES}")
        if not values.get("log_key"):
            # Like the secret key: the instance directory is touched only when needed.
            values["log_key"] = log_key(env) or ""
        return cls(**values)


def _positive_int(raw: str | None, name: str) -> int:
    try:
        value = int(raw or "")
    except ValueError:
        raise ValueError(f"TUTTI_{name.upper()} must be an integer, got {raw!r}") from None
    if value < 1:
        raise ValueError(f"TUTTI_{name.upper()} must be positive")
    return value


def _positive_float(raw: str | None, name: str) -> float:
    try:
        value = float(raw or "")
    except ValueError:
        raise ValueError(f"TUTTI_{name.upper()} must be a number, got {raw!r}") from None
    if not value > 0 or value == float("inf"):
        raise ValueError(f"TUTTI_{name.upper()} must be a positive number")
    return value


def _count(raw: str | None, name: str) -> int:
    """A non-negative integer setting."""
    try:
        value = int(raw or "0")
    except ValueError:
        raise ValueError(f"TUTTI_{name.upper()} must be an integer, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"TUTTI_{name.upper()} must not be negative")
    return value


def _origins(raw: str | list[str]) -> tuple[str, ...]:
    """``"a, b"`` or a list -> ``("a", "b")``; ``"*"`` is kept as is (allow any)."""
    items = raw.split(",") if isinstance(raw, str) else raw
    return tuple(item.strip() for item in items if item.strip())

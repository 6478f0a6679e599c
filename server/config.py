"""Settings read from the environment (``TUTTI_*``) into one frozen ``Settings`` value.

Stdlib only: the CLI reads settings before eventlet is monkey-patched, so this
module must not import Flask, SQLAlchemy, eventlet or anything of ours.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
ASYNC_MODES = ("eventlet", "gevent", "threading")


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
    directory = directory or instance_dir()
    path = directory / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    directory.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        # O_EXCL: when two workers start at once, exactly one key wins.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one Tutti deployment."""

    database_url: str
    secret_key: str
    async_mode: str = "eventlet"
    message_queue: str | None = None
    snapshot_every: int = 100
    max_import_bytes: int = 10 * 1024 * 1024
    cors_origins: tuple[str, ...] = ()  # empty = same origin only

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
        }
        values.update(overrides)
        if "secret_key" not in values:
            # Only touch the instance directory when no key was given.
            values["secret_key"] = pick("secret_key", None) or stored_secret_key(instance_dir(env))
        if isinstance(values["cors_origins"], list | str):
            values["cors_origins"] = _origins(values["cors_origins"])
        if values["async_mode"] not in ASYNC_MODES:
            raise ValueError(f"TUTTI_ASYNC_MODE must be one of {ASYNC_MODES}")
        return cls(**values)


def _positive_int(raw: str | None, name: str) -> int:
    try:
        value = int(raw or "")
    except ValueError:
        raise ValueError(f"TUTTI_{name.upper()} must be an integer, got {raw!r}") from None
    if value < 1:
        raise ValueError(f"TUTTI_{name.upper()} must be positive")
    return value


def _origins(raw: str | list[str]) -> tuple[str, ...]:
    """``"a, b"`` or a list -> ``("a", "b")``; ``"*"`` is kept as is (allow any)."""
    items = raw.split(",") if isinstance(raw, str) else raw
    return tuple(item.strip() for item in items if item.strip())

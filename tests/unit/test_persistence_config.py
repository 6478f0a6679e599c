"""Settings from the environment: defaults, parsing, overrides and the stored secret key."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import Settings, log_key, stored_log_key, stored_secret_key


def test_defaults(tmp_path: Path) -> None:
    settings = Settings.from_env(env={"TUTTI_INSTANCE_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'tutti.sqlite3'}"
    assert (tmp_path / "secret_key").read_text().strip() == settings.secret_key
    assert settings.async_mode == "eventlet"
    assert settings.message_queue is None
    assert settings.snapshot_every == 100
    assert settings.cors_origins == ()
    assert len(settings.secret_key) == 64
    # The log key: its own file, private, never the secret key.
    assert (tmp_path / "log_key").read_text().strip() == settings.log_key
    assert (tmp_path / "log_key").stat().st_mode & 0o077 == 0
    assert len(settings.log_key) == 64 and settings.log_key != settings.secret_key
    assert settings.log_key not in repr(settings)


def test_environment_values(tmp_path: Path) -> None:
    settings = Settings.from_env(
        env={
            "TUTTI_DATABASE_URL": "postgresql://root@127.0.0.1/test",
            "TUTTI_SECRET_KEY": "k",
            "TUTTI_ASYNC_MODE": "threading",
            "TUTTI_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0",
            "TUTTI_SNAPSHOT_EVERY": "50",
            "TUTTI_MAX_IMPORT_BYTES": "1000",
            "TUTTI_CORS_ORIGINS": "http://a.test, http://b.test",
            "TUTTI_LOG_KEY": "log-key-of-this-deployment",
        }
    )
    assert settings == Settings(
        database_url="postgresql://root@127.0.0.1/test",
        secret_key="k",
        async_mode="threading",
        message_queue="redis://127.0.0.1:6379/0",
        snapshot_every=50,
        max_import_bytes=1000,
        cors_origins=("http://a.test", "http://b.test"),
        log_key="log-key-of-this-deployment",
    )


def test_overrides_win_and_are_checked() -> None:
    settings = Settings.from_env(
        {"secret_key": "s", "snapshot_every": 5, "cors_origins": ["*"], "log_key": "given"},
        env={"TUTTI_SNAPSHOT_EVERY": "50", "TUTTI_DATABASE_URL": "sqlite:///x"},
    )
    assert (settings.secret_key, settings.snapshot_every, settings.cors_origins) == ("s", 5, ("*",))
    with pytest.raises(ValueError):
        Settings.from_env({"no_such_setting": 1}, env={"TUTTI_SECRET_KEY": "k"})
    with pytest.raises(ValueError):
        Settings.from_env(env={"TUTTI_SECRET_KEY": "k", "TUTTI_SNAPSHOT_EVERY": "often"})
    with pytest.raises(ValueError):
        Settings.from_env(env={"TUTTI_SECRET_KEY": "k", "TUTTI_ASYNC_MODE": "asyncio"})
    with pytest.raises(AttributeError):
        settings.secret_key = "changed"  # type: ignore[misc]


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = stored_secret_key(tmp_path / "inst")
    assert stored_secret_key(tmp_path / "inst") == first
    assert (tmp_path / "inst" / "secret_key").stat().st_mode & 0o077 == 0
    assert stored_secret_key(tmp_path / "other") != first


def test_log_key_comes_from_the_environment_or_the_instance_file(tmp_path: Path) -> None:
    env = {"TUTTI_INSTANCE_DIR": str(tmp_path / "inst")}
    # A reader that must not create a key (verify-log) finds none and creates nothing.
    assert log_key(env, create=False) is None and not (tmp_path / "inst").exists()
    first = log_key(env)
    assert first is not None and log_key(env, create=False) == log_key(env) == first
    assert stored_log_key(tmp_path / "inst") == first
    assert log_key({**env, "TUTTI_LOG_KEY": "from-env"}) == "from-env"
    # Two workers racing for the first key agree on one, and no staging file is left.
    import threading

    results: list[str | None] = []
    threads = [
        threading.Thread(target=lambda: results.append(stored_log_key(tmp_path / "race")))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and len(results[0] or "") == 64
    assert [p.name for p in (tmp_path / "race").iterdir()] == ["log_key"]

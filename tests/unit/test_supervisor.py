"""``tutti serve --workers N`` refuses what cannot work before starting anything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from server.supervisor import SupervisorError, check_settings, worker_command


def test_several_workers_need_a_message_queue() -> None:
    with pytest.raises(SupervisorError, match="TUTTI_MESSAGE_QUEUE"):
        check_settings(2, {})
    with pytest.raises(SupervisorError, match="at least 1"):
        check_settings(0, {"TUTTI_MESSAGE_QUEUE": "redis://x"})
    check_settings(1, {})  # one worker: the embedded default needs nothing
    check_settings(4, {"TUTTI_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0", "TUTTI_SECRET_KEY": "k"})


def test_workers_listen_with_reuse_port_on_the_same_address() -> None:
    assert worker_command("0.0.0.0", 8000)[-5:] == [
        "--host", "0.0.0.0", "--port", "8000", "--reuse-port"
    ]  # fmt: skip


def test_cli_says_why_and_exits_2_without_a_queue() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server.serving", "--workers", "2", "--port", "1"],
        env={"PATH": "/usr/bin:/bin", "TUTTI_MESSAGE_QUEUE": ""},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "TUTTI_MESSAGE_QUEUE" in done.stderr

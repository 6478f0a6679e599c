"""Reader child processes: one job per process, killed at the time limit, one kept warm.

A plain ``subprocess`` works the same under threads and under eventlet (whose green
``subprocess`` waits cooperatively). Starting Python and importing music21 costs
more than parsing a typical file, so one child is started ahead of need and waits
for its job on stdin; each import takes it and starts the next. Imports no music21.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from .errors import FormatError

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# TUTTI_IMPORT_SPARE=0 turns the warm child off (one cold child per import).
KEEP_SPARE = os.environ.get("TUTTI_IMPORT_SPARE", "1") != "0"

_lock = threading.Lock()
# (pid of the process that started it, the child): after a fork the copy is not ours.
_spare: list[tuple[int, subprocess.Popen[bytes]]] = []


def _start() -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    return subprocess.Popen(
        [sys.executable, "-m", "server.formats.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def _take() -> subprocess.Popen[bytes]:
    """A child for one job: the warm spare if it is alive, else a new one."""
    with _lock:
        owner, proc = _spare.pop() if _spare else (None, None)
    if proc is None or owner != os.getpid() or proc.poll() is not None:
        proc = _start()
    return proc


def _replenish() -> None:
    """Start the next spare once a job is done, so its warm-up (a second of CPU) does
    not compete with the job itself."""
    with _lock:
        if KEEP_SPARE and not _spare:
            _spare.append((os.getpid(), _start()))


@atexit.register
def stop_spare() -> None:
    """End the waiting child (it would also end by itself when our end of the pipe closes)."""
    with _lock:
        while _spare:
            owner, proc = _spare.pop()
            if owner == os.getpid():
                proc.kill()
                proc.communicate()


def run_job(data: bytes, fmt: str, filename: str, timeout_s: float) -> dict[str, Any]:
    """The child's answer for one file: ``{"doc", "report"}`` or ``{"code", "message"}``."""
    header = json.dumps({"format": fmt, "filename": filename}).encode() + b"\n"
    proc = _take()
    try:
        stdout, stderr = proc.communicate(header + data, timeout=timeout_s)
    except Exception as exc:
        # Under eventlet, subprocess comes from a patched copy of the module whose
        # TimeoutExpired is another class, so match it by name.
        proc.kill()
        proc.communicate()
        if type(exc).__name__ != "TimeoutExpired":
            raise
        raise FormatError(
            "parse_timeout", f"reading the file took longer than {timeout_s:g} s; it was stopped"
        ) from None
    finally:
        _replenish()
    if stderr.strip():
        log.info("import worker said: %s", stderr.decode("utf-8", "replace")[-2000:])
    try:
        answer = json.loads(stdout)
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or not ("doc" in answer or "code" in answer):
        raise FormatError(
            "malformed_file",
            f"the file reader stopped unexpectedly (exit status {proc.returncode})",
        )
    return answer

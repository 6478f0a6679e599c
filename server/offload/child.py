"""A job process: reads jobs from stdin, runs each (``jobs.py``), answers on stdout.

Run as ``python -m server.offload.child MEMORY_LIMIT_BYTES``. The address space is
capped (``RLIMIT_AS``) so a job that needs too much memory fails with ``MemoryError``
here instead of swapping the server; the kernel ends this process when the server
dies (``PR_SET_PDEATHSIG``), so a killed server leaves no busy orphan behind.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

from .frames import read_message, write_message

#: After a job, a process holding more than this share of its memory limit is retired
#: (music21's caches and a fragmented heap only grow).
RETIRE_SHARE = 0.5
#: This process's nice value is raised by this much (19: the lowest CPU priority).
NICENESS = 19


def _limit_memory(limit: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # not every platform allows it; the time limit still applies


def _die_with_parent() -> None:
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the job ends at the time limit or when stdin closes


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def answer(job: dict[str, Any], blob: bytes) -> tuple[dict[str, Any], bytes]:
    """The answer header and blob for one job; never raises."""
    from ..errors import TuttiError
    from .jobs import JOBS

    try:
        run = JOBS[str(job.get("job"))]
    except KeyError:
        return {"ok": False, "code": "bad_request", "message": f"no job {job.get('job')!r}"}, b""
    try:
        value, data = run(job.get("args") or {}, blob)
        return {"ok": True, "value": value}, data
    except TuttiError as exc:
        return {"ok": False, "code": exc.code, "message": exc.message, "extra": exc.extra}, b""
    except MemoryError:
        return {"ok": False, "code": "too_big", "retire": True,
                "message": "this needs more memory than a job may use"}, b""  # fmt: skip
    except RecursionError:
        return {"ok": False, "code": "too_big", "message": "this is nested too deeply"}, b""
    except Exception as exc:  # noqa: BLE001 - the server gets a refusal, the log the trace
        traceback.print_exc()
        return {"ok": False, "code": "server_error", "retire": True,
                "message": f"the job failed: {type(exc).__name__}"}, b""  # fmt: skip


def main() -> None:
    limit = int(sys.argv[1])
    # music21 may print; keep the real stdout for our answers.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    _die_with_parent()
    _limit_memory(limit)
    # Jobs are background work: on a busy machine the server's loop gets the CPU first.
    os.nice(NICENESS)
    from .jobs import preload

    preload()
    write_message(out, {"ready": True, "pid": os.getpid()})
    stdin = sys.stdin.buffer
    while True:
        message = read_message(stdin)
        if message is None:
            break  # the server closed our pipe: it retired us or went away
        header, data = answer(*message)
        if _resident_bytes() > limit * RETIRE_SHARE:
            header["retire"] = True
        write_message(out, header, data)
        sys.stderr.flush()
    out.close()
    os._exit(0)  # tearing down music21's object graph costs more than the jobs did


if __name__ == "__main__":
    main()

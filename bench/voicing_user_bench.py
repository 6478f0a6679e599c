"""Voicing as a user runs it: ``tutti voicing`` on 32 chords (top 5) in a new process, and
the HTTP API (``POST /api/scores/<id>/suggestions``) of a running ``tutti serve``.

CLI: each run is a fresh ``tutti voicing prog.json --target T`` process; *start-up* is the
same command with ``--help`` (interpreter, the CLI, the voicing modules and numpy loaded,
then exit), timed the same way right before it, and *beyond start-up* is the median of
those paired differences (wall, and CPU of the child process). Byte-code caching is on,
as on an installed system (``PYTHONPYCACHEPREFIX`` in a temporary directory).

HTTP: a real server on a temporary SQLite database, one score with 32 chord symbols
(16 bars, two per bar) and SATB + keyboard parts; each request asks for 5 suggestions
over the whole passage, timed at the client (loopback), median of ``--repeats``. The
first request, sent 20 s after the server listens (it starts its job process, which
imports music21, in the background), is reported on its own.

    .venv/bin/python -m bench.voicing_user_bench --repeats 9
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from server.editing import EditLog
from server.persistence import Database, init_db
from server.score.model import new_document
from tests.integration.conftest import LiveServer
from tests.support.records import records

from .voicing_speed import PROGRESSION

REPO = Path(__file__).resolve().parent.parent
TUTTI = REPO / ".venv" / "bin" / "tutti"
TARGETS = ("satb", "piano", "guitar")
CHORDS = [symbol for symbol, _ in PROGRESSION]


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall s, child CPU s) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, stdout=subprocess.DEVNULL, check=True, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def cli(repeats: int, tmp: Path) -> dict[str, dict[str, float]]:
    prog = tmp / "prog.json"
    prog.write_text(json.dumps({"chords": [{"symbol": s} for s in CHORDS]}))
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(tmp / "pyc")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    help_cmd = [str(TUTTI), "voicing", "--help"]
    _run(help_cmd, env)  # write the byte-code caches once
    out = {}
    for target in TARGETS:
        cmd = [str(TUTTI), "voicing", str(prog), "--target", target, "--k", "5"]
        _run(cmd, env)
        base, full = [], []
        for _ in range(repeats):  # interleaved: both see the same machine load
            base.append(_run(help_cmd, env))
            full.append(_run(cmd, env))
        med = {
            "startup_wall": statistics.median(b[0] for b in base),
            "startup_cpu": statistics.median(b[1] for b in base),
            "wall": statistics.median(f[0] for f in full),
            "cpu": statistics.median(f[1] for f in full),
            # Median of the paired differences (each run next to its own --help run).
            "beyond_wall": statistics.median(f[0] - b[0] for b, f in zip(base, full, strict=True)),
            "beyond_cpu": statistics.median(f[1] - b[1] for b, f in zip(base, full, strict=True)),
        }
        out[target] = {k: v * 1e3 for k, v in med.items()}
    return out


def http(repeats: int, tmp: Path, settle: float = 20.0) -> dict[str, dict[str, float]]:
    url = f"sqlite:///{tmp / 'http.sqlite3'}"
    init_db(url)
    server = LiveServer(url, tmp).start()
    log = EditLog(Database(url))
    try:
        server.signup("bench")
        token = server.token("bench")
        headers = {"Authorization": f"Bearer {token}"}
        owner = records(log).users.user_by_name("bench")["id"]  # type: ignore[index]
        names = ("Soprano", "Alto", "Tenor", "Bass", "Keys")
        doc = new_document(parts=[{"name": n} for n in names], measures=16)
        score = log.create_score(owner, "Bench", doc)
        ops = [
            {"op": "set_chord_symbol", "part": "p1", "measure": f"m{i // 2 + 1}",
             "offset": "0" if i % 2 == 0 else "1/2", "symbol": symbol, "id": f"h{i}"}
            for i, symbol in enumerate(CHORDS)
        ]  # fmt: skip
        log.submit(score, owner, ops)
        api = f"{server.url}/api"
        time.sleep(settle)  # the server starts its job process in the background
        for path in ("/helper/preferences", f"/scores/{score}/helper"):
            reply = requests.put(api + path, json={"enabled": True}, headers=headers, timeout=30)
            reply.raise_for_status()
        satb = {"soprano": "p1", "alto": "p2", "tenor": "p3", "bass": "p4"}
        out = {}
        for n, target in enumerate(TARGETS):
            parts = satb if target == "satb" else {"part": "p5"}
            body: dict[str, Any] = {"target": target, "first": "m1", "last": "m16", "k": 5}
            body["parts"] = parts
            times = []
            for _ in range(repeats + 1):
                started = time.perf_counter()
                reply = requests.post(
                    f"{api}/scores/{score}/suggestions", json=body, headers=headers, timeout=60
                )
                times.append(time.perf_counter() - started)
                assert reply.status_code == 201, reply.text[:300]
                alternatives = reply.json()["suggestion"]["result"]["alternatives"]
                assert len(alternatives) == 5
            out[target] = {"median": statistics.median(times[1:]) * 1e3}
            if n == 0:
                out[target]["first"] = times[0] * 1e3
    finally:
        server.stop()
        log.db.dispose()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--cli-only", action="store_true", help="skip the HTTP part")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        for target, m in cli(args.repeats, tmp).items():
            print(
                f"tutti voicing, {target}: {m['wall']:.0f} ms wall / {m['cpu']:.0f} ms CPU; "
                f"start-up (--help) {m['startup_wall']:.0f} / {m['startup_cpu']:.0f}; beyond "
                f"start-up {m['beyond_wall']:.0f} ms wall / {m['beyond_cpu']:.0f} ms CPU "
                "(median of paired differences)",
                flush=True,
            )
        if args.cli_only:
            return
        for target, m in http(args.repeats, tmp).items():
            first = f" (first request after start-up {m['first']:.0f} ms)" if "first" in m else ""
            print(f"POST /suggestions, {target}: {m['median']:.0f} ms median{first}", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", file=sys.stderr)


if __name__ == "__main__":
    main()

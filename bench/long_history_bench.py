"""Long histories in a fresh process: the first history page, blame and a past version of a
100,000-edit score, and a rejoin far behind / near, each timed in a new process.

The log is committed once through the real ``EditLog`` (SQLite) into ``--db`` and reused
by later runs (about ten minutes to build at 100,000 edits); the first build also stores a
history checkpoint the way the server does (a view replayed once). Each measure then runs
in its own ``python -m bench.long_history_bench --measure NAME`` process, timed from
before the service objects are made (imports excluded) to the answer, median of
``--repeats`` processes. Edit rows read are counted at the database (``RowsRead``).

    .venv/bin/python -m bench.long_history_bench                 # 100,000 edits, 5 repeats
    .venv/bin/python -m bench.long_history_bench --edits 5000 --db /tmp/small.sqlite3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from server.editing import EditLog
from server.history_service import Filters, HistoryService, HistoryViews
from server.persistence import Database, init_db
from server.sync.authority import Authority
from tests.support.records import records
from tests.support.rows_read import RowsRead

from .history_api_bench import commit_log

PAGE = 100  # entries per page, as static/js/history/panel.js asks
MEASURES = ("history_page", "rejoin_far", "rejoin_near", "blame", "doc_at_old")


def _url(db: Path) -> str:
    return f"sqlite:///{db}"


def build(db: Path, count: int) -> dict[str, Any]:
    """The committed log (made once) and its stored history checkpoint."""
    meta_path = db.with_suffix(".json")
    if db.exists() and meta_path.exists():
        meta: dict[str, Any] = json.loads(meta_path.read_text())
        if meta.get("edits") == count:
            if not os.environ.get("TUTTI_BENCH_MEASURING"):
                init_db(_url(db))  # a log built by an older revision: migrate it to the head
            return meta
        db.unlink()
    init_db(_url(db))
    log = EditLog(Database(_url(db)))
    started = time.perf_counter()
    score, user = commit_log(log, count)
    committed = time.perf_counter() - started
    started = time.perf_counter()
    HistoryViews(log, records(log).checkpoints).get(score)  # replays, stores a checkpoint
    replayed = time.perf_counter() - started
    log.db.dispose()
    meta = {"edits": count, "score": score, "user": user, "commit_s": committed,
            "replay_s": replayed}  # fmt: skip
    meta_path.write_text(json.dumps(meta))
    return meta


def measure(name: str, db: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """One measure, in this (fresh) process: wall seconds and edit rows read."""
    score, user, head = meta["score"], meta["user"], meta["edits"]
    started, started_cpu = time.perf_counter(), time.process_time()
    log = EditLog(Database(_url(db)))
    rows = RowsRead(log.db.engine, "edits")
    with rows.counting():
        if name.startswith("rejoin"):
            behind = 1000 if name == "rejoin_far" else 100
            answer = Authority(log, records(log).members).catch_up(score, head - behind)
            detail = "snapshot" if "snapshot" in answer else f"{len(answer['edits'])} edits"
        else:
            history = HistoryService.over(log, records(log))
            if name == "history_page":
                found = history.history(score, user, Filters(), limit=PAGE)
                detail = f"{len(found['entries'])} entries"
            elif name == "blame":
                detail = f"{len(history.blame(score, user)['elements'])} elements"
            else:
                doc, _, _ = history.doc_at(score, user, head // 3)
                detail = f"{len(doc['measures'])} measures"
    spent, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    log.db.dispose()
    return {"seconds": spent, "cpu": cpu, "rows": rows.rows, "detail": detail}


def rejoin_in_server(db: Path, meta: dict[str, Any], repeats: int = 9) -> dict[str, float]:
    """Median ms of a rejoin in a running process (statements compiled, connection open),
    with the cached head document dropped before each: the far case rebuilds it from the
    nearest snapshot, as for a score no one in this process has open."""
    log = EditLog(Database(_url(db)))
    authority = Authority(log, records(log).members)
    score, head = meta["score"], meta["edits"]
    out = {}
    for name, behind in (("far (1,000 behind: snapshot)", 1000), ("near (100 behind)", 100)):
        authority.catch_up(score, head - behind)
        times = []
        for _ in range(repeats):
            log.forget_cache()
            started = time.perf_counter()
            authority.catch_up(score, head - behind)
            times.append(time.perf_counter() - started)
        out[name] = statistics.median(times) * 1e3
    log.db.dispose()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=100_000)
    parser.add_argument("--db", default="/tmp/tutti-long-history.sqlite3")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--measure", choices=MEASURES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    db = Path(args.db)
    meta = build(db, args.edits)
    if args.measure:
        print(json.dumps(measure(args.measure, db, meta)))
        return
    print(f"log: {args.edits} edits (committed in {meta['commit_s']:.0f} s; first replay "
          f"{meta['replay_s']:.0f} s)")  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env["TUTTI_BENCH_MEASURING"] = "1"  # migrated above, once
    for name in MEASURES:
        runs = []
        for _ in range(args.repeats):
            cmd = [sys.executable, "-m", "bench.long_history_bench", "--edits", str(args.edits),
                   "--db", str(db), "--measure", name]  # fmt: skip
            out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        wall = statistics.median(r["seconds"] for r in runs) * 1e3
        cpu = statistics.median(r["cpu"] for r in runs) * 1e3
        print(f"{name}: {wall:.0f} ms wall, {cpu:.0f} ms CPU (medians of {len(runs)} fresh "
              f"processes); {runs[-1]['rows']} edit rows read; {runs[-1]['detail']}",
              flush=True)  # fmt: skip
    for name, ms in rejoin_in_server(db, meta).items():
        print(f"rejoin {name} in a running server: {ms:.1f} ms median", flush=True)


if __name__ == "__main__":
    main()

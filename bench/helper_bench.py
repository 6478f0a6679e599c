"""Cost of the helper's use case on top of what it wraps, on a temporary SQLite database.

* request (load + chord extraction + engine + store) against the bare engine call on the
  same 32 chords;
* accept (build ops + one submit) against a plain ``EditLog.submit`` of ops of the
  same size;
* revert (history planning + submit) and provenance (blame) on a log of N human edits,
  against loading the score (snapshot + tail replay).

    .venv/bin/python -m bench.helper_bench                 # writes docs/benchmarks/helper.md
    .venv/bin/python -m bench.helper_bench --repeats 3 --edits 500 --no-write
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from server.editing import EditLog
from server.persistence import Database, init_db
from server.score.model import new_document
from server.suggestions import HelperService
from server.voicing import suggest
from tests.support.records import records

SATB = [{"name": n} for n in ("Soprano", "Alto", "Tenor", "Bass")]
PARTS = {"soprano": "p1", "alto": "p2", "tenor": "p3", "bass": "p4"}
CYCLE = ["C", "Am", "F", "G7", "Em", "A7", "Dm", "G7"]
REPORT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks" / "helper.md"


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return 1000.0 * statistics.median(times)


def make_score(service: EditLog, owner: int, measures: int) -> str:
    score = service.create_score(owner, "Bench", new_document(parts=SATB, measures=measures))
    ops = []
    for i in range(measures):
        for half, offset in enumerate(("0", "1/2")):
            symbol = CYCLE[(2 * i + half) % len(CYCLE)]
            ops.append({"op": "set_chord_symbol", "part": "p1", "measure": f"m{i + 1}",
                        "offset": offset, "symbol": symbol, "id": f"hs{i}x{half}"})  # fmt: skip
    service.submit(score, owner, ops)
    return score


def human_edits(service: EditLog, score: str, owner: int, count: int, measures: int) -> None:
    """``count`` one-note edits by a person in the alto part (after the helper's passage)."""
    for i in range(count):
        measure = f"m{measures + 1 + i % 8}"
        note = {"id": f"bn{i}", "step": "CDEFGAB"[i % 7], "alter": 0, "octave": 4}
        event = {"id": f"be{i}", "dur": {"type": 4}, "notes": [note]}
        service.submit(score, owner, [{"op": "write_event", "part": "p2", "measure": measure,
                                       "offset": f"{i % 4}/4", "event": event}])  # fmt: skip


def run(repeats: int, edits: int) -> list[tuple[str, float, str, float]]:
    rows: list[tuple[str, float, str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        init_db(url)
        service = EditLog(Database(url))
        helper = HelperService.over(service, records(service))
        owner = records(service).users.create_user("bench", "h")
        helper.set_opt_in(owner, True)
        chords = 32
        score = make_score(service, owner, chords // 2 + 8)
        helper.set_score_enabled(score, owner, True)
        request = {"target": "satb", "first": "m1", "last": f"m{chords // 2}", "parts": PARTS,
                   "k": 3}  # fmt: skip
        progression = [CYCLE[i % len(CYCLE)] for i in range(chords)]
        suggest(progression, target="satb", k=3)  # warm the symbol and candidate caches
        engine = median_ms(lambda: suggest(progression, target="satb", k=3), repeats)
        asked = median_ms(lambda: helper.request(score, owner, request), repeats)
        rows.append(("request, 32 chords SATB k=3", asked, "engine alone", engine))

        pending = [s["id"] for s in helper.list_suggestions(score, owner, "pending")]
        accept_times, submit_times = [], []
        for i in range(repeats):
            started = time.perf_counter()
            _, edit = helper.accept(score, pending[i], owner, 0)
            accept_times.append(time.perf_counter() - started)
            plain = [{**op, "event": {**op["event"], "id": f"p{i}{op['event']['id']}", "notes": [
                {**n, "id": f"p{i}{n['id']}"} for n in op["event"]["notes"]]}}
                for op in edit.ops]  # fmt: skip
            started = time.perf_counter()
            service.submit(score, owner, plain)
            submit_times.append(time.perf_counter() - started)
        rows.append(("accept (128 notes, one edit)", 1000 * statistics.median(accept_times),
                     "plain submit, same ops", 1000 * statistics.median(submit_times)))  # fmt: skip

        human_edits(service, score, owner, edits, chords // 2)
        last = helper.request(score, owner, request)
        helper.accept(score, last["id"], owner, 0)
        fresh = HelperService.over(service, records(service))
        service.forget_cache(score)
        load = median_ms(lambda: (service.forget_cache(score), service.load(score)), repeats)
        cold = median_ms(
            lambda: HelperService.over(service, records(service)).provenance(score, owner), 1
        )
        fresh.provenance(score, owner)
        warm = median_ms(lambda: fresh.provenance(score, owner), repeats)
        head = service.head_seq(score)
        rows.append((f"provenance, first call ({head} edits)", cold, "load the score", load))
        rows.append(("provenance, warm", warm, "load the score", load))
        started = time.perf_counter()
        fresh.revert(score, last["id"], owner)
        rows.append(("revert (plan + submit), warm view", 1000 * (time.perf_counter() - started),
                     "load the score", load))  # fmt: skip
        service.db.dispose()
    return rows


def report(rows: list[tuple[str, float, str, float]], repeats: int) -> str:
    lines = [
        "# Voicing helper in the score (`bench/helper_bench.py`)",
        "",
        f"Medians of {repeats} runs on a temporary SQLite file, measured in one run with "
        "their baselines (2-core machine shared with other work, so read the ratios).",
        "",
        "| action | ms | baseline | ms | ratio |",
        "|---|---:|---|---:|---:|",
    ]
    for name, ms, base, base_ms in rows:
        lines.append(f"| {name} | {ms:.1f} | {base} | {base_ms:.1f} | {ms / base_ms:.2f}× |")
    lines += [
        "",
        "The use case adds little to the engine and to `submit`. Provenance's first call per "
        "score and process builds a `HistoryView` (blame over the whole log); later calls only "
        "feed it the new edits. A revert plans over the edits from the accepted one on; most "
        "of its time is the score model checking every op's new IDs against the whole "
        "document (`require_unused` -> `all_ids`, once per op: 128 `write_event`s here), "
        "while unwinding and re-applying the accepted edit.",
        "",
        "Run: `.venv/bin/python -m bench.helper_bench [--repeats N] [--edits N]`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    text = report(run(args.repeats, args.edits), args.repeats)
    print(text)
    if not args.no_write:
        REPORT.write_text(text)
        print(f"wrote {REPORT}")


if __name__ == "__main__":
    main()


__all__: list[Any] = ["main", "run"]

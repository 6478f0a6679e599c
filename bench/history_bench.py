"""History benchmark: blame over a long log (incremental per edit vs. whole-document diffs),
blame queries and checkpoints, versions, descriptions and selective revert.

Run: ``.venv/bin/python -m bench.history_bench`` (``--edits 100000`` by default; ``--quick``
for a smoke run). The baseline is plain ``apply_edit`` replay of the same log in the same
run. Writes ``docs/benchmarks/history.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from server.history.blame import Blame, brute_force_blame
from server.history.describe import describe_edit
from server.history.revert import plan_revert
from server.history.view import HistoryView
from server.score import apply_edit, clone, new_document
from server.score.model import Doc

REPO = Path(__file__).resolve().parent.parent
PARTS = ["p1", "p2", "p3", "p4"]
MEASURES = 32
AUTHORS = [(1, "Ana"), (2, "Ben"), (3, "Chloe")]


@dataclass
class Record:
    seq: int
    author_id: Any
    author_name: str
    ops: list[dict[str, Any]]
    inverse: list[dict[str, Any]]
    skipped: list[Any]
    origin: str = "human"
    meta: dict[str, Any] = field(default_factory=dict)
    created_at: datetime = datetime(2026, 1, 1, tzinfo=UTC)


def make_op(rng: random.Random, k: int, recent: list[tuple[str, str]]) -> dict[str, Any]:
    """Note entry, pitch fixes, lyrics, chord symbols, dynamics: a typical editing mix."""
    roll = rng.random()
    part, measure = rng.choice(PARTS), f"m{rng.randint(1, MEASURES)}"
    pitch = {"step": rng.choice("CDEFGAB"), "alter": 0, "octave": rng.randint(3, 5)}
    if roll < 0.5 or not recent:
        event_id, note_id = f"e{k}", f"n{k}"
        recent.append((event_id, note_id))
        del recent[:-200]
        offset = f"{rng.randrange(4)}/4"
        event = {"id": event_id, "dur": {"type": 4}, "notes": [{"id": note_id, **pitch}]}
        return {
            "op": "write_event",
            "part": part,
            "measure": measure,
            "offset": offset,
            "event": event,
        }
    event_id, note_id = rng.choice(recent)
    if roll < 0.75:
        return {"op": "set_pitch", "note": note_id, **pitch}
    if roll < 0.85:
        return {"op": "set_lyric", "event": event_id, "verse": 1, "text": rng.choice(["la", "lo"])}
    if roll < 0.95:
        return {
            "op": "set_chord_symbol",
            "part": part,
            "measure": measure,
            "offset": "0",
            "id": f"h{k}",
            "symbol": rng.choice(["C", "G7", "Am", "F"]),
        }
    return {
        "op": "set_dynamic",
        "part": part,
        "measure": measure,
        "offset": "0",
        "id": f"d{k}",
        "mark": rng.choice(["p", "mf", "f"]),
    }


def make_log(count: int, seed: int = 7) -> tuple[Doc, list[Record], Doc]:
    rng = random.Random(seed)
    initial = new_document(parts=[{"name": n} for n in ("S", "A", "T", "B")], measures=MEASURES)
    doc = clone(initial)
    edits: list[Record] = []
    recent: list[tuple[str, str]] = []
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for k in range(1, count + 1):
        ops = [make_op(rng, k, recent)]
        result = apply_edit(doc, ops)
        author = rng.choice(AUTHORS)
        origin = "helper" if rng.random() < 0.1 else "human"
        meta = {"accepted_by": author[1], "suggestion_id": k} if origin == "helper" else {}
        edits.append(
            Record(
                k,
                author[0],
                author[1],
                ops,
                result.inverse,
                [s["index"] for s in result.skipped],
                origin,
                meta,
                t0 + timedelta(seconds=k * 3),
            )
        )
    return initial, edits, doc


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median wall time in seconds over ``repeats`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def replay_plain(initial: Doc, edits: list[Record]) -> Doc:
    doc = clone(initial)
    for edit in edits:
        apply_edit(doc, edit.ops)
    return doc


def replay_blame(initial: Doc, edits: list[Record]) -> Blame:
    doc = clone(initial)
    blame = Blame.start(doc)
    for edit in edits:
        blame.replay(doc, edit)
    return blame


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each whole-log replay")
    parser.add_argument("--quick", action="store_true", help="2,000 edits, one repeat")
    parser.add_argument("--out", default=str(REPO / "docs" / "benchmarks" / "history.md"))
    args = parser.parse_args(argv)
    count, repeats = (2000, 1) if args.quick else (args.edits, args.repeats)
    rows: list[tuple[str, str]] = []

    def report(name: str, value: str) -> None:
        rows.append((name, value))
        print(f"{name}: {value}", flush=True)

    initial, edits, final = make_log(count)
    report("log", f"{count} edits on a 4-part, {MEASURES}-measure score")

    base, _ = timed(lambda: replay_plain(initial, edits), repeats)
    report("baseline: plain apply_edit replay", f"{base:.2f} s ({base / count * 1e6:.0f} µs/edit)")
    full, blame = timed(lambda: replay_blame(initial, edits), repeats)
    report(
        "replay + incremental blame",
        f"{full:.2f} s ({full / count * 1e6:.0f} µs/edit; blame adds "
        f"{(full - base) / count * 1e6:.0f} µs/edit, ratio {full / base:.2f}× the baseline)",
    )
    sample = edits[: min(count, 2000)]
    brute, _ = timed(lambda: brute_force_blame(initial, sample), 1)
    inc_sample, _ = timed(lambda: replay_blame(initial, sample), 1)
    report(
        f"brute force (whole-document diff per edit), first {len(sample)} edits",
        f"{brute:.2f} s vs incremental {inc_sample:.2f} s (ratio {brute / inc_sample:.1f}×)",
    )

    notes = [e.id for e in blame.of_kind("note")]
    q_colours, colours = timed(blame.colours, 7)
    report(
        "query: authorship colours (all elements)",
        f"{q_colours * 1e3:.2f} ms for {len(colours)} elements",
    )
    q_lookup, _ = timed(lambda: [blame.get(n) for n in notes], 7)
    report(
        "query: blame of every note, one by one", f"{q_lookup * 1e3:.2f} ms for {len(notes)} notes"
    )
    q_save, raw = timed(lambda: json.dumps(blame.to_json()), 3)
    report("checkpoint: blame to JSON", f"{q_save * 1e3:.1f} ms ({len(raw) / 1e6:.1f} MB)")
    q_load, _ = timed(lambda: Blame.from_json(json.loads(raw), final), 3)
    report("checkpoint: blame from JSON + document", f"{q_load * 1e3:.1f} ms")

    q_view, view = timed(lambda: HistoryView(initial, edits, checkpoint_every=500), 1)
    report(
        "HistoryView over the whole log (replay, blame, descriptions)",
        f"{q_view:.2f} s (ratio {q_view / base:.2f}× the baseline)",
    )
    rng = random.Random(1)
    picks = [rng.randint(1, count) for _ in range(9)]
    q_doc, _ = timed(lambda: view.doc_at(picks.pop() if picks else count // 2), 9)
    report("doc_at(random seq), checkpoints every 500", f"{q_doc * 1e3:.1f} ms median")
    q_entries, entries = timed(lambda: view.entries(), 3)
    report(
        "entries() over the whole log", f"{q_entries * 1e3:.0f} ms ({len(entries)} grouped entries)"
    )
    q_page, page = timed(lambda: view.entries(limit=50), 9)
    report("entries(limit=50): the newest page", f"{q_page * 1e3:.1f} ms ({len(page)} entries)")
    q_state, state = timed(lambda: json.dumps(view.state()), 1)
    report(
        "HistoryView.state() as JSON (to resume without replay)",
        f"{q_state * 1e3:.0f} ms ({len(state) / 1e6:.1f} MB)",
    )
    q_resume, _ = timed(lambda: HistoryView.resume(json.loads(state), final, edits), 1)
    report(
        "HistoryView.resume from that state",
        f"{q_resume * 1e3:.0f} ms (vs {q_view:.1f} s to build by replay)",
    )
    q_desc, _ = timed(lambda: describe_edit(edits[-1], final), 9)
    report("describe one edit (no index)", f"{q_desc * 1e6:.0f} µs")
    for back in (10, 1000):
        target = count - back
        q_rev, plan = timed(lambda t=target: plan_revert(final, edits, [t]), 3)
        report(
            f"plan_revert of the edit {back} edits ago",
            f"{q_rev * 1e3:.1f} ms ({len(plan.ops)} ops, {len(plan.conflicts)} conflicts)",
        )
    helper = [e.seq for e in edits[-1000:] if e.origin == "helper"]
    q_rev, plan = timed(lambda: plan_revert(final, edits, helper), 1)
    report(
        f"plan_revert of the {len(helper)} helper edits among the last 1000",
        f"{q_rev * 1e3:.0f} ms ({len(plan.ops)} ops, {len(plan.conflicts)} messages)",
    )
    q_diff, diff = timed(lambda: view.diff(count // 2), 3)
    report(
        "musical diff, middle version vs now",
        f"{q_diff * 1e3:.0f} ms ({len(diff.entries)} entries)",
    )

    machine = (
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}"
    )
    lines = [
        "# History benchmark",
        "",
        f"`.venv/bin/python -m bench.history_bench{' '.join([''] + (argv or sys.argv[1:]))}` "
        f"({machine}; whole-log replays: median of {repeats} run(s); queries: medians of 3-9",
        "runs; the 2-core machine was shared with other jobs (load ~10), so absolute times",
        "are inflated — compare the ratios, measured in the same run).",
        "",
        "| measure | result |",
        "|---|---|",
        *[f"| {name} | {value} |" for name, value in rows],
        "",
    ]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Keep the product section written by bench.history_api_bench (history engineer's hook).
    kept = out.read_text(encoding="utf-8") if out.exists() else ""
    if "<!-- product: begin -->" in kept:
        lines += ["", "<!-- product: begin -->" + kept.split("<!-- product: begin -->", 1)[1]]
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""History in the product: what a history request costs through ``HistoryService`` (the use
case behind ``/api/scores/<id>/blame``, ``/doc?at=``, ``/versions/<seq>/export``) on a log
committed through the real ``EditLog`` (SQLite), against the naive way (replay the
whole log from seq 0) measured in the same run.

Also the first request of a new process when a checkpoint is stored (``HistoryView.resume``
from ``history_checkpoints``) against the replay, and how long the event loop goes without
a pause while a checkpoint is saved or resumed.

Run: ``.venv/bin/python -m bench.history_api_bench`` (``--edits 100000`` by default; ``--quick``
for 2,000). Reuses the log generator and timers of ``bench.history_bench``. Writes its section
of ``docs/benchmarks/history.md`` (between the ``product`` markers; the rest is kept).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

from server.editing import EditLog
from server.history.blame import Blame
from server.history_service import HistoryService, HistoryViews
from server.persistence import Database, checkpoints, init_db
from server.score import apply_edit
from tests.support.records import records

from .history_bench import REPO, make_log, timed

BEGIN, END = "<!-- product: begin -->", "<!-- product: end -->"


def commit_log(service: EditLog, count: int) -> tuple[str, int]:
    """A score whose log holds ``count`` edits by three people (generated, then submitted)."""
    initial, log_records, _ = make_log(count)
    users: dict[int, int] = {}
    for r in log_records:
        if r.author_id not in users:
            users[r.author_id] = records(service).users.create_user(
                f"bench{r.author_id}", "x", r.author_name
            )
    owner = next(iter(users.values()))
    score = service.create_score(owner, "Bench", initial)
    for uid in users.values():
        if uid != owner:
            records(service).members.set_member(score, uid, "editor")
    for r in log_records:
        service.submit(score, users[r.author_id], r.ops, origin=r.origin, meta=r.meta)
    return score, owner


def naive_blame(service: EditLog, score: str) -> Blame:
    """The baseline: read the log and replay it all with blame, as with no cache."""
    doc = service.doc_at(score, 0)
    blame = Blame.start(doc)
    for edit in service.edits(score):
        blame.replay(doc, edit)
    return blame


def naive_doc(service: EditLog, score: str, seq: int) -> str:
    """The baseline: the document at ``seq`` by replaying the log from seq 0."""
    doc = service.doc_at(score, 0)
    for edit in service.edits(score, to_seq=seq):
        apply_edit(doc, edit.ops)
    return json.dumps(doc)


class Gaps:
    """The longest time between two calls of ``pause`` (what an event loop would wait)."""

    def __init__(self) -> None:
        self.start()

    def start(self) -> None:
        self.last = time.perf_counter()
        self.longest = 0.0

    def pause(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now


def write_section(path: Path, lines: list[str]) -> None:
    """Replace (or append) the product section of ``path``, keeping everything else."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# History benchmark\n"
    block = "\n".join([BEGIN, *lines, END])
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="2,000 edits")
    parser.add_argument("--out", default=str(REPO / "docs" / "benchmarks" / "history.md"))
    args = parser.parse_args(argv)
    count = 2000 if args.quick else args.edits
    rows: list[tuple[str, str]] = []

    def report(name: str, value: str) -> None:
        rows.append((name, value))
        print(f"{name}: {value}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        init_db(url)
        service = EditLog(Database(url))
        started = time.perf_counter()
        score, user = commit_log(service, count)
        spent = time.perf_counter() - started
        report("log", f"{count} edits committed through EditLog (SQLite) in {spent:.0f} s")
        gaps = Gaps()
        history = HistoryService.over(
            service,
            records(service),
            HistoryViews(service, records(service).checkpoints, pause=gaps.pause),
        )

        gaps.start()
        first, _ = timed(lambda: history.views.get(score), 1)
        report(
            "first request, no checkpoint: replay the log into a HistoryView, store a checkpoint",
            f"{first:.1f} s (longest stretch without a pause {gaps.longest * 1e3:.0f} ms)",
        )
        view = history.views.get(score)
        t_state, state = timed(view.state, 3)
        found = records(service).checkpoints.latest_history_checkpoint(score)
        assert found is not None
        gaps.start()
        t_save, _ = timed(
            lambda: records(service).checkpoints.save_history_checkpoint(
                score, *found, pause=gaps.pause
            ),
            3,
        )
        size = len(checkpoints.encode(found[1]))
        plain = len(json.dumps(found[1], separators=(",", ":")).encode())
        report(
            "storing a checkpoint (view.state(); then encode + write)",
            f"{t_state * 1e3:.0f} ms + {t_save * 1e3:.0f} ms; {size / 1e3:.0f} KB zlib "
            f"(JSON {plain / 1e3:.0f} KB, {plain / size:.0f}× larger)",
        )
        fresh_service = EditLog(Database(url))
        fresh = HistoryService.over(
            fresh_service,
            records(fresh_service),
            HistoryViews(fresh_service, records(fresh_service).checkpoints, pause=gaps.pause),
        )
        gaps.start()
        resumed, _ = timed(lambda: fresh.views.get(score), 1)
        assert fresh.views.resumed_from(score) == count
        report(
            "first request of a new process with a stored checkpoint (resume)",
            f"{resumed:.1f} s, {first / resumed:.0f}× faster than the replay (longest stretch "
            f"without a pause {gaps.longest * 1e3:.0f} ms)",
        )
        rng = random.Random(4)
        q_resumed, _ = timed(lambda: fresh.doc_at(score, user, rng.randint(1, count)), 9)
        report("GET /doc?at=<random seq> on the resumed view", f"{q_resumed * 1e3:.1f} ms median")
        fresh_service.db.dispose()

        q_blame, body = timed(lambda: json.dumps(history.blame(score, user)), 9)
        elements = len(json.loads(body)["elements"])
        base_blame, _ = timed(lambda: naive_blame(service, score), 1)
        report(
            "blame of the whole score (GET /blame: elements + colours, JSON)",
            f"{q_blame * 1e3:.1f} ms median for {elements} elements; naive replay "
            f"{base_blame:.1f} s (ratio {base_blame / q_blame:.0f}×)",
        )
        notes = list(history.views.get(score).blame().live)[:200]
        q_one, _ = timed(lambda: history.blame_of(score, user, random.choice(notes)), 9)
        report("blame of one element (GET /blame/<id>)", f"{q_one * 1e3:.2f} ms median")

        rng = random.Random(3)
        seqs = [rng.randint(1, count) for _ in range(9)]
        picks = list(seqs)
        q_doc, _ = timed(lambda: json.dumps(history.doc_at(score, user, picks.pop())[0]), 9)
        mid = count // 2
        base_doc, _ = timed(lambda: naive_doc(service, score, mid), 1)
        report(
            "a version's engraving input (GET /doc?at=<random seq>: doc_at + JSON)",
            f"{q_doc * 1e3:.1f} ms median; naive replay to seq {mid}: {base_doc:.1f} s "
            f"(ratio {base_doc / q_doc:.0f}×)",
        )
        from server.formats import export_score

        export_score(history.doc_at(score, user, 1)[0], "musicxml")  # music21 import, once
        picks = list(seqs)
        q_xml, xml = timed(
            lambda: export_score(history.doc_at(score, user, picks.pop())[0], "musicxml"), 5
        )
        report(
            "a version as MusicXML (GET /versions/<seq>/export)",
            f"{q_xml * 1e3:.0f} ms median ({len(xml) // 1024} KB)",
        )

        ops = [{"op": "set_meta", "title": "Bench 2"}]
        service.submit(score, user, ops)
        q_next, _ = timed(lambda: history.blame(score, user), 1)
        report(
            "blame right after one more edit (view advanced by one edit)", f"{q_next * 1e3:.1f} ms"
        )
        service.db.dispose()

    machine = (
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}"
    )
    lines = [
        "## In the product: HistoryService over the real log",
        "",
        f"`.venv/bin/python -m bench.history_api_bench{' --quick' if args.quick else ''}` "
        f"({machine}; medians of 5-9 requests, baselines once; shared 2-core machine, so",
        "compare the ratios). Target: blame and a version's engraving input < 200 ms each.",
        "",
        "| measure | result |",
        "|---|---|",
        *[f"| {name} | {value} |" for name, value in rows],
        "",
        "Each process builds a score's view once, on the first history request, and then only",
        "feeds it new edits. With no stored checkpoint it replays the log (sockets keep being",
        "served meanwhile) and stores one; a later process resumes from it (`history_checkpoints`,",
        "docs/history.md). Most of a resume is reading and parsing the log's edits, which the",
        "view keeps (a replay reads them too); the longest stretch without a pause is",
        "`HistoryView.resume` itself, which runs in one go. Storing runs `view.state()` in one",
        "go too (the first figure), once per 1,000 edits. The MusicXML export is music21's",
        "time, not the history's.",
    ]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_section(out, lines)
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()

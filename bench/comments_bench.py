"""Listing a score's comment threads and writing one, on a 500-measure x 4-part score
with 200 threads (half on notes, half on measure ranges): the service (anchors located
on the cached head itself, one index per listing) against the baseline of a copied head
(``EditLog.load``) with every anchor located on its own (``locate``: an index per anchor).

Run: ``.venv/bin/python -m bench.comments_bench [--threads 200] [--rounds 20]``; prints
a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable

os.environ.setdefault("TUTTI_LOG_KEY", secrets.token_hex(32))

from server.comments import CommentService, locate  # noqa: E402
from server.editing import EditLog  # noqa: E402
from server.persistence import Database, Repositories, init_db  # noqa: E402
from server.score.model import new_document  # noqa: E402


def _median_ms(run: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.sqlite3"
        init_db(url)
        db = Database(url)
        repos = Repositories.over(db)
        log = EditLog(db)
        ana = repos.users.create_user("ana", "x")
        doc = new_document(parts=[{"name": f"P{i}"} for i in range(4)], measures=500)
        score = log.create_score(ana, "Big", doc)
        notes = [
            {
                "op": "write_event", "part": "p1", "measure": f"m{i + 1}", "offset": "0",
                "event": {"id": f"e{i}", "dur": {"type": 4},
                          "notes": [{"id": f"e{i}n", "step": "C", "octave": 4}]},
            }
            for i in range(args.threads // 2)
        ]  # fmt: skip
        log.submit(score, ana, notes)
        service = CommentService.over(log, repos)
        for i in range(args.threads):
            anchor = (
                {"kind": "event", "event": f"e{i // 2}"}
                if i % 2 == 0
                else {"kind": "measures", "first": f"m{i + 1}", "last": f"m{i + 4}"}
            )
            service.create(score, ana, {"body": f"comment {i}", "anchor": anchor})
        anchors = [row["anchor"] for row in repos.comments.of_score(score)]

        def baseline() -> object:
            head, _ = log.load(score)
            repos.comments.of_score(score)
            return [locate(a, head) for a in anchors]

        listing = _median_ms(lambda: service.threads(score, ana), args.rounds)
        base = _median_ms(baseline, args.rounds)
        counter = iter(range(10**6))
        create = _median_ms(
            lambda: service.create(
                score,
                ana,
                {"body": f"more {next(counter)}", "anchor": {"kind": "event", "event": "e3"}},
            ),
            args.rounds,
        )
        print(f"| what ({args.threads} threads, 500 x 4 score) | median |")
        print("|---|---|")
        print(f"| list every thread (service) | {listing:.1f} ms |")
        print(f"| baseline: copied head + one locate per anchor | {base:.1f} ms |")
        print(f"| ratio | {listing / base:.2f} |")
        print(f"| write one comment on a note (service) | {create:.1f} ms |")
        db.dispose()


if __name__ == "__main__":
    main()

"""Per-edit latency of ``EditLog.submit`` in-process on SQLite: the p50 of N one-op
edits to one warm score (no sockets, no other writer), plus the keyed log's own share
(the HMACs of an edit: its keyed hash and the new signed head; the check of the stored
head is skipped when this process signed it). For before/after comparisons of the submit path.

Run: ``.venv/bin/python -m bench.submit_latency [--edits 2000] [--rounds 5]``. To compare
two revisions, run it with ``PYTHONPATH`` at a checkout of each, alternating rounds.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
import timeit
from datetime import UTC, datetime

# Set before the service reads it: no key file is written into instance/.
os.environ.setdefault("TUTTI_LOG_KEY", secrets.token_hex(32))

from server.editing import EditLog  # noqa: E402
from server.persistence import GENESIS_HASH, Database, Repositories, init_db  # noqa: E402


def submit_p50_ms(edits: int) -> float:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.sqlite3"
        init_db(url)
        service = EditLog(Database(url))
        author = Repositories.over(service.db).users.create_user("bench", "h")
        score = service.create_score(author, "Bench")
        service.submit(score, author, [{"op": "set_meta", "title": "warm"}])
        times = []
        for k in range(edits):
            ops = [{"op": "set_tempo", "measure": "m1", "tempo": 60 + k % 50}]
            start = time.perf_counter()
            service.submit(score, author, ops, client_id="bench", client_seq=k)
            times.append(time.perf_counter() - start)
        service.db.dispose()
        return statistics.median(times) * 1000


def signing_us() -> float | None:
    """The HMACs of one edit (its keyed hash and the new head), if keyed."""
    try:
        from server.persistence import LogSigner
    except ImportError:  # a revision from before the keyed log
        return None
    signer = LogSigner(os.environ["TUTTI_LOG_KEY"].encode())
    row = {"score_id": "s", "seq": 5, "author_id": 1, "client_id": "c", "client_seq": 5,
           "ops": [{"op": "set_tempo", "measure": "m1", "tempo": 90}],
           "inverse": [{"op": "set_tempo", "measure": "m1", "tempo": 80}], "skipped": [],
           "origin": "human", "meta": {}, "created_at": datetime.now(UTC)}  # fmt: skip

    def one_edit() -> None:
        signer.head("s", 5, signer.edit_hash(GENESIS_HASH, row), 1)

    n = 20_000
    return timeit.timeit(one_edit, number=n) / n * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.submit_latency")
    parser.add_argument("--edits", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    p50s = [submit_p50_ms(args.edits) for _ in range(args.rounds)]
    print(f"submit p50 per round (ms): {' '.join(f'{p:.3f}' for p in p50s)}")
    print(f"median of rounds: {statistics.median(p50s):.3f} ms")
    share = signing_us()
    if share is not None:
        print(f"keyed log HMACs per edit: {share:.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())

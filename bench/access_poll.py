"""The revocation poll's cost: what each process does every ``TUTTI_SYNC_ROLE_RECHECK_S``
(1 s) when nothing changed — one read of the joined scores' access versions — against
the role read the old per-connection recheck ran for every joined connection.

``python -m bench.access_poll`` (prints only; SQLite, and PostgreSQL when reachable).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from server.editing import EditLog
from server.persistence import Database, Repositories, init_db

SIZES = (1, 100, 1000)
ROUNDS = 30


def measure(url: str, label: str) -> None:
    db = Database(url)
    log = EditLog(db)
    repos = Repositories.over(db)
    owner = repos.users.create_user(f"bench{time.monotonic_ns()}", "x")
    scores = [log.create_score(owner) for _ in range(max(SIZES))]
    for size in SIZES:
        joined = scores[:size]
        poll, roles = [], []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            repos.access.of(joined)
            poll.append(time.perf_counter() - started)
            started = time.perf_counter()
            for score in joined:
                repos.members.role_of(score, owner)
            roles.append(time.perf_counter() - started)
        p, r = statistics.median(poll) * 1e3, statistics.median(roles) * 1e3
        print(
            f"{label}: {size:5d} joined scores: poll {p:7.2f} ms, "
            f"a role read per connection {r:8.2f} ms ({r / p:5.1f}x)"
        )
    db.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'poll.sqlite3'}"
        init_db(url)
        measure(url, "SQLite")
    try:
        from server.persistence.scratch import scratch_database

        with scratch_database(
            "postgresql+psycopg2://root@127.0.0.1:5432/test", "tutti_bench"
        ) as pg:
            measure(pg, "PostgreSQL")
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: SQLite only
        print(f"PostgreSQL skipped: {exc}")


if __name__ == "__main__":
    main()

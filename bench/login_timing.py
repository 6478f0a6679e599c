"""Log-in timing of an unknown name against a known name with a wrong password, with the
production hash (scrypt), through the real app in-process: the medians should match
(the unknown name is checked against a dummy hash, docs/security.md). The baseline is
what an unknown name cost before the dummy hash: the user look-up alone.

Run: ``.venv/bin/python -m bench.login_timing [--attempts 20]``; prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TUTTI_LOG_KEY", secrets.token_hex(32))

from server.extensions import get_users  # noqa: E402
from server.persistence import init_db  # noqa: E402
from tests.support.inprocess import InProcessApp  # noqa: E402


def measure(attempts: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.sqlite3"
        init_db(url)
        tutti = InProcessApp(url, password_method="scrypt", signup_limit=1000)
        try:
            names = [f"known{i}" for i in range(attempts // 8 + 1)]
            for name in names:
                tutti.signup(name)
            times: dict[str, list[float]] = {"known": [], "unknown": [], "lookup": []}
            for i in range(attempts):
                client = tutti.browser()
                client.environ_base["REMOTE_ADDR"] = f"10.{i // 250}.{i % 250}.1"
                for kind, name in (("known", names[i % len(names)]), ("unknown", f"nobody{i}")):
                    started = time.perf_counter()
                    response = client.post("/api/login", json={"name": name, "password": "x-wrong"})
                    times[kind].append(time.perf_counter() - started)
                    assert response.status_code == 401, response.get_data(as_text=True)
                with tutti.app.app_context():
                    started = time.perf_counter()
                    get_users(tutti.app).user_by_name(f"nobody{i}")
                    times["lookup"].append(time.perf_counter() - started)
            return times
        finally:
            tutti.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attempts", type=int, default=20)
    args = parser.parse_args(argv)
    times = measure(args.attempts)
    known, unknown = (statistics.median(times[k]) * 1000 for k in ("known", "unknown"))
    lookup = statistics.median(times["lookup"]) * 1000
    print("| attempts each | known, wrong password | unknown name | ratio | look-up alone |")
    print("|---|---|---|---|---|")
    print(
        f"| {args.attempts} | {known:.1f} ms | {unknown:.1f} ms | {unknown / known:.2f} | "
        f"{lookup:.2f} ms |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run every benchmark in turn; each writes its own report under docs/benchmarks/.

Run: ``.venv/bin/python -m bench.run_all`` (``--quick`` passes ``--quick`` to the
benchmarks that support a smoke run). Benchmarks run one at a time because the
machines are small and shared: parallel runs would measure each other.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

BENCHMARKS = [
    "bench.log_bench",
    "bench.sync_bench",
    "bench.history_bench",
    "bench.history_api_bench",
    "bench.helper_bench",
    "bench.formats_bench",
    "bench.voicing_speed",
    "bench.voicing_eval",
    "bench.browser_bench",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke-run sizes")
    parser.add_argument("only", nargs="*", help="benchmark modules to run (default: all)")
    args = parser.parse_args(argv)
    failures = 0
    for module in args.only or BENCHMARKS:
        command = [sys.executable, "-m", module] + (["--quick"] if args.quick else [])
        started = time.monotonic()
        print(f"== {' '.join(command)}", flush=True)
        code = subprocess.call(command)
        print(f"== {module}: exit {code} after {time.monotonic() - started:.0f} s", flush=True)
        failures += code != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

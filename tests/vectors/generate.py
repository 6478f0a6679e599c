"""Generate the shared score-op vectors (tests/vectors/*.json) that Python and JS both replay.

Each case holds a start document, a list of edits (lists of ops) and what the Python
reference did with them: the final document, each edit's inverse, skipped ops and errors.
Run ``.venv/bin/python tests/vectors/generate.py``; imports only ``server.score`` and the
case modules beside it (``hand/``, ``random_cases.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from server.score import ScoreError, apply_edit, clone  # noqa: E402
from tests.vectors import random_cases as random_cases_module  # noqa: E402
from tests.vectors.hand import hand_cases  # noqa: E402
from tests.vectors.random_cases import random_cases  # noqa: E402

HERE = Path(__file__).resolve().parent
FILES = {"hand.json": hand_cases, "random.json": random_cases}


def run_case(name: str, start: dict[str, Any], edits: list[Any]) -> dict[str, Any]:
    """Apply ``edits`` in order to a copy of ``start`` and record what happened."""
    doc = clone(start)
    inverses: list[Any] = []
    skipped: list[Any] = []
    errors: list[Any] = []
    for ops in edits:
        try:
            result = apply_edit(doc, clone(ops))
        except ScoreError as exc:
            inverses.append(None)
            skipped.append([])
            errors.append({"code": exc.code, "op_index": exc.op_index, "message": exc.message})
            continue
        inverses.append(clone(result.inverse))
        skipped.append(result.skipped)
        errors.append(None)
    return {
        "name": name,
        "start": start,
        "edits": edits,
        "expected": doc,
        "inverses": inverses,
        "skipped": skipped,
        "errors": errors,
    }


def dump(cases: list[dict[str, Any]]) -> str:
    """One case per line: small diffs when a single case changes."""
    lines = [json.dumps(case, separators=(",", ":"), sort_keys=True) for case in cases]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def build(name: str) -> list[dict[str, Any]]:
    return [run_case(*spec) for spec in FILES[name]()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE, help="where to write the JSON files")
    parser.add_argument(
        "--random", type=int, metavar="N", help="only random.json, with N cases (a long fuzz)"
    )
    parser.add_argument("--seed", type=int, default=random_cases_module.SEED)
    parser.add_argument("--mutation", type=float, default=0.08, help="share of mutated edits")
    parser.add_argument(
        "--adversarial", type=float, default=0.03, help="share of new ids that mimic fillers"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.random is None:
        outputs = {name: build(name) for name in FILES}
    else:
        specs = random_cases(args.random, args.seed, args.mutation, args.adversarial)
        outputs = {"random.json": [run_case(*spec) for spec in specs]}
    for name, cases in outputs.items():
        text = dump(cases)
        (args.out / name).write_text(text, encoding="utf-8")
        print(f"{name}: {len(cases)} cases, {len(text) / 1e6:.2f} MB")
    if random_cases_module.UNSOUND:
        names = [c[0] for c in random_cases_module.UNSOUND]
        print(f"left out {len(names)} random cases where server/score broke its contract: {names}")


if __name__ == "__main__":
    main()

"""Generate the shared score-op vectors (tests/vectors/*.json) that Python and JS both replay.

Each case holds a start document, a list of edits (lists of ops) and what the Python
reference did with them: the final document, each edit's inverse, skipped ops and errors.
Run ``.venv/bin/python tests/vectors/generate.py``; imports only ``server.score``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from server.score import ScoreError, apply_edit, clone  # noqa: E402
from tests.vectors.hand_cases import hand_cases  # noqa: E402
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


def main() -> None:
    for name in FILES:
        cases = build(name)
        text = dump(cases)
        (HERE / name).write_text(text, encoding="utf-8")
        print(f"{name}: {len(cases)} cases, {len(text) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()

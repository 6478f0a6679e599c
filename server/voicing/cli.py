"""``tutti voicing``: read a progression from JSON, print k suggestions as JSON.

Thin shell over ``server.voicing.suggest``: argument parsing, file reading, JSON out;
errors become a JSON object on stderr and exit code 2. Imports nothing outside voicing.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .engine import TARGETS, suggest
from .errors import VoicingError

EXIT_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tutti voicing",
        description="Suggest voicings for a chord progression (SATB, piano or guitar).",
    )
    parser.add_argument("input", help='JSON file: {"chords": [{"symbol": "G7/B"}, ...]} or -')
    parser.add_argument("--target", choices=TARGETS, default="satb")
    parser.add_argument("--k", type=int, default=5, help="number of suggestions (default 5)")
    parser.add_argument("--tuning", help="guitar tuning name or comma-separated MIDI numbers")
    parser.add_argument("--min-changes", type=int, help="diversity: chords that must differ")
    parser.add_argument("--indent", type=int, default=None, help="pretty-print JSON")
    return parser


def _fail(code: str, message: str) -> int:
    sys.stderr.write(json.dumps({"error": {"code": code, "message": message}}) + "\n")
    return EXIT_ERROR


def _read(path: str) -> Any:
    if path == "-":
        return json.load(sys.stdin)
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed its usage message
        return 0 if exc.code == 0 else EXIT_ERROR
    try:
        data = _read(args.input)
    except OSError as exc:
        return _fail("unreadable_input", f"cannot read {args.input}: {exc.strerror or exc}")
    except json.JSONDecodeError as exc:
        return _fail("bad_json", f"{args.input} is not valid JSON: {exc}")
    if not isinstance(data, dict) or not isinstance(data.get("chords"), list):
        return _fail("bad_progression", 'input must be an object with a "chords" list')
    options: dict[str, Any] = dict(data.get("options") or {})
    if args.tuning:
        parts = args.tuning.split(",")
        options["tuning"] = [int(p) for p in parts] if parts[0].strip().isdigit() else args.tuning
    if args.min_changes is not None:
        options["min_changes"] = args.min_changes
    try:
        suggestions = suggest(data["chords"], target=args.target, k=args.k, options=options)
    except VoicingError as err:
        return _fail(err.code, err.message)
    except ValueError as err:
        return _fail("bad_options", str(err))
    json.dump([s.to_dict() for s in suggestions], sys.stdout, indent=args.indent)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

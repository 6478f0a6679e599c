"""The voicing engine's answers on a fixed set of progressions, frozen as a fixture.

``voicing_golden.json`` was written by this script from the engine before its speed work
(music21 reading chord kinds, the original candidate and cost code); the test
``tests/unit/test_voicing_golden.py`` asserts the engine still gives exactly those
suggestions. Rewrite the file only when a change of answers is intended::

    .venv/bin/python -m tests.vectors.voicing_golden
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from server.voicing import VoicingError, suggest

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "voicing_golden.json"

#: bench/voicing_speed.py's 32 chords (inversions, sevenths).
BENCH = [
    "C", "F/A", "G7/B", "C", "Am", "Dm/F", "G7", "C", "Em", "Am7/G", "F/A", "Dm7",
    "G", "C/E", "F", "G7/D", "C", "Am/C", "Dm7/C", "G/B", "C", "F", "Bdim/D", "Em",
    "Am", "Dm", "G7/F", "C/E", "F", "C/G", "G7", "C",
]  # fmt: skip
JAZZ = [
    "Dm9", "G13b9", "Cmaj7", "C6/9", "F#m7b5", "B7(b9,#11)", "Em11", "A7#5", "Dm7",
    "Db7#11", "Cmaj9", "N.C.", "Bbm7/Ab", "Ebsus4", "Eb7sus4", "Abmaj7", "G7b13", "Co7",
    "C°", "Cm(maj7)", "F+", "Bb13", "E5", "Asus2",
]  # fmt: skip
MIXED: list[Any] = [
    "C", {"pitch_classes": [0, 4, 7, 11], "bass": 4}, {"symbol": "Am7"},
    {"pitch_classes": [2, 5, 9], "root": 2}, "G7/B", {"pitch_classes": []}, "C",
]  # fmt: skip

TARGETS = ("satb", "piano", "guitar")
CASES: list[dict[str, Any]] = [
    *({"name": f"bench-{t}", "chords": BENCH, "target": t, "k": 5} for t in TARGETS),
    *({"name": f"jazz-{t}", "chords": JAZZ, "target": t, "k": 5} for t in TARGETS),
    *({"name": f"mixed-{t}", "chords": MIXED, "target": t, "k": 3} for t in TARGETS),
    {"name": "bench-satb-k12-diverse", "chords": BENCH, "target": "satb", "k": 12,
     "options": {"min_changes": 4}},
    {"name": "jazz-piano-styles", "chords": JAZZ[:10], "target": "piano", "k": 4,
     "options": {"styles": ["drop2", "rootless_a", "rootless_b"]}},
    {"name": "bench-guitar-dadgad", "chords": BENCH[:16], "target": "guitar", "k": 5,
     "options": {"tuning": "dadgad", "max_fret": 9}},
    {"name": "bench-satb-rules", "chords": BENCH[:12], "target": "satb", "k": 5,
     "options": {"rules": {"parallel_fifths": 0.0, "leaps": 3.0}}},
    {"name": "jazz-piano-playable", "chords": [c for c in JAZZ if c != "E5"], "target": "piano",
     "k": 5},
    {"name": "one-chord", "chords": ["E7"], "target": "guitar", "k": 8},
]  # fmt: skip


def answer(case: dict[str, Any]) -> Any:
    """What ``suggest`` gives for a case: the suggestions as dicts, or the refusal."""
    try:
        found = suggest(case["chords"], case["target"], case["k"], dict(case.get("options", {})))
    except VoicingError as err:  # a refusal's code and message are answers too
        return {"error": err.to_dict()}
    except ValueError as err:
        return {"error": [type(err).__name__, str(err)]}
    return [s.to_dict() for s in found]


def main() -> None:
    out = {case["name"]: {"case": case, "answer": answer(case)} for case in CASES}
    lines = [f"{json.dumps(name)}: {json.dumps(v, sort_keys=True)}" for name, v in out.items()]
    FIXTURE.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"wrote {FIXTURE} ({len(out)} cases)")


if __name__ == "__main__":
    main()

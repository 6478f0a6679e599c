"""Hand-written vector cases for form: barline styles, repeats and endings (``set_form``)."""

from __future__ import annotations

from typing import Any

from .helpers import Case, doc


def form(measure: str, name: str, value: Any) -> dict[str, Any]:
    return {"op": "set_form", "measure": measure, "field": name, "value": value}


def form_cases() -> list[Case]:
    d = doc(measures=3)
    volta = [
        form("m1", "repeat_start", True),
        form("m2", "ending", [1]),
        form("m2", "repeat_end", 2),
        form("m3", "ending", [2]),
        form("m3", "barline", "final"),
    ]
    clear = [form("m2", "ending", None), form("m1", "repeat_start", None)]
    return [
        ("repeat with first and second endings", d, [volta]),
        ("repeat played three times", d, [[form("m2", "repeat_end", 3)]]),
        ("barline styles", d, [[form("m1", "barline", "double"), form("m2", "barline", "dashed")]]),
        ("form field cleared", d, [volta, clear]),
        ("ending for passes 1 and 2", d, [[form("m2", "ending", [1, 2])]]),
        ("ending out of order refused", d, [[form("m2", "ending", [2, 1])]]),
        ("ending 0 refused", d, [[form("m2", "ending", [0])]]),
        ("ending as a number refused", d, [[form("m2", "ending", 1)]]),
        ("repeat_end 1 refused", d, [[form("m2", "repeat_end", 1)]]),
        ("repeat_end true refused", d, [[form("m2", "repeat_end", True)]]),
        ("unknown barline refused", d, [[form("m2", "barline", "wavy")]]),
        ("rehearsal marks", d, [[form("m2", "rehearsal", "A"), form("m3", "rehearsal", "B 2")]]),
        ("rehearsal mark with spaces around refused", d, [[form("m2", "rehearsal", " A")]]),
        ("rehearsal mark of 17 characters refused", d, [[form("m2", "rehearsal", "x" * 17)]]),
        ("empty rehearsal mark refused", d, [[form("m2", "rehearsal", "")]]),
        ("unknown form field refused", d, [[form("m2", "segno", True)]]),
        ("form on a vanished measure skipped", d, [[form("gone", "barline", "final")]]),
        ("a removed measure takes its form and gives it back", d,
         [volta, [{"op": "remove_measures", "ids": ["m2"]}]]),
        ("inserted measure with a repeat", d,
         [[{"op": "insert_measures", "at": 1, "measures": [{"id": "x", "repeat_end": 2}]}]]),
        ("inserted measure with a bad ending refused", d,
         [[{"op": "insert_measures", "at": 1, "measures": [{"id": "x", "ending": []}]}]]),
    ]  # fmt: skip

"""The committed score-op vectors still describe what the Python reference does.

``tests/vectors/*.json`` are shared with the JS mirror (``tests/js/vectors.test.mjs``); if
this fails after a deliberate change to ``server/score``, regenerate them with
``.venv/bin/python tests/vectors/generate.py`` and review the diff. Imports only
``server.score`` and the generator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from server.score import ScoreError, apply_edit, check_invariants, clone, invert, new_document
from tests.vectors.generate import FILES, run_case

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def _load(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    return cases


@pytest.mark.parametrize("name", sorted(FILES))
def test_vectors_match_the_python_reference(name: str) -> None:
    cases = _load(name)
    assert len(cases) >= 100
    for case in cases:
        fresh = run_case(case["name"], case["start"], case["edits"])
        assert fresh == case, f"{name}: {case['name']} no longer matches; regenerate and review"


@pytest.mark.parametrize("name", sorted(FILES))
def test_inverses_restore_the_start(name: str) -> None:
    for case in _load(name):
        doc = clone(case["start"])
        for ops, wanted in zip(case["edits"], case["inverses"], strict=True):
            if wanted is None:
                continue
            apply_edit(doc, clone(ops))
            assert check_invariants(doc) == [], case["name"]
        assert doc == case["expected"], case["name"]
        for inverse in reversed([i for i in case["inverses"] if i is not None]):
            invert(doc, clone(inverse))
        assert doc == case["start"], f"{case['name']}: inverses do not restore the start"


def test_vectors_cover_every_op() -> None:
    from server.score import OP_NAMES

    used = {
        op["op"]
        for case in _load("hand.json")
        for ops in case["edits"]
        for op in ops
        if isinstance(op, dict) and isinstance(op.get("op"), str)
    }
    assert set(OP_NAMES) <= used
    codes = {e["code"] for case in _load("hand.json") for e in case["errors"] if e}
    assert codes == {"invalid_op"}
    assert any(s for case in _load("hand.json") for s in case["skipped"])


def test_vectors_stay_small() -> None:
    assert sum(p.stat().st_size for p in VECTORS.glob("*.json")) < 2_000_000


# --- bugs found while mirroring server/score in JS (fixed in 2162ded and c109610) ----------
# The JS mirror has the same tests in tests/js/score.test.mjs.


def test_ids_with_a_trailing_newline_are_refused() -> None:
    # ID_PATTERN uses `$`, which also matches before a final "\n": use fullmatch or `\Z`.
    doc = new_document(measures=1)
    op = {
        "op": "write_event",
        "part": "p1",
        "measure": "m1",
        "offset": "0",
        "event": {"id": "e1\n", "dur": {"type": 4}, "notes": []},
    }
    before = clone(doc)
    with pytest.raises(ScoreError) as info:
        apply_edit(doc, [op])
    assert info.value.code == "invalid_op"
    assert doc == before


def _event(eid: str, kind: int, dots: int = 0) -> dict[str, Any]:
    dur: dict[str, Any] = {"type": kind}
    if dots:
        dur["dots"] = dots
    return {"id": eid, "dur": dur, "notes": []}


def test_refused_set_time_changes_nothing() -> None:
    # _set_attr changes the measure before _refit; a refit that cannot notate its rest
    # (ValueError from rest_durations) leaves the new time with unrefitted bars.
    doc = new_document(measures=2)
    voice = [_event("a", 128, 1), _event("b", 64, 1), _event("c", 128, 1), _event("d", 64)]
    voice += [_event("e", 16), _event("f", 8), _event("g", 4), _event("h", 2)]
    apply_edit(doc, [{"op": "set_voice", "part": "p1", "measure": "m1", "events": voice}])
    before = clone(doc)
    with pytest.raises(ScoreError) as info:
        apply_edit(doc, [{"op": "set_time", "measure": "m1", "time": [1, 32]}])
    assert info.value.code == "invalid_op"
    assert doc == before
    assert check_invariants(doc) == []


@pytest.mark.parametrize(
    "bars",
    [
        5,
        {
            "p1": {
                "voices": {
                    "1": [
                        {
                            "id": "q",
                            "dur": {"type": 1},
                            "notes": [{"id": "n", "step": [], "octave": 4}],
                        }
                    ]
                }
            }
        },
    ],
    ids=["bars-not-an-object", "note-step-unhashable"],
)
def test_refused_insert_measures_changes_nothing(bars: Any) -> None:
    # insert_measures undoes its partial insert only on InvalidOp; a TypeError from a
    # malformed spec escapes the `except InvalidOp` and leaves the measure inserted.
    doc = new_document(measures=2)
    before = clone(doc)
    with pytest.raises(ScoreError) as info:
        apply_edit(
            doc, [{"op": "insert_measures", "at": 1, "measures": [{"id": "x", "bars": bars}]}]
        )
    assert info.value.code == "invalid_op"
    assert doc == before


def _write(eid: str, measure: str, offset: str, kind: int) -> dict[str, Any]:
    event = {"id": eid, "dur": {"type": kind}, "notes": []}
    return {"op": "write_event", "part": "p1", "measure": measure, "offset": offset, "event": event}


def test_refit_fillers_take_ids_free_in_the_whole_document() -> None:
    # _refit seeded `taken` with bar_ids(bar) only, so a filler could reuse an id that lives
    # in another bar.
    doc = new_document(measures=2)
    apply_edit(doc, [_write("e1", "m1", "1/2", 2)])
    apply_edit(doc, [_write("e1.t.r0", "m2", "0", 4)])
    apply_edit(doc, [{"op": "set_time", "measure": "m1", "time": [3, 4]}])
    assert check_invariants(doc) == []
    assert doc["parts"][0]["bars"]["m1"]["voices"]["1"][-1]["id"] == "e1.t.r0~1"
    padded = new_document(measures=2)
    apply_edit(padded, [_write("m2.p1.1.p.r0", "m1", "0", 4)])
    apply_edit(padded, [{"op": "set_time", "measure": "m2", "time": [5, 4]}])
    assert check_invariants(padded) == []


def _bar(eid: str) -> dict[str, Any]:
    return {"voices": {"1": [{"id": eid, "dur": {"type": 1}, "notes": []}]}}


@pytest.mark.parametrize(
    "op",
    [
        {"op": "add_part", "part": {"id": "v", "bars": {"m2": _bar("m1.v.r0")}}},
        {"op": "add_part", "part": {"id": "v", "bars": {"m1": _bar("x"), "m2": _bar("x")}}},
        {
            "op": "replace_document",
            "doc": {
                "measures": [{"id": "a", "time": [4, 4], "key": 0, "tempo": 60}, {"id": "b"}],
                "parts": [{"id": "p", "bars": {"a": _bar("x"), "b": _bar("x")}}],
            },
        },
    ],
    ids=["filler-id-reused", "id-in-two-bars", "replace-document"],
)
def test_a_new_part_cannot_repeat_its_own_ids(op: dict[str, Any]) -> None:
    # _clean_part checked each given bar with require_unused(doc, ...), but the part being
    # built (its earlier bars and fillers) is not in doc yet.
    doc = new_document(measures=2)
    before = clone(doc)
    with pytest.raises(ScoreError) as info:
        apply_edit(doc, [op])
    assert info.value.code == "invalid_op"
    assert doc == before


def test_the_inverse_of_set_time_always_applies() -> None:
    # The inverse [set_time(old), set_bar(each refitted bar)...] passed through a state where
    # p1/m2 kept the filler 'm2.p1.r0.t.r0' while set_bar(p2/m1) restored a client event of
    # that id: the undo was refused and a refused edit holding set_time was left half rolled
    # back. set_bars now restores every refitted bar in one op.
    doc = new_document(parts=[{"name": "A"}, {"name": "B"}], measures=2)
    event = {"id": "m2.p1.r0.t.r0", "dur": {"type": 1}, "notes": []}
    voice = {"op": "set_voice", "part": "p2", "measure": "m1", "voice": "2", "events": [event]}
    apply_edit(doc, [voice])
    start = clone(doc)
    result = apply_edit(doc, [{"op": "set_time", "measure": "m1", "time": [3, 4]}])
    invert(doc, result.inverse)
    assert doc == start
    with pytest.raises(ScoreError) as info:
        apply_edit(doc, [{"op": "set_time", "measure": "m1", "time": [3, 4]}, {"op": "nope"}])
    assert info.value.op_index == 1
    assert doc == start


def test_filler_rests_are_valid_durations() -> None:
    # rest_durations wrote the gap a quintuplet leaves inside a septuplet rest as
    # {"type": 128, "tuplet": [35, 32]}, which validate_dur refuses: the next edit's inverse
    # could not be applied (fixed in ebbb3e5: such gaps are refused).
    from server.score.durations import validate_dur

    doc = new_document(measures=1)

    def write(eid: str, offset: str, dur: dict[str, Any]) -> list[dict[str, Any]]:
        note = {"id": f"n{eid}", "step": "C", "octave": 4}
        event = {"id": eid, "dur": dur, "notes": [note]}
        return [
            {"op": "write_event", "part": "p1", "measure": "m1", "offset": offset, "event": event}
        ]

    for ops in (
        write("a", "13/14", {"type": 8, "tuplet": [7, 4]}),
        write("b", "1/2", {"type": 16, "tuplet": [5, 4]}),
    ):
        try:
            apply_edit(doc, ops)
        except ScoreError:
            pass
    for event in doc["parts"][0]["bars"]["m1"]["voices"]["1"]:
        assert validate_dur(event["dur"]) == event["dur"]
    start = clone(doc)
    result = apply_edit(doc, write("c", "0", {"type": 4}))
    invert(doc, result.inverse)
    assert doc == start


def test_a_gap_shorter_than_a_128th_is_refused() -> None:
    # _aligned_rests looped forever when less than a 128th was left (no TYPES value fits):
    # one write_event over a dotted 128th hung the server (fixed in 08f34fa). The alarm
    # turns a hang into a failure.
    import signal

    def timeout(signum: int, frame: object) -> None:
        raise TimeoutError("apply_edit did not return: infinite loop in _aligned_rests")

    doc = new_document(measures=1)
    values = [(128, 1), (128, 1), (128, 0), (32, 0), (16, 0), (8, 0), (4, 0), (2, 0)]
    events = [_event(f"e{i}", kind, dots) for i, (kind, dots) in enumerate(values)]
    apply_edit(doc, [{"op": "set_voice", "part": "p1", "measure": "m1", "events": events}])
    before = clone(doc)
    write = {"op": "write_event", "part": "p1", "measure": "m1", "offset": "0"}
    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(5)
    try:
        with pytest.raises(ScoreError) as info:
            apply_edit(doc, [{**write, "event": _event("x", 128)}])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert info.value.code == "invalid_op"
    assert doc == before


def test_an_offset_with_a_huge_exponent_is_refused_at_once() -> None:
    # parse_fraction handed any str to Fraction(), which builds 10**exp exactly: the offset
    # "1e-100000000" took hours of CPU and blocked the server's event loop (fixed in 08f34fa:
    # only what format_fraction writes is accepted).
    import signal

    from server.score.durations import parse_fraction

    def timeout(signum: int, frame: object) -> None:
        raise TimeoutError("parse_fraction did not return within 2 s")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(2)
    try:
        with pytest.raises(ValueError):
            parse_fraction("1e-100000000")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)

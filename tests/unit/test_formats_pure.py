"""Pure parts of the formats package: notation of lengths, the report, voice layout."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.formats.notation import notate, single_dur, snap, time_for_length
from server.formats.report import Report
from server.formats.voice_fill import APPROXIMATED, OVERLAP, Item, build_voice
from server.score.durations import dur_value, validate_dur


def c5(tie: bool = False) -> dict[str, object]:
    note: dict[str, object] = {"step": "C", "alter": 0, "octave": 5}
    if tie:
        note["tie"] = True
    return note


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (F(1, 4), {"type": 4}),
        (F(3, 8), {"type": 4, "dots": 1}),
        (F(15, 16), {"type": 2, "dots": 3}),
        (F(1, 12), {"type": 8, "tuplet": [3, 2]}),
        (F(1, 20), {"type": 16, "tuplet": [5, 4]}),
        (F(1, 7), {"type": 4, "tuplet": [7, 4]}),
        (F(5, 16), None),  # a quarter tied to a sixteenth, not an 8:5 tuplet
    ],
)
def test_single_dur(value: F, expected: dict[str, object] | None) -> None:
    assert single_dur(value) == expected


def test_notate_prefers_the_source_notation_when_exact() -> None:
    sextuplet = {"type": 16, "tuplet": [6, 4]}
    assert notate(F(1, 24), sextuplet) == [{"type": 16, "tuplet": [6, 4]}]
    # A hint that does not add up is ignored.
    assert notate(F(1, 4), {"type": 8}) == [{"type": 4}]


def test_notate_splits_what_one_value_cannot_hold() -> None:
    durs = notate(F(5, 16))
    assert durs == [{"type": 4}, {"type": 16}]
    with pytest.raises(ValueError):
        notate(F(1, 1000))


def test_snap_and_time_for_length() -> None:
    assert snap(F(1, 1000)) == 0
    assert snap(F(1, 7)) == F(27, 192)
    assert time_for_length(F(5, 4)) == [5, 4]
    assert time_for_length(F(3, 8)) == [3, 8]
    assert time_for_length(F(13, 12), round_up=True) == [5, 4]
    assert time_for_length(F(13, 12)) is None


def test_report_groups_measures_and_counts() -> None:
    report = Report()
    report.general("the file holds 3 tunes; only the first was imported")
    for m in (1, 2, 3, 7, 9, 10):
        report.add("slurs are not supported yet and were dropped", m)
    report.add("grace notes are not supported yet and were dropped", 12, 3)
    assert report.lines() == [
        "the file holds 3 tunes; only the first was imported",
        "mm. 1-3, 7, 9-10: slurs are not supported yet and were dropped (6)",
        "m. 12: grace notes are not supported yet and were dropped (3)",
    ]


def test_report_caps_long_measure_lists() -> None:
    report = Report()
    for m in range(1, 40, 2):
        report.add("x", m)
    assert report.lines() == ["mm. 1, 3, 5, 7, 9, 11 and 14 more: x (20)"]


def test_pickup_style_gap_is_filled_with_beat_aligned_rests() -> None:
    report = Report()
    items = [Item(F(3, 4), F(1, 4), [c5()])]
    events, carry = build_voice(items, F(1), "p1m1v1", report, 1)
    assert [e["dur"] for e in events] == [{"type": 2}, {"type": 4}, {"type": 4}]
    assert [e["id"] for e in events] == ["p1m1v1e0", "p1m1v1e1", "p1m1v1e2"]
    assert events[2]["notes"] == [{"id": "p1m1v1e2n0", "step": "C", "alter": 0, "octave": 5}]
    assert carry == [] and report.lines() == []


def test_note_crossing_the_barline_is_tied_and_carried() -> None:
    report = Report()
    items = [Item(F(1, 2), F(3, 4), [c5()], {"1": "la"})]
    events, carry = build_voice(items, F(1), "v", report, 4)
    assert events[-1]["notes"][0]["tie"] is True
    assert events[-1]["lyrics"] == {"1": "la"}
    assert carry == [Item(F(0), F(1, 4), [c5()])]
    following, _ = build_voice(carry, F(1), "w", report, 5)
    assert following[0]["dur"] == {"type": 4} and "tie" not in following[0]["notes"][0]


def test_unwritable_length_is_split_into_tied_notes() -> None:
    events, _ = build_voice([Item(F(0), F(5, 16), [c5()])], F(1, 2), "v", Report(), 1)
    # Quarter tied to sixteenth, then rests aligned to the beat: a sixteenth, an eighth.
    assert [e["dur"] for e in events] == [{"type": 4}, {"type": 16}, {"type": 16}, {"type": 8}]
    ties = [bool(e["notes"] and e["notes"][0].get("tie")) for e in events]
    assert ties == [True, False, False, False]


def test_simultaneous_notes_in_one_voice_become_a_chord_and_overlaps_are_reported() -> None:
    report = Report()
    e4 = {"step": "E", "alter": 0, "octave": 4}
    items = [
        Item(F(0), F(1, 4), [c5()]),
        Item(F(0), F(1, 4), [e4]),
        Item(F(1, 8), F(1, 4), [e4]),  # starts inside the chord: shortened
    ]
    events, _ = build_voice(items, F(1, 2), "v", report, 2)
    assert [n["step"] for n in events[0]["notes"]] == ["E", "C"]
    assert [dur_value(e["dur"]) for e in events] == [F(1, 4), F(1, 8), F(1, 8)]
    assert report.lines() == [f"m. 2: {OVERLAP}"]


def test_unwritable_positions_are_approximated_and_reported() -> None:
    report = Report()
    items = [Item(F(1, 1000), F(1, 4), [c5()])]
    events, _ = build_voice(items, F(1, 2), "v", report, 3)
    assert sum((dur_value(e["dur"]) for e in events), F(0)) == F(1, 2)
    assert report.lines() == [f"m. 3: {APPROXIMATED}"]


lengths = st.sampled_from([F(1, 4), F(3, 8), F(1, 2), F(3, 4), F(1), F(5, 4)])
grid = st.sampled_from([F(1, 16), F(1, 12), F(1, 32), F(1, 20), F(1, 7)])


@settings(max_examples=150, deadline=None)
@given(
    length=lengths,
    unit=grid,
    raw=st.lists(st.tuples(st.integers(0, 40), st.integers(1, 24), st.booleans()), max_size=12),
)
def test_any_items_give_a_complete_valid_voice(
    length: F, unit: F, raw: list[tuple[int, int, bool]]
) -> None:
    items = [
        Item(start * unit, span * unit, [c5()] if pitched else []) for start, span, pitched in raw
    ]
    events, carry = build_voice(items, length, "v", Report(), 1)
    assert sum((dur_value(e["dur"]) for e in events), F(0)) == length
    for event in events:
        assert validate_dur(event["dur"]) == event["dur"]
    ids = [e["id"] for e in events] + [n["id"] for e in events for n in e["notes"]]
    assert len(ids) == len(set(ids))
    assert all(c.offset == 0 and c.length > 0 for c in carry)

"""Descriptions of edits and the grouping of history entries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from server.history.describe import describe_edit, describe_op
from server.history.entries import group_entries
from server.score import clone, new_document
from server.score.ops import OP_NAMES
from tests.unit.history_strategies import (
    T0,
    Log,
    Record,
    commit,
    history_settings,
    random_log,
    seeds,
)

ANA, BEN = (1, "Ana"), (2, "Ben")


@history_settings
@given(seed=seeds, steps=st.integers(1, 30))
def test_describe_never_crashes_on_real_logs(seed: int, steps: int) -> None:
    log = random_log(seed, steps)
    for edit, before in zip(log.edits, log.docs, strict=False):
        text = describe_edit(edit, before)
        assert isinstance(text, str) and text
        # Valid ops are always named properly, never by the last-resort fallback.
        assert "cannot describe" not in text, text
        # Written for musicians: no op names (set_bars, write_event...) in the words.
        assert not any(n in text for n in OP_NAMES if "_" in n), text


def test_every_op_including_internal_inverses_has_words() -> None:
    doc = new_document(measures=3)
    bars = [{"part": "p1", "measure": m, "bar": doc["parts"][0]["bars"][m]} for m in ("m1", "m2")]
    text, _ = describe_op({"op": "set_bars", "bars": bars}, doc)
    assert text == "rewrote 2 bars (m. 1, m. 2)"
    one, _ = describe_op({"op": "set_bars", "bars": bars[:1]}, doc)
    assert one.startswith("rewrote m. 1")
    unknown, _ = describe_op({"op": "set_spline", "x": 1}, doc)
    assert unknown == "made a change this version of Tutti cannot describe"
    assert "set_" not in unknown


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@history_settings
@given(
    name=st.sampled_from([*OP_NAMES, "nonsense"]),
    fields=st.dictionaries(
        st.sampled_from(
            [
                "part",
                "measure",
                "event",
                "note",
                "notes",
                "voice",
                "offset",
                "dur",
                "text",
                "verse",
                "step",
                "octave",
                "alter",
                "symbol",
                "mark",
                "time",
                "key",
                "tempo",
                "at",
                "measures",
                "ids",
                "doc",
                "name",
                "diatonic",
                "chromatic",
                "tie",
                "clef",
                "title",
                "events",
            ]
        ),
        json_values,
    ),
    origin=st.sampled_from(["human", "helper", "revert", "import", "restore"]),
    meta=st.dictionaries(
        st.sampled_from(["reverts", "accepted_by", "version", "filename"]), json_values
    ),
)
def test_describe_never_crashes_on_any_op(
    name: str, fields: dict[str, Any], origin: str, meta: dict[str, Any]
) -> None:
    doc = new_document(parts=[{"name": "Soprano"}], measures=2)
    op = {"op": name, **fields}
    assert describe_op(op, doc)[0]
    record = Record(5, 1, "Ana", [op, "not an op"], [], [0, {"index": 1}], origin=origin, meta=meta)
    # The last-resort fallback is never needed: every payload gets a real description.
    assert describe_edit(record, doc) != "Ana made an edit"


def _log() -> Log:
    initial = new_document(parts=[{"name": "Soprano"}, {"name": "Violin"}], measures=12)
    return Log(initial, [], [clone(initial)])


def _text(log: Log) -> list[str]:
    return [describe_edit(e, d) for e, d in zip(log.edits, log.docs, strict=False)]


def test_descriptions_read_like_the_examples() -> None:
    log = _log()
    event = {"id": "e1", "dur": {"type": 4}, "notes": [{"id": "n1", "step": "E", "octave": 4}]}
    commit(
        log,
        [{"op": "write_event", "part": "p1", "measure": "m3", "offset": "0", "event": event}],
        ANA,
    )
    violin = {"id": "e2", "dur": {"type": 2}, "notes": [{"id": "n2", "step": "C", "octave": 4}]}
    commit(
        log,
        [{"op": "write_event", "part": "p2", "measure": "m12", "offset": "0", "event": violin}],
        ANA,
    )
    commit(log, [{"op": "set_pitch", "note": "n2", "step": "D", "octave": 4}], ANA)
    commit(log, [{"op": "set_time", "measure": "m5", "time": [3, 4]}], BEN)
    commit(log, [{"op": "set_lyric", "event": "e1", "verse": 1, "text": "Ky-"}], BEN)
    commit(
        log,
        [
            {
                "op": "set_chord_symbol",
                "part": "p1",
                "measure": "m3",
                "offset": "1/4",
                "id": "h1",
                "symbol": "G7",
            }
        ],
        BEN,
    )
    commit(log, [{"op": "transpose", "notes": ["n1", "n2"], "diatonic": 1, "chromatic": 2}], ANA)
    imported = clone(log.now)
    commit(
        log,
        [{"op": "replace_document", "doc": imported}],
        ANA,
        origin="import",
        meta={"filename": "bwv66.6.mxl"},
    )
    commit(
        log, [{"op": "delete_event", "event": "e1"}], BEN, origin="revert", meta={"reverts": [1, 5]}
    )
    commit(
        log,
        [{"op": "set_tie", "note": "n2", "tie": True}],
        BEN,
        origin="helper",
        meta={"accepted_by": "Ben"},
    )
    assert _text(log) == [
        "Ana wrote a quarter note E4 in m. 3, Soprano",
        "Ana wrote a half note C4 in m. 12, Violin",
        "Ana: C4 → D4, m. 12, Violin",
        "Ben changed the time signature of m. 5 to 3/4",
        'Ben set the lyric "Ky-" under the quarter note E4 in m. 3, Soprano',
        "Ben wrote the chord symbol G7 at beat 2 of m. 3, Soprano",
        "Ana transposed 2 notes up a major second in 2 places",
        "Imported bwv66.6.mxl",
        "Ben reverted edits 1 and 5",
        "Ben accepted a helper suggestion: tied E4 in m. 12, Violin",
    ]


def _record(seq: int, author: tuple[int, str], seconds: float, origin: str = "human") -> Record:
    return Record(
        seq,
        author[0],
        author[1],
        [{"op": "set_meta", "title": str(seq)}],
        [],
        [],
        origin=origin,
        created_at=T0 + timedelta(seconds=seconds),
    )


def test_small_edits_of_one_author_group_until_someone_else_or_a_pause() -> None:
    edits = [
        _record(1, ANA, 0),
        _record(2, ANA, 10),
        _record(3, ANA, 50),
        _record(4, BEN, 55),
        _record(5, ANA, 60),
        _record(6, ANA, 200),
        _record(7, ANA, 201, origin="helper"),
        _record(8, ANA, 202),
    ]
    entries = group_entries(edits, lambda e: f"edit {e.seq}", window=60)
    assert [e.seqs for e in entries] == [[1, 2, 3], [4], [5], [6], [7], [8]]
    assert entries[0].summary == "edit 1 (+2 more edits)"
    assert entries[0].op_count == 3 and entries[0].ended_at == T0 + timedelta(seconds=50)
    # A big edit (a paste) stands alone.
    big = _record(9, ANA, 203)
    big.ops = big.ops * 25
    entries = group_entries([*edits, big, _record(10, ANA, 204)], lambda e: "x", window=60)
    assert [e.seqs for e in entries][-3:] == [[8], [9], [10]]


def test_ops_of_one_edit_are_named_as_the_previous_ops_left_the_score() -> None:
    log = _log()
    event = {"id": "e1", "dur": {"type": 4}, "notes": [{"id": "n1", "step": "E", "octave": 4}]}
    write = {"op": "write_event", "part": "p1", "measure": "m3", "offset": "0", "event": event}
    lyric = {"op": "set_lyric", "event": "e1", "verse": 1, "text": "Ky-"}
    commit(log, [write, lyric, {"op": "set_pitch", "note": "n1", "step": "F", "octave": 4}], ANA)
    assert _text(log) == [
        'Ana wrote a quarter note E4 in m. 3, Soprano; set the lyric "Ky-" under the quarter '
        "note E4 in m. 3, Soprano; E4 → F4, m. 3, Soprano"
    ]

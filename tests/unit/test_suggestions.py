"""The helper use case (``server.suggestions``) against a real ``EditLog`` on SQLite:
opt-in states, chord extraction, requests that leave the score alone, accept/tweak/reject,
one-action revert, attribution and the provenance summary."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from server.auth import AuthError
from server.editing import EditLog
from server.history import plan_revert
from server.score import apply_edit
from server.score.model import new_document
from server.score.pitch import to_midi
from server.suggestions import HelperError, HelperService, chord_slots, spell_midi
from server.voicing import parse_symbol
from tests.support.records import records

SATB = [
    {"name": n, "clef": c}
    for n, c in (
        ("Soprano", "treble"),
        ("Alto", "treble"),
        ("Tenor", "treble8vb"),
        ("Bass", "bass"),
    )
]
PARTS = {"soprano": "p1", "alto": "p2", "tenor": "p3", "bass": "p4"}


def _symbol(measure: str, offset: str, symbol: str, hid: str) -> dict[str, Any]:
    return {
        "op": "set_chord_symbol",
        "part": "p1",
        "measure": measure,
        "offset": offset,
        "symbol": symbol,
        "id": hid,
    }


def _melody(
    measure: str, offset: str, kind: int, step: str, octave: int, eid: str
) -> dict[str, Any]:
    note = {"id": f"{eid}n", "step": step, "alter": 0, "octave": octave}
    return {
        "op": "write_event",
        "part": "p1",
        "measure": measure,
        "offset": offset,
        "voice": "1",
        "event": {"id": eid, "dur": {"type": kind}, "notes": [note]},
    }


@pytest.fixture
def setup(service: EditLog) -> tuple[HelperService, str, int, int]:
    """Ana owns a 3-measure SATB score with C G | F | (nothing); Ben edits it."""
    ana = records(service).users.create_user("ana", "h", display_name="Ana")
    ben = records(service).users.create_user("ben", "h", display_name="Ben")
    score = service.create_score(ana, "Chorale", new_document(parts=SATB, measures=3))
    records(service).members.set_member(score, ben, "editor")
    service.submit(
        score,
        ana,
        [
            _symbol("m1", "0", "C", "h1"),
            _symbol("m1", "1/2", "G7/B", "h2"),
            _symbol("m2", "0", "F", "h3"),
            _melody("m1", "0", 2, "E", 5, "s1"),
            _melody("m1", "1/2", 2, "D", 5, "s2"),
            _melody("m2", "0", 1, "C", 5, "s3"),
        ],
    )
    return HelperService.over(service, records(service)), score, ana, ben


def _enable(helper: HelperService, score: str, *users: int) -> None:
    owner = records(helper.scores).settings.score_info(score)["owner_id"]
    helper.set_score_enabled(score, owner, True)
    for user in users:
        helper.set_opt_in(user, True)


def _request(**extra: Any) -> dict[str, Any]:
    return {"target": "satb", "first": "m1", "last": "m3", "parts": dict(PARTS), "k": 3, **extra}


def test_chord_extraction_spans_until_next_symbol_or_barline(setup: Any) -> None:
    helper, score, *_ = setup
    doc, _ = helper.scores.load(score)
    slots = chord_slots(doc, "m1", "m3")
    assert [(s.measure, s.offset, s.end, s.symbol) for s in slots] == [
        ("m1", Fraction(0), Fraction(1, 2), "C"),
        ("m1", Fraction(1, 2), Fraction(1), "G7/B"),
        ("m2", Fraction(0), Fraction(1), "F"),
    ]
    assert chord_slots(doc, "m2", "m3")[0].symbol == "F"


def test_spelling_follows_the_chord() -> None:
    spec = parse_symbol("Bb7")
    assert spell_midi(68, spec, 0) == {"step": "A", "alter": -1, "octave": 4}  # the seventh
    assert spell_midi(62, spec, 0) == {"step": "D", "alter": 0, "octave": 4}
    assert spell_midi(66, parse_symbol("D"), 0) == {"step": "F", "alter": 1, "octave": 4}
    assert spell_midi(61, None, -2) == {"step": "D", "alter": -1, "octave": 4}


def test_off_by_default_per_user_and_per_score(setup: Any) -> None:
    helper, score, ana, ben = setup
    state = helper.status(score, ben)
    assert state == {
        **state,
        "available": False,
        "reason": "helper_disabled",
        "user_enabled": False,
        "score_enabled": False,
    }
    with pytest.raises(HelperError) as err:
        helper.request(score, ben, _request())
    assert err.value.code == "helper_disabled"
    with pytest.raises(HelperError) as err:
        helper.set_score_enabled(score, ben, True)  # only the owner switches the score
    assert err.value.code == "forbidden"
    helper.set_score_enabled(score, ana, True)
    with pytest.raises(HelperError) as err:
        helper.request(score, ben, _request())
    assert err.value.code == "helper_not_enabled_for_user"
    helper.set_opt_in(ben, True)
    assert helper.status(score, ben)["available"] is True
    # The opt-in is the person's, persisted: a fresh service over the same database sees it.
    assert (
        HelperService.over(helper.scores, records(helper.scores)).status(score, ben)["user_enabled"]
        is True
    )
    assert helper.status(score, ana)["reason"] == "helper_not_enabled_for_user"
    # A teacher's "off for this assignment" wins over the person's own choice.
    helper.set_score_enabled(score, ana, False)
    assert helper.status(score, ben)["reason"] == "helper_disabled"


def test_request_stores_pending_and_leaves_the_score_alone(setup: Any) -> None:
    helper, score, ana, ben = setup
    _enable(helper, score, ben)
    before = helper.scores.load(score)
    suggestion = helper.request(score, ben, _request(melody_part="p1"))
    assert helper.scores.load(score) == before
    assert suggestion["status"] == "pending" and suggestion["requested_by"]["name"] == "Ben"
    result = suggestion["result"]
    assert [s["symbol"] for s in result["slots"]] == ["C", "G7/B", "F"]
    assert 1 <= len(result["alternatives"]) <= 3
    for alt in result["alternatives"]:
        # The kept melody is the soprano in every alternative.
        assert [c["soprano"] for c in alt["notes"]] == [[76], [74], [72]]
        assert alt["cost"] == pytest.approx(sum(alt["breakdown"].values()), abs=1e-3)
        assert [c["bass"][0] % 12 for c in alt["notes"]] == [0, 11, 5]
    listed = helper.list_suggestions(score, ana)
    assert [s["id"] for s in listed] == [suggestion["id"]] and listed[0]["status"] == "pending"


def test_unparseable_symbols_are_all_listed(setup: Any) -> None:
    helper, score, ana, ben = setup
    _enable(helper, score, ben)
    helper.scores.submit(
        score, ana, [_symbol("m3", "0", "Hxyz", "h4"), _symbol("m3", "1/2", "Cfoo", "h5")]
    )
    with pytest.raises(HelperError) as err:
        helper.request(score, ben, _request())
    assert err.value.code == "unknown_chord_symbol"
    assert [s["symbol"] for s in err.value.extra["symbols"]] == ["Hxyz", "Cfoo"]
    assert "m. 3" in err.value.message


def _notes_at(doc: dict[str, Any], part: str, measure: str) -> list[list[int]]:
    for p in doc["parts"]:
        if p["id"] == part:
            return [[to_midi(n) for n in e["notes"]] for e in p["bars"][measure]["voices"]["1"]]
    raise KeyError(part)


def test_accept_is_one_helper_edit_attributed_to_the_accepter(setup: Any) -> None:
    helper, score, ana, ben = setup
    _enable(helper, score, ana, ben)
    suggestion = helper.request(score, ben, _request())
    before_doc, before_seq = helper.scores.load(score)
    alt = suggestion["result"]["alternatives"][1]
    decided, edit = helper.accept(score, suggestion["id"], ana, 1)
    assert edit.seq == before_seq + 1 and edit.origin == "helper" and edit.author_id == ana
    assert edit.meta == {
        "suggestion_id": suggestion["id"],
        "alternative": 1,
        "accepted_by": "Ana",
        "accepted_by_id": ana,
        "tweaked": False,
    }
    assert {op["op"] for op in edit.ops} == {"write_event"}
    # Exactly the ops' effect: replaying them on the old head gives the new head.
    replayed = apply_edit(before_doc, edit.ops) and before_doc
    assert replayed == helper.scores.load(score)[0]
    doc, _ = helper.scores.load(score)
    for voice, part in PARTS.items():
        got = _notes_at(doc, part, "m1") + _notes_at(doc, part, "m2")
        assert got == [c[voice] for c in alt["notes"]]
    assert _notes_at(doc, "p2", "m3") == [[]]  # no symbol in m3: untouched rest
    assert decided["status"] == "accepted" and decided["accepted_seq"] == edit.seq
    assert decided["decided_by"]["name"] == "Ana"
    with pytest.raises(HelperError) as err:
        helper.accept(score, suggestion["id"], ben, 0)
    assert err.value.code == "already_decided"
    prov = helper.provenance(score, ben)
    assert prov["from_helper"] == 4 * 3 and prov["from_helper_by_accepter"] == {"Ana": 12}
    assert prov["written_by_people"] == 0  # no kept melody: Ana's soprano was overwritten
    assert len(prov["helper_notes"]) == 12
    # A person changes one accepted note: it is no longer marked as the helper's.
    note_id = doc["parts"][1]["bars"]["m1"]["voices"]["1"][0]["notes"][0]["id"]
    helper.scores.submit(
        score, ben, [{"op": "transpose", "notes": [note_id], "diatonic": 0, "chromatic": 1}]
    )
    prov = helper.provenance(score, ana)
    assert prov["from_helper_changed_by_people"] == 1 and note_id not in prov["helper_notes"]


def test_tweak_moves_one_voice_before_accepting(setup: Any) -> None:
    helper, score, ana, ben = setup
    _enable(helper, score, ben)
    suggestion = helper.request(score, ben, _request(k=1))
    alt = suggestion["result"]["alternatives"][0]
    tweaks = [{"chord": 2, "voice": "alto", "semitones": -1}]
    _, edit = helper.accept(score, suggestion["id"], ben, 0, tweaks)
    assert edit.meta["tweaked"] is True and edit.meta["tweaks"] == tweaks
    doc, _ = helper.scores.load(score)
    assert _notes_at(doc, "p2", "m2") == [[alt["notes"][2]["alto"][0] - 1]]
    assert _notes_at(doc, "p2", "m1") == [alt["notes"][0]["alto"], alt["notes"][1]["alto"]]
    bad = helper.request(score, ben, _request(k=1))
    with pytest.raises(HelperError) as err:
        helper.accept(score, bad["id"], ben, 0, [{"chord": 9, "voice": "alto", "semitones": 1}])
    assert err.value.code == "bad_request"


def test_reject_then_revert_restores_exactly(setup: Any) -> None:
    helper, score, ana, ben = setup
    _enable(helper, score, ben)
    first = helper.request(score, ben, _request(k=2))
    rejected = helper.reject(score, first["id"], ana)
    assert rejected["status"] == "rejected" and rejected["decided_by"]["name"] == "Ana"
    with pytest.raises(HelperError) as err:
        helper.revert(score, first["id"], ben)
    assert err.value.code == "not_accepted"
    second = helper.request(score, ben, _request(melody_part="p1"))
    doc_before, seq_before = helper.scores.load(score)
    _, accepted = helper.accept(score, second["id"], ben, 0)
    assert _notes_at(helper.scores.load(score)[0], "p1", "m1") == [[76], [74]]  # melody kept
    after, edit, conflicts = helper.revert(score, second["id"], ana)
    assert conflicts == [] and edit.origin == "revert" and edit.author_id == ana
    assert edit.meta == {"reverts": [accepted.seq], "suggestion_id": second["id"]}
    assert helper.scores.load(score)[0] == doc_before
    assert after["reverted_seq"] == edit.seq == seq_before + 2
    with pytest.raises(HelperError) as err:
        helper.revert(score, second["id"], ana)
    assert err.value.code == "already_reverted"
    statuses = [(s["status"], s["reverted_seq"]) for s in helper.list_suggestions(score, ben)]
    assert statuses == [("rejected", None), ("accepted", edit.seq)]
    assert helper.provenance(score, ben)["from_helper"] == 0


def test_viewers_cannot_request_or_decide(setup: Any) -> None:
    helper, score, ana, ben = setup
    eve = records(helper.scores).users.create_user("eve", "h")
    records(helper.scores).members.set_member(score, eve, "viewer")
    _enable(helper, score, ben, eve)
    suggestion = helper.request(score, ben, _request(k=1))
    for action in (
        lambda: helper.request(score, eve, _request()),
        lambda: helper.accept(score, suggestion["id"], eve, 0),
        lambda: helper.reject(score, suggestion["id"], eve),
    ):
        with pytest.raises(AuthError) as err:  # the one role check (server.auth.roles)
            action()
        assert err.value.code == "forbidden"
    assert helper.list_suggestions(score, eve)[0]["status"] == "pending"


def test_preview_draws_what_accept_writes_and_stores_nothing(setup: Any) -> None:
    helper, score, ana, ben = setup
    _enable(helper, score, ben)
    suggestion = helper.request(score, ben, _request(k=2))
    before = helper.scores.load(score)
    tweaks = [{"chord": 0, "voice": "tenor", "semitones": 2}]
    shown = helper.preview(score, suggestion["id"], ben, 1, tweaks)
    assert helper.scores.load(score) == before
    assert len(shown["note_ids"]) == 12 and all(i.startswith("hp") for i in shown["note_ids"])
    doc = before[0]
    apply_edit(doc, shown["ops"])
    helper.accept(score, suggestion["id"], ben, 1, tweaks)
    after = helper.scores.load(score)[0]
    for part in PARTS.values():
        for measure in ("m1", "m2"):
            assert _notes_at(doc, part, measure) == _notes_at(after, part, measure)


def test_revert_keeps_what_a_person_changed_since_and_says_so(setup: Any) -> None:
    helper, score, ana, ben = setup
    _enable(helper, score, ben)
    suggestion = helper.request(score, ben, _request(melody_part="p1", k=1))
    helper.accept(score, suggestion["id"], ben, 0)
    doc, _ = helper.scores.load(score)
    alto = doc["parts"][1]["bars"]["m2"]["voices"]["1"][0]["notes"][0]["id"]
    helper.scores.submit(
        score, ana, [{"op": "transpose", "notes": [alto], "diatonic": 0, "chromatic": -1}]
    )
    moved = _notes_at(helper.scores.load(score)[0], "p2", "m2")
    # The service plans over the log from the accepted edit on: same plan as the whole log.
    doc_now, head = helper.scores.load(score)
    everything = helper.scores.edits(score)
    full = plan_revert(doc_now, everything, [head - 1])
    suffix = plan_revert(doc_now, [e for e in everything if e.seq >= head - 1], [head - 1])
    assert (suffix.ops, suffix.conflicts) == (full.ops, full.conflicts)
    _, edit, conflicts = helper.revert(score, suggestion["id"], ben)
    [conflict] = conflicts
    assert conflict.startswith("m. 2, Alto: the pitch of ")
    assert conflict.endswith("was changed later by Ana; kept")
    assert edit.meta["reverts"] == [edit.seq - 2]
    after = helper.scores.load(score)[0]
    assert _notes_at(after, "p2", "m2") == moved  # Ana's change stands
    assert _notes_at(after, "p2", "m1") == [[]]  # the rest went back
    assert _notes_at(after, "p4", "m2") == [[]]


@pytest.mark.parametrize("target", ["piano", "guitar"])
def test_one_part_chords_under_a_kept_melody(setup: Any, target: str) -> None:
    helper, score, ana, ben = setup
    _enable(helper, score, ana)
    request = {"target": target, "first": "m1", "last": "m2", "parts": {"part": "p2"}}
    suggestion = helper.request(score, ana, {**request, "melody_part": "p1", "k": 2})
    for alt in suggestion["result"]["alternatives"]:
        assert [max(c["part"]) for c in alt["notes"]] == [76, 74, 72]  # the melody on top
    _, edit = helper.accept(score, suggestion["id"], ana, 0)
    doc, _ = helper.scores.load(score)
    chords = _notes_at(doc, "p2", "m1") + _notes_at(doc, "p2", "m2")
    assert chords == [c["part"] for c in suggestion["result"]["alternatives"][0]["notes"]]
    assert _notes_at(doc, "p1", "m1") == [[76], [74]]  # the melody part is not written
    assert {op["part"] for op in edit.ops} == {"p2"}
    with pytest.raises(HelperError) as err:
        helper.request(score, ana, {**request, "melody_part": "p2"})
    assert err.value.code == "bad_request"


def test_a_no_chord_in_the_passage_is_written_as_rests(setup: Any) -> None:
    # Regression: an N.C. chord came back from the engine as all-None voices and crashed
    # the SATB conversion with int(None).
    helper, score, ana, ben = setup
    _enable(helper, score, ana)
    helper.scores.submit(score, ana, [_symbol("m3", "0", "N.C.", "h4")])
    suggestion = helper.request(score, ana, _request())
    alt = suggestion["result"]["alternatives"][0]
    assert alt["notes"][-1] == {"soprano": [], "alto": [], "tenor": [], "bass": []}
    helper.accept(score, suggestion["id"], ana, 0)
    doc, _ = helper.scores.load(score)
    assert _notes_at(doc, "p2", "m3") == [[]]

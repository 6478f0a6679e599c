"""The voicing helper's use case: opt-in checks, chord extraction from a passage, storing
suggestions, accepting one as a single attributed ``helper`` edit, rejecting, reverting in
one action, and the provenance summary.

Calls ``ScoreService``, ``server.voicing``, ``server.history`` and ``server.score`` only:
no Flask, no Socket.IO, no SQL (the web layer broadcasts what this returns).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .editing import CommittedEdit, ScoreService
from .history import HistoryView
from .score import Doc, InvalidOp
from .score.durations import dur_value, format_fraction, rest_durations
from .score.model import all_ids, find_part, lengths, with_offsets
from .score.pitch import STEP_SEMITONES, STEPS, to_midi
from .voicing import ChordSpec, VoicingError, parse_symbol, suggest

TARGETS: dict[str, tuple[str, ...]] = {
    "satb": ("soprano", "alto", "tenor", "bass"),
    "piano": ("part",),
    "guitar": ("part",),
}
MAX_K = 8
MAX_CHORDS = 64
MAX_TWEAKS = 64
_RANK = {"viewer": 0, "editor": 1, "owner": 2}
# The letter distance of each chord role from the root, to spell notes as the chord reads.
_ROLE_LETTERS = {
    "root": 0,
    "ninth": 1,
    "third": 2,
    "eleventh": 3,
    "fifth": 4,
    "thirteenth": 5,
    "seventh": 6,
}
_SHARPS = (
    ("C", 0),
    ("C", 1),
    ("D", 0),
    ("D", 1),
    ("E", 0),
    ("F", 0),
    ("F", 1),
    ("G", 0),
    ("G", 1),
    ("A", 0),
    ("A", 1),
    ("B", 0),
)
_FLATS = (
    ("C", 0),
    ("D", -1),
    ("D", 0),
    ("E", -1),
    ("E", 0),
    ("F", 0),
    ("G", -1),
    ("G", 0),
    ("A", -1),
    ("A", 0),
    ("B", -1),
    ("B", 0),
)


class HelperError(Exception):
    """A refused helper action: snake_case ``code``, readable ``message``, extra fields."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


# --- the passage ------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One chord symbol's span: from its offset to the next symbol or the barline."""

    measure: str
    number: int  # 1-based position of the measure
    offset: Fraction
    end: Fraction
    symbol: str

    def to_json(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "number": self.number,
            "offset": format_fraction(self.offset),
            "end": format_fraction(self.end),
            "symbol": self.symbol,
        }


def measure_range(doc: Doc, first: str, last: str) -> list[str]:
    ids = [m["id"] for m in doc["measures"]]
    if first not in ids or last not in ids:
        raise HelperError("bad_request", "the passage names a measure that is not in the score")
    a, b = ids.index(first), ids.index(last)
    if a > b:
        raise HelperError("bad_request", "the passage must start before it ends")
    return ids[a : b + 1]


def chord_slots(doc: Doc, first: str, last: str, source_part: str | None = None) -> list[Slot]:
    """The chord symbols of measures ``first..last`` (all parts, first part wins a tie)."""
    measures = measure_range(doc, first, last)
    sizes = lengths(doc)
    numbers = {m["id"]: i + 1 for i, m in enumerate(doc["measures"])}
    parts = [p for p in doc["parts"] if source_part in (None, p["id"])]
    slots: list[Slot] = []
    for mid in measures:
        found: dict[Fraction, str] = {}
        for part in parts:
            for harmony in part["bars"].get(mid, {}).get("harmonies", []):
                found.setdefault(Fraction(harmony["offset"]), str(harmony["symbol"]))
        starts = sorted(found)
        for i, offset in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else sizes[mid]
            slots.append(Slot(mid, numbers[mid], offset, end, found[offset]))
    return slots


def parse_all(slots: list[Slot]) -> list[ChordSpec]:
    """Every symbol parsed; all unparseable ones are listed in one error."""
    specs: list[ChordSpec] = []
    bad: list[dict[str, Any]] = []
    for slot in slots:
        try:
            specs.append(parse_symbol(slot.symbol))
        except VoicingError as exc:
            bad.append({"symbol": slot.symbol, "measure": slot.number, "message": exc.message})
    if bad:
        names = ", ".join(f"{b['symbol']!r} (m. {b['measure']})" for b in bad)
        raise HelperError(
            "unknown_chord_symbol", f"cannot read chord symbols: {names}", symbols=bad
        )
    return specs


def sounding_top(doc: Doc, part_id: str, measure: str, offset: Fraction) -> int | None:
    """The highest note of ``part_id`` voice 1 sounding at ``offset`` (None for a rest)."""
    part = find_part(doc, part_id)
    events = (part or {}).get("bars", {}).get(measure, {}).get("voices", {}).get("1", [])
    for start, event in with_offsets(events):
        if start <= offset < start + dur_value(event["dur"]):
            notes = event.get("notes") or []
            return max(to_midi(n) for n in notes) if notes else None
    return None


def spell_midi(midi: int, spec: ChordSpec | None, key: int) -> dict[str, Any]:
    """Step, alter, octave for a MIDI number: by its role in the chord, else by key sign."""
    pc = midi % 12
    step, alter = (_FLATS if key < 0 else _SHARPS)[pc]
    if spec is not None and spec.symbol and spec.symbol[0].upper() in STEPS:
        role = spec.role_of(pc)
        if role in _ROLE_LETTERS:
            letter = STEPS[(STEPS.index(spec.symbol[0].upper()) + _ROLE_LETTERS[role]) % 7]
            diff = (pc - STEP_SEMITONES[letter]) % 12
            diff = diff - 12 if diff > 6 else diff
            if abs(diff) <= 2:
                step, alter = letter, diff
    octave = (midi - alter - STEP_SEMITONES[step]) // 12 - 1
    return {"step": step, "alter": alter, "octave": octave}


# --- requests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class VoicingRequest:
    target: str
    first: str
    last: str
    parts: dict[str, str]  # voice name -> part id
    melody_part: str | None
    k: int

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "first": self.first,
            "last": self.last,
            "parts": self.parts,
            "melody_part": self.melody_part,
            "k": self.k,
        }

    @property
    def written_voices(self) -> tuple[str, ...]:
        """SATB with a kept melody leaves the soprano part as it is."""
        voices = TARGETS[self.target]
        if self.target == "satb" and self.melody_part is not None:
            return tuple(v for v in voices if v != "soprano")
        return voices


def parse_request(doc: Doc, raw: Any) -> VoicingRequest:
    """``{target, first, last, parts: {voice: part_id}, melody_part?, k?}``, checked."""
    if not isinstance(raw, dict):
        raise HelperError("bad_request", "send a JSON object {target, first, last, parts}")
    target = raw.get("target")
    if target not in TARGETS:
        raise HelperError("bad_request", f"target must be one of {sorted(TARGETS)}")
    first, last = raw.get("first"), raw.get("last", raw.get("first"))
    if not isinstance(first, str) or not isinstance(last, str):
        raise HelperError("bad_request", "first and last must be measure ids")
    measure_range(doc, first, last)
    k = raw.get("k", 3)
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
        raise HelperError("bad_request", f"k must be 1..{MAX_K}")
    part_ids = {p["id"] for p in doc["parts"]}
    melody = raw.get("melody_part")
    if melody is not None and melody not in part_ids:
        raise HelperError("bad_request", "melody_part is not a part of this score")
    parts = raw.get("parts")
    if target == "satb" and melody is not None and isinstance(parts, dict):
        parts = {**parts, "soprano": melody}
    if not isinstance(parts, dict) or set(parts) != set(TARGETS[target]):
        raise HelperError("bad_request", f"parts must map {list(TARGETS[target])} to part ids")
    if not all(p in part_ids for p in parts.values()) or len(set(parts.values())) != len(parts):
        raise HelperError("bad_request", "parts must name distinct parts of this score")
    if target != "satb" and melody == parts["part"]:
        raise HelperError("bad_request", "the kept melody cannot be the part being voiced")
    return VoicingRequest(target, first, last, dict(parts), melody, k)


def compute(doc: Doc, req: VoicingRequest) -> dict[str, Any]:
    """The engine's k alternatives for the passage, as stored in a suggestion's result."""
    slots = chord_slots(doc, req.first, req.last)
    if not slots:
        raise HelperError("no_chords", "the passage has no chord symbols to voice")
    if len(slots) > MAX_CHORDS:
        raise HelperError("bad_request", f"at most {MAX_CHORDS} chords at a time")
    specs = parse_all(slots)
    progression: list[Any] = []
    for slot, spec in zip(slots, specs, strict=True):
        top = (
            None
            if req.melody_part is None or spec.is_rest
            else sounding_top(doc, req.melody_part, slot.measure, slot.offset)
        )
        fixed_key = "soprano" if req.target == "satb" else "melody"
        item: dict[str, Any] = {"symbol": slot.symbol}
        if top is not None:
            item["fixed"] = {fixed_key: top}
        progression.append(item)
    try:
        found = suggest(progression, target=req.target, k=req.k)
    except VoicingError as exc:
        raise HelperError(exc.code, exc.message) from None
    alternatives = []
    for s in found:
        data = s.to_dict()
        if req.target == "satb":
            notes = [{v: [int(c[v])] for v in TARGETS["satb"]} for c in s.chords]
        else:
            notes = [{"part": sorted(int(x) for x in v)} for v in s.voicings]
        alternatives.append(
            {
                "rank": data["rank"],
                "cost": data["cost"],
                "breakdown": data["breakdown"],
                "per_chord": data["per_chord"],
                "explanation": data["explanation"],
                "notes": notes,
                "render": data["chords"],
            }
        )
    return {"slots": [s.to_json() for s in slots], "alternatives": alternatives}


def apply_tweaks(notes: list[dict[str, list[int]]], tweaks: Any) -> list[dict[str, list[int]]]:
    """``[{chord, voice, note?, semitones}]``: move single notes of an alternative."""
    if not isinstance(tweaks, list) or len(tweaks) > MAX_TWEAKS:
        raise HelperError("bad_request", f"tweaks must be a list of at most {MAX_TWEAKS}")
    out = [{v: list(ms) for v, ms in chord.items()} for chord in notes]
    for t in tweaks:
        if not isinstance(t, dict):
            raise HelperError("bad_request", "each tweak is {chord, voice, note?, semitones}")
        chord, voice, index, step = (
            t.get("chord"),
            t.get("voice"),
            t.get("note", 0),
            t.get("semitones"),
        )
        if not isinstance(chord, int) or isinstance(chord, bool) or not 0 <= chord < len(out):
            raise HelperError("bad_request", "tweak: chord is out of range")
        if (
            voice not in out[chord]
            or not isinstance(index, int)
            or isinstance(index, bool)
            or not 0 <= index < len(out[chord][voice])
        ):
            raise HelperError("bad_request", "tweak: no such voice or note in that chord")
        if not isinstance(step, int) or isinstance(step, bool) or not -12 <= step <= 12:
            raise HelperError("bad_request", "tweak: semitones must be -12..12")
        moved = out[chord][voice][index] + step
        if not 21 <= moved <= 108:
            raise HelperError("bad_request", "tweak: the note leaves the keyboard's range")
        out[chord][voice][index] = moved
    return out


def build_ops(
    doc: Doc,
    req: VoicingRequest,
    result: dict[str, Any],
    notes: list[dict[str, list[int]]],
    prefix: str,
) -> list[dict[str, Any]]:
    """``write_event`` ops with fresh IDs putting ``notes`` into the target parts, voice 1.

    A span that is not one notated value becomes tied notes (rests for N.C.).
    """
    taken = set(all_ids(doc))
    counter = iter(range(1, 1_000_000))

    def fresh(kind: str) -> str:
        while True:
            candidate = f"{prefix}{kind}{next(counter)}"
            if candidate not in taken:
                taken.add(candidate)
                return candidate

    keys: dict[str, int] = {}
    key = 0
    for m in doc["measures"]:
        key = m.get("key", key)
        keys[m["id"]] = key
    ops: list[dict[str, Any]] = []
    for raw, chord in zip(result["slots"], notes, strict=True):
        offset, end = Fraction(raw["offset"]), Fraction(raw["end"])
        spec = parse_symbol(raw["symbol"])
        try:
            pieces = rest_durations(end - offset, offset)
        except ValueError as exc:
            raise HelperError("bad_request", f"m. {raw['number']}: {exc}") from None
        for voice in req.written_voices:
            midis = sorted(set(chord.get(voice, [])))
            position = offset
            for i, dur in enumerate(pieces):
                tie = {"tie": True} if i + 1 < len(pieces) else {}
                event_notes = [
                    {"id": fresh("n"), **spell_midi(m, spec, keys[raw["measure"]]), **tie}
                    for m in midis
                ]
                ops.append(
                    {
                        "op": "write_event",
                        "part": req.parts[voice],
                        "measure": raw["measure"],
                        "offset": format_fraction(position),
                        "voice": "1",
                        "event": {"id": fresh("e"), "dur": dur, "notes": event_notes},
                    }
                )
                position += dur_value(dur)
    return ops


# --- the service ---------------------------------------------------------------------------


class HelperService:
    """The helper's actions on one ``ScoreService``; every method checks who may do it."""

    def __init__(self, scores: ScoreService) -> None:
        self.scores = scores
        self._views: dict[str, HistoryView] = {}
        self._lock = threading.RLock()
        self._names: dict[int, str] = {}

    # --- who may use it -------------------------------------------------------------------

    def _role(self, score_id: str, user_id: int, needed: str) -> str:
        role = self.scores.role_of(score_id, user_id)
        if role is None or _RANK.get(role, -1) < _RANK[needed]:
            raise HelperError("forbidden", f"this needs the {needed} role in the score")
        return role

    def status(self, score_id: str, user_id: int) -> dict[str, Any]:
        """Whether the helper answers this user here, and if not, why."""
        role = self._role(score_id, user_id, "viewer")
        score_on = bool(self.scores.get_settings(score_id).get("helper_enabled"))
        user_on = bool(self.scores.get_user_preferences(user_id).get("helper_opt_in"))
        reason = None
        if not score_on:
            reason = "helper_disabled"
        elif not user_on:
            reason = "helper_not_enabled_for_user"
        return {
            "score_enabled": score_on,
            "user_enabled": user_on,
            "available": reason is None,
            "reason": reason,
            "role": role,
            "can_switch_score": role == "owner",
        }

    def _require_available(self, score_id: str, user_id: int, role: str = "editor") -> None:
        self._role(score_id, user_id, role)
        state = self.status(score_id, user_id)
        if state["reason"] == "helper_disabled":
            raise HelperError(
                "helper_disabled", "the score's owner has switched the helper off for this score"
            )
        if state["reason"] == "helper_not_enabled_for_user":
            raise HelperError(
                "helper_not_enabled_for_user",
                "turn the helper on for yourself first; it is off by default",
            )

    def set_opt_in(self, user_id: int, enabled: bool) -> dict[str, Any]:
        return self.scores.update_user_preferences(user_id, helper_opt_in=bool(enabled))

    def set_score_enabled(self, score_id: str, user_id: int, enabled: bool) -> dict[str, Any]:
        """Only the owner switches the helper on or off for everyone in the score."""
        if self._role(score_id, user_id, "viewer") != "owner":
            raise HelperError("forbidden", "only the score's owner can switch the helper")
        return self.scores.update_settings(score_id, helper_enabled=bool(enabled))

    # --- suggestions ------------------------------------------------------------------------

    def _name(self, user_id: int | None) -> dict[str, Any] | None:
        if user_id is None:
            return None
        if user_id not in self._names:
            user = self.scores.user_by_id(user_id)
            self._names[user_id] = str(user["display_name"]) if user else f"user {user_id}"
        return {"id": user_id, "name": self._names[user_id]}

    def _public(self, row: dict[str, Any], reverted: dict[int, int]) -> dict[str, Any]:
        def when(value: Any) -> Any:
            return value.isoformat() if value is not None else None

        accepted = row["accepted_seq"]
        return {
            "id": row["id"],
            "score": row["score_id"],
            "status": row["status"],
            "requested_by": self._name(row["requested_by"]),
            "request": row["request"],
            "result": row["result"],
            "created_at": when(row["created_at"]),
            "decided_by": self._name(row["decided_by"]),
            "decided_at": when(row["decided_at"]),
            "accepted_seq": accepted,
            "reverted_seq": reverted.get(accepted) if accepted else None,
        }

    def _reverted(self, score_id: str) -> dict[int, int]:
        """accepted seq -> the revert edit's seq, from the log (the record of reverts)."""
        out: dict[int, int] = {}
        for edit in self._view(score_id).edits:
            if edit.origin == "revert":
                for seq in edit.meta.get("reverts", []):
                    out.setdefault(int(seq), edit.seq)
        return out

    def _suggestion(self, score_id: str, suggestion_id: int) -> dict[str, Any]:
        row = self.scores.get_suggestion(suggestion_id)
        if row is None or row["score_id"] != score_id:
            raise HelperError("not_found", "no such suggestion in this score")
        return row

    def list_suggestions(
        self, score_id: str, user_id: int, status: str | None = None
    ) -> list[dict[str, Any]]:
        self._role(score_id, user_id, "viewer")
        rows = self.scores.suggestions(score_id, status)
        # Reading the log for reverts is only needed once something was accepted.
        accepted = any(r["accepted_seq"] is not None for r in rows)
        reverted = self._reverted(score_id) if accepted else {}
        return [self._public(r, reverted) for r in rows]

    def get(self, score_id: str, suggestion_id: int, user_id: int | None = None) -> dict[str, Any]:
        """One suggestion; with ``user_id``, only for a member of the score."""
        if user_id is not None:
            self._role(score_id, user_id, "viewer")
        return self._public(self._suggestion(score_id, suggestion_id), self._reverted(score_id))

    def request(self, score_id: str, user_id: int, payload: Any) -> dict[str, Any]:
        """Compute and store a pending suggestion; the score itself is not touched."""
        self._require_available(score_id, user_id)
        doc, head = self.scores.load(score_id)
        req = parse_request(doc, payload)
        result = {**compute(doc, req), "head_seq": head}
        row = self.scores.create_suggestion(score_id, user_id, req.to_json(), result)
        return self._public(row, {})

    def _ops(
        self, score_id: str, row: dict[str, Any], alternative: Any, tweaks: Any, prefix: str
    ) -> list[dict[str, Any]]:
        """The write ops of one (tweaked) alternative against the current head."""
        result = row["result"] or {}
        alts = result.get("alternatives", [])
        if (
            not isinstance(alternative, int)
            or isinstance(alternative, bool)
            or not 0 <= alternative < len(alts)
        ):
            raise HelperError("bad_request", f"alternative must be 0..{len(alts) - 1}")
        notes = alts[alternative]["notes"]
        if tweaks:
            notes = apply_tweaks(notes, tweaks)
        doc, _ = self.scores.load(score_id)
        return build_ops(doc, VoicingRequest(**row["request"]), result, notes,
                         prefix + secrets.token_hex(2))  # fmt: skip

    def preview(
        self, score_id: str, suggestion_id: int, user_id: int, alternative: Any, tweaks: Any = None
    ) -> dict[str, Any]:
        """What accepting would write (ops with throwaway IDs), for drawing a preview only."""
        self._require_available(score_id, user_id, "viewer")
        row = self._suggestion(score_id, suggestion_id)
        ops = self._ops(score_id, row, alternative, tweaks, "hp")
        note_ids = [n["id"] for op in ops for n in op["event"]["notes"]]
        return {"ops": ops, "note_ids": note_ids, "request": row["request"]}

    def accept(
        self, score_id: str, suggestion_id: int, user_id: int, alternative: Any, tweaks: Any = None
    ) -> tuple[dict[str, Any], CommittedEdit]:
        """One ``helper`` edit authored by the accepter; the suggestion records its seq."""
        self._require_available(score_id, user_id)
        with self._lock:  # one accept at a time in this process (the DB guard covers others)
            row = self._suggestion(score_id, suggestion_id)
            if row["status"] != "pending":
                raise HelperError("already_decided", f"this suggestion is {row['status']}")
            tweaked = bool(tweaks)
            ops = self._ops(score_id, row, alternative, tweaks, f"h{suggestion_id}")
            accepter = self._name(user_id)
            assert accepter is not None
            meta = {
                "suggestion_id": suggestion_id,
                "alternative": alternative,
                "accepted_by": accepter["name"],
                "accepted_by_id": user_id,
                "tweaked": tweaked,
            }
            if tweaked:
                meta["tweaks"] = tweaks
            try:
                edit = self.scores.submit(score_id, user_id, ops, origin="helper", meta=meta)
            except InvalidOp as exc:
                raise HelperError("invalid_op", exc.message) from None
            decided = self.scores.decide_suggestion(suggestion_id, "accepted", user_id, edit.seq)
        if decided is None:  # decided by another process meanwhile; the edit still stands
            decided = self._suggestion(score_id, suggestion_id)
        return self._public(decided, {}), edit

    def reject(self, score_id: str, suggestion_id: int, user_id: int) -> dict[str, Any]:
        self._role(score_id, user_id, "editor")
        row = self._suggestion(score_id, suggestion_id)
        if row["status"] != "pending":
            raise HelperError("already_decided", f"this suggestion is {row['status']}")
        decided = self.scores.decide_suggestion(suggestion_id, "rejected", user_id)
        if decided is None:
            raise HelperError("already_decided", "this suggestion was decided meanwhile")
        return self._public(decided, {})

    def revert(
        self, score_id: str, suggestion_id: int, user_id: int
    ) -> tuple[dict[str, Any], CommittedEdit, list[str]]:
        """Undo an accepted suggestion as a new ``revert`` edit; conflicts are reported."""
        self._role(score_id, user_id, "editor")
        row = self._suggestion(score_id, suggestion_id)
        seq = row["accepted_seq"]
        if row["status"] != "accepted" or seq is None:
            raise HelperError("not_accepted", "only an accepted suggestion can be reverted")
        with self._lock:
            if seq in self._reverted(score_id):
                raise HelperError("already_reverted", "this suggestion was already reverted")
            plan = self._view(score_id).plan_revert([seq])
        notes = plan.conflicts + [str(k) for k in plan.unrestored]
        if plan.empty:
            raise HelperError(
                "nothing_to_revert",
                "later edits changed everything it wrote",
                conflicts=plan.conflicts,
            )
        edit = self.scores.submit(
            score_id,
            user_id,
            plan.ops,
            origin="revert",
            meta={"reverts": plan.reverted, "suggestion_id": suggestion_id},
        )
        return self.get(score_id, suggestion_id), edit, notes

    # --- history --------------------------------------------------------------------------

    def _view(self, score_id: str) -> HistoryView:
        """A history view kept at the head: built once, then fed the new edits."""
        with self._lock:
            view = self._views.get(score_id)
            if view is None:
                view = HistoryView(self.scores.doc_at(score_id, 0), self.scores.edits(score_id))
                self._views[score_id] = view
            else:
                for edit in self.scores.edits_since(score_id, view.seq):
                    view.append(edit)
            return view

    def provenance(self, score_id: str, user_id: int) -> dict[str, Any]:
        """Notes standing by who wrote them, the helper's share and what people did with it."""
        self._role(score_id, user_id, "viewer")
        from .history import helper_provenance

        with self._lock:
            view = self._view(score_id)
            blame = view.blame()
            people = helper = changed = 0
            by_accepter: dict[str, int] = {}
            marked: dict[str, dict[str, Any]] = {}
            for entry in blame.of_kind("note"):
                if not entry.via_helper:
                    people += 1
                    continue
                helper += 1
                who = entry.created.accepted_by or entry.created.author_name
                by_accepter[who] = by_accepter.get(who, 0) + 1
                if entry.changed is not None and entry.changed.origin != "helper":
                    changed += 1
                else:
                    marked[entry.id] = {
                        "accepted_by": who,
                        "suggestion_id": entry.created.suggestion_id,
                        "seq": entry.created.seq,
                    }
            authors = [a.to_json() for a in view.contributions()]
            overall = helper_provenance(blame)
            seq = view.seq
        return {
            "seq": seq,
            "notes_standing": people + helper,
            "written_by_people": people,
            "from_helper": helper,
            "from_helper_changed_by_people": changed,
            "from_helper_by_accepter": by_accepter,
            "helper_notes": marked,
            "helper_all_time": overall,
            "authors": authors,
        }


__all__ = [
    "TARGETS",
    "HelperError",
    "HelperService",
    "Slot",
    "VoicingRequest",
    "apply_tweaks",
    "build_ops",
    "chord_slots",
    "compute",
    "parse_request",
    "spell_midi",
]

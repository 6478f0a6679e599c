"""``HelperService``: who may use the helper, storing suggestions, accepting one as a single
attributed ``helper`` edit, rejecting, reverting in one action, and the provenance summary.

Calls the ``EditLog``, the record repositories it needs, ``server.history`` and
``.passage``: no Flask, Socket.IO or SQL (the web layer broadcasts what this returns).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Any

from ..auth.roles import require
from ..editing import CommittedEdit, EditLog
from ..history import HistoryView, helper_provenance, plan_revert
from ..history.lazy import count_upto
from ..history_service import HistoryViews
from ..persistence import (
    Members,
    Repositories,
    ScoreSettings,
    Suggestions,
    UserPreferences,
    Users,
)
from ..score import InvalidOp
from .passage import HelperError, VoicingRequest, apply_tweaks, build_ops, compute, parse_request

#: ``(score_id, seq, request) -> result``: where a suggestion's result is computed.
Voicing = Callable[[str, int, dict[str, Any]], dict[str, Any]]

#: What each role check guards, for the refusal's message.
_ACTIONS = {"viewer": "see this score's helper", "editor": "use the helper in this score",
            "owner": "manage this score"}  # fmt: skip


class HelperService:
    """The helper's actions on one ``EditLog``; every method checks who may do it."""

    def __init__(
        self,
        scores: EditLog,
        *,
        users: Users,
        members: Members,
        settings: ScoreSettings,
        preferences: UserPreferences,
        suggestions: Suggestions,
        views: HistoryViews,
        voicing: Voicing | None = None,
        refusal: Callable[[str, int], str | None] | None = None,
    ) -> None:
        """``voicing(score_id, seq, request)`` computes a suggestion's result; the server
        passes the job pool's (the engine runs in another process, off the event loop),
        by default it runs here. ``refusal(score_id, user_id)``: why a rule beyond roles
        forbids the helper there (``ClassroomPolicy.helper_refusal``), or ``None``."""
        self.scores = scores
        self.users = users
        self.members = members
        self.settings = settings
        self.preferences = preferences
        self.store = suggestions
        # The per-score history views of this process, shared with the history API so a
        # score's history is built and held once.
        self.views = views
        self._voicing = voicing
        self.refusal = refusal
        self._lock = threading.RLock()
        self._names: dict[int, str] = {}

    @classmethod
    def over(
        cls,
        scores: EditLog,
        repos: Repositories,
        views: HistoryViews | None = None,
        *,
        voicing: Voicing | None = None,
        refusal: Callable[[str, int], str | None] | None = None,
    ) -> HelperService:
        """Wired from ``repos`` (the repositories it needs), with its own views by default."""
        return cls(
            scores,
            users=repos.users,
            members=repos.members,
            settings=repos.settings,
            preferences=repos.preferences,
            suggestions=repos.suggestions,
            views=views if views is not None else HistoryViews(scores, repos.checkpoints),
            voicing=voicing,
            refusal=refusal,
        )

    # --- who may use it -------------------------------------------------------------------

    def _role(self, score_id: str, user_id: int, needed: str) -> str:
        return require(self.members.role_of(score_id, user_id), needed, _ACTIONS[needed])

    def status(self, score_id: str, user_id: int) -> dict[str, Any]:
        """Whether the helper answers this user here, and if not, why."""
        role = self._role(score_id, user_id, "viewer")
        score_on = bool(self.settings.get_settings(score_id).get("helper_enabled"))
        user_on = bool(self.preferences.get_user_preferences(user_id).get("helper_opt_in"))
        reason = None
        forbidden = self.refusal(score_id, user_id) if self.refusal is not None else None
        if forbidden is not None:
            reason = "helper_forbidden"
        elif not score_on:
            reason = "helper_disabled"
        elif not user_on:
            reason = "helper_not_enabled_for_user"
        return {
            "score_enabled": score_on,
            "user_enabled": user_on,
            "available": reason is None,
            "reason": reason,
            "role": role,
            "can_switch_score": role == "owner" and forbidden is None,
            **({"message": forbidden} if forbidden is not None else {}),
        }

    def _require_available(self, score_id: str, user_id: int, role: str = "editor") -> None:
        self._role(score_id, user_id, role)
        state = self.status(score_id, user_id)
        if state["reason"] == "helper_forbidden":
            raise HelperError("forbidden", state["message"], reason="helper_forbidden")
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
        return self.preferences.update_user_preferences(user_id, helper_opt_in=bool(enabled))

    def set_score_enabled(self, score_id: str, user_id: int, enabled: bool) -> dict[str, Any]:
        """Only the owner switches the helper on or off for everyone in the score."""
        if self._role(score_id, user_id, "viewer") != "owner":
            raise HelperError("forbidden", "only the score's owner can switch the helper")
        forbidden = self.refusal(score_id, user_id) if self.refusal is not None else None
        if enabled and forbidden is not None:
            raise HelperError("forbidden", forbidden, reason="helper_forbidden")
        return self.settings.update_settings(score_id, helper_enabled=bool(enabled))

    # --- suggestions ------------------------------------------------------------------------

    def _name(self, user_id: int | None) -> dict[str, Any] | None:
        if user_id is None:
            return None
        if user_id not in self._names:
            user = self.users.user_by_id(user_id)
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
        with self.views.lock:
            edits = list(self._view(score_id).edits)
        for edit in edits:
            if edit.origin == "revert":
                for seq in edit.meta.get("reverts", []):
                    out.setdefault(int(seq), edit.seq)
        return out

    def _suggestion(self, score_id: str, suggestion_id: int) -> dict[str, Any]:
        row = self.store.get_suggestion(suggestion_id)
        if row is None or row["score_id"] != score_id:
            raise HelperError("not_found", "no such suggestion in this score")
        return row

    def list_suggestions(
        self, score_id: str, user_id: int, status: str | None = None
    ) -> list[dict[str, Any]]:
        self._role(score_id, user_id, "viewer")
        rows = self.store.suggestions(score_id, status)
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
        found = compute(doc, req) if self._voicing is None else (
            self._voicing(score_id, head, req.to_json())
        )  # fmt: skip
        result = {**found, "head_seq": head}
        row = self.store.create_suggestion(score_id, user_id, req.to_json(), result)
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
            decided = self.store.decide_suggestion(suggestion_id, "accepted", user_id, edit.seq)
        if decided is None:  # decided by another process meanwhile; the edit still stands
            decided = self._suggestion(score_id, suggestion_id)
        return self._public(decided, {}), edit

    def reject(self, score_id: str, suggestion_id: int, user_id: int) -> dict[str, Any]:
        self._role(score_id, user_id, "editor")
        row = self._suggestion(score_id, suggestion_id)
        if row["status"] != "pending":
            raise HelperError("already_decided", f"this suggestion is {row['status']}")
        decided = self.store.decide_suggestion(suggestion_id, "rejected", user_id)
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
        with self._lock, self.views.lock:
            if seq in self._reverted(score_id):
                raise HelperError("already_reverted", "this suggestion was already reverted")
            view = self._view(score_id)
            # Only the edits from the accepted one on can bear on it; unwinding just that
            # suffix from the head gives the same plan without walking the whole log.
            plan = plan_revert(view.head, view.edits[count_upto(view.edits, seq - 1) :], [seq])
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
        # plan.conflicts already names what was kept: changed later, or depended upon.
        return self.get(score_id, suggestion_id), edit, list(plan.conflicts)

    # --- history --------------------------------------------------------------------------

    def _view(self, score_id: str) -> HistoryView:
        """The score's history view at the head (shared, see ``HistoryViews``)."""
        return self.views.get(score_id)

    def provenance(self, score_id: str, user_id: int) -> dict[str, Any]:
        """Notes standing by who wrote them, the helper's share and what people did with it."""
        self._role(score_id, user_id, "viewer")
        with self.views.lock:
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


__all__ = ["HelperService"]

"""``Store``: the plain record operations of the service (users, members, settings,
versions, suggestions, preferences, history checkpoints), each one transaction over
``repository``.

``server.editing.ScoreService`` inherits them; the edit log itself lives there.
Imports nothing above the persistence package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import checkpoints, repository
from .db import Database
from .models import ROLES, SUGGESTION_STATUSES

DEFAULT_SETTINGS: dict[str, Any] = {"helper_enabled": False}
#: Per-user choices; the voicing helper is off until the person turns it on.
DEFAULT_USER_PREFERENCES: dict[str, Any] = {"helper_opt_in": False}


class ScoreNotFound(LookupError):
    """No score with this id."""


class UserNotFound(LookupError):
    """No user with this id."""


class Store:
    """Record operations over ``self.db``; every method is one short transaction."""

    db: Database

    # --- users ---------------------------------------------------------------------

    def create_user(
        self,
        name: str,
        password_hash: str,
        display_name: str | None = None,
        colour: str | None = None,
    ) -> int:
        """A new user's id; ``persistence.NameTaken`` if the name is in use."""
        if not name or len(name) > 64:
            raise ValueError("a user name needs 1 to 64 characters")
        with self.db.write() as conn:
            return repository.create_user(
                conn,
                name,
                password_hash,
                display_name or name,
                colour or repository.colour_for(name),
            )

    def user_by_name(self, name: str) -> dict[str, Any] | None:
        with self.db.read() as conn:
            return repository.user_by_name(conn, name)

    def user_by_id(self, user_id: int) -> dict[str, Any] | None:
        with self.db.read() as conn:
            return repository.user_by_id(conn, user_id)

    def score_info(self, score_id: str) -> dict[str, Any]:
        """id, title, owner_id, head_seq, settings, created_at."""
        with self.db.read() as conn:
            row = repository.score_row(conn, score_id)
        if row is None:
            raise ScoreNotFound(score_id)
        return row

    def role_of(self, score_id: str, user_id: int) -> str | None:
        with self.db.read() as conn:
            return repository.role_of(conn, score_id, user_id)

    def set_member(self, score_id: str, user_id: int, role: str | None) -> None:
        """Grant ``role`` (owner, editor, viewer); ``None`` removes the member."""
        if role is not None and role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        with self.db.write() as conn:
            if repository.head_seq(conn, score_id) is None:
                raise ScoreNotFound(score_id)
            repository.set_member(conn, score_id, user_id, role)

    def members(self, score_id: str) -> list[dict[str, Any]]:
        with self.db.read() as conn:
            return repository.members(conn, score_id)

    def scores_for(self, user_id: int) -> list[dict[str, Any]]:
        """The scores ``user_id`` is a member of, newest first, with their role."""
        with self.db.read() as conn:
            return repository.scores_for(conn, user_id)

    def get_settings(self, score_id: str) -> dict[str, Any]:
        with self.db.read() as conn:
            settings = repository.get_settings(conn, score_id)
        if settings is None:
            raise ScoreNotFound(score_id)
        return {**DEFAULT_SETTINGS, **settings}

    def update_settings(self, score_id: str, **changes: Any) -> dict[str, Any]:
        """Merge ``changes`` into the score's settings; returns the new settings."""
        with self.db.write() as conn:
            settings = repository.get_settings(conn, score_id)
            if settings is None:
                raise ScoreNotFound(score_id)
            merged = {**DEFAULT_SETTINGS, **settings, **changes}
            repository.put_settings(conn, score_id, merged)
        return merged

    # --- versions and suggestions -----------------------------------------------------------

    def create_version(
        self, score_id: str, label: str, author_id: int, seq: int | None = None
    ) -> dict[str, Any]:
        """Name a point in the history (default: the head)."""
        with self.db.write() as conn:
            head = repository.head_seq(conn, score_id)
            if head is None:
                raise ScoreNotFound(score_id)
            seq = head if seq is None else seq
            if not 0 <= seq <= head:
                raise ValueError(f"seq {seq} is outside 0..{head}")
            return repository.create_version(conn, score_id, seq, label, author_id)

    def versions(self, score_id: str) -> list[dict[str, Any]]:
        with self.db.read() as conn:
            return repository.versions_of(conn, score_id)

    def create_suggestion(
        self,
        score_id: str,
        requested_by: int,
        request: dict[str, Any],
        result: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        with self.db.write() as conn:
            if repository.head_seq(conn, score_id) is None:
                raise ScoreNotFound(score_id)
            return repository.create_suggestion(conn, score_id, requested_by, request, result)

    def get_suggestion(self, suggestion_id: int) -> dict[str, Any] | None:
        with self.db.read() as conn:
            return repository.suggestion_by_id(conn, suggestion_id)

    def suggestions(self, score_id: str, status: str | None = None) -> list[dict[str, Any]]:
        with self.db.read() as conn:
            return repository.suggestions_of(conn, score_id, status)

    def set_suggestion_result(self, suggestion_id: int, result: dict[str, Any]) -> bool:
        with self.db.write() as conn:
            return repository.set_suggestion_result(conn, suggestion_id, result)

    def decide_suggestion(
        self,
        suggestion_id: int,
        status: str,
        decided_by: int,
        accepted_seq: int | None = None,
    ) -> dict[str, Any] | None:
        """Accept, reject or withdraw a pending suggestion; None if it was already decided."""
        if status not in SUGGESTION_STATUSES or status == "pending":
            raise ValueError(f"status must be one of {SUGGESTION_STATUSES[1:]}")
        with self.db.write() as conn:
            if not repository.decide_suggestion(
                conn, suggestion_id, status, decided_by, accepted_seq
            ):
                return None
            return repository.suggestion_by_id(conn, suggestion_id)

    # --- per-user preferences (appended for the voicing helper) ---------------------------

    def get_user_preferences(self, user_id: int) -> dict[str, Any]:
        """The user's preferences merged over the defaults (helper off until turned on)."""
        with self.db.read() as conn:
            return {**DEFAULT_USER_PREFERENCES, **repository.get_preferences(conn, user_id)}

    def update_user_preferences(self, user_id: int, **changes: Any) -> dict[str, Any]:
        """Merge ``changes`` into the user's preferences; returns the new preferences."""
        if self.user_by_id(user_id) is None:
            raise UserNotFound(user_id)
        with self.db.write() as conn:
            merged = {
                **DEFAULT_USER_PREFERENCES,
                **repository.get_preferences(conn, user_id),
                **changes,
            }
            repository.put_preferences(conn, user_id, merged)
        return merged

    # --- history view checkpoints (a cache: see docs/history.md) ---------------------------

    def save_history_checkpoint(
        self,
        score_id: str,
        seq: int,
        state: dict[str, Any],
        *,
        keep: int = 2,
        pause: Callable[[], None] | None = None,
    ) -> bool:
        """Store a history view's ``state`` after edit ``seq`` (zlib-compressed JSON, encoded
        in pieces with ``pause`` between them, outside the write transaction) and keep only
        the newest ``keep`` per score. A checkpoint already at ``seq`` is replaced; False
        if another process inserted that seq meanwhile."""
        data = checkpoints.encode(state, pause)
        with self.db.write() as conn:
            if repository.head_seq(conn, score_id) is None:
                raise ScoreNotFound(score_id)
            return repository.put_history_checkpoint(conn, score_id, seq, data, keep=keep)

    def latest_history_checkpoint(
        self, score_id: str, *, pause: Callable[[], None] | None = None
    ) -> tuple[int, dict[str, Any]] | None:
        """(seq, state) of the score's newest checkpoint, or None; raises
        ``checkpoints.CorruptCheckpoint`` when the stored bytes do not decode. Decoded in
        pieces, calling ``pause`` between them."""
        with self.db.read() as conn:
            found = repository.latest_history_checkpoint(conn, score_id)
        if found is None:
            return None
        seq, data = found
        return seq, checkpoints.decode(data, pause)

    def edit_hash_at(self, score_id: str, seq: int) -> str | None:
        """The chain hash of edit ``seq`` (None if there is no such edit): what a checkpoint
        records to prove it was built from this very log."""
        with self.db.read() as conn:
            return repository.edit_hash_at(conn, score_id, seq)

    def snapshots_spaced(
        self,
        score_id: str,
        upto: int,
        spacing: int,
        *,
        batch: int = 4,
        pause: Callable[[], None] | None = None,
    ) -> list[tuple[int, dict[str, Any]]]:
        """Stored snapshots up to ``upto``, each at least ``spacing`` edits after the previous
        one chosen (seq 0 first): enough for a history view's ``doc_at`` without loading all.
        Read ``batch`` documents per query, calling ``pause`` between queries."""
        with self.db.read() as conn:
            seqs = repository.snapshot_seqs(conn, score_id, upto)
        chosen: list[int] = []
        for seq in seqs:
            if not chosen or seq - chosen[-1] >= spacing:
                chosen.append(seq)
        out: list[tuple[int, dict[str, Any]]] = []
        for start in range(0, len(chosen), batch):
            if start and pause is not None:
                pause()
            with self.db.read() as conn:
                out.extend(repository.snapshots_at(conn, score_id, chosen[start : start + batch]))
        return out

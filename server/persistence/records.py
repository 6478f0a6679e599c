"""Queries for what sits beside the edit log: named versions, helper suggestions,
per-user preferences and history-view checkpoints. Same conventions as ``repository``
(a ``Connection`` in, plain data out, no commits)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from .models import HistoryCheckpoint, Suggestion, User, UserPreference, Version
from .rows import to_dict, to_dicts, utcnow

# --- versions ------------------------------------------------------------------------

_VERSION_COLUMNS = (
    Version.id, Version.score_id, Version.seq, Version.label, Version.author_id,
    Version.created_at, User.display_name.label("author_name"),
)  # fmt: skip


def create_version(
    conn: Connection, score_id: str, seq: int, label: str, author_id: int
) -> dict[str, Any]:
    version_id = conn.execute(
        insert(Version)
        .values(score_id=score_id, seq=seq, label=label[:256], author_id=author_id,
                created_at=utcnow())
        .returning(Version.id)
    ).scalar_one()  # fmt: skip
    found = version_by_id(conn, int(version_id))
    assert found is not None
    return found


def version_by_id(conn: Connection, version_id: int) -> dict[str, Any] | None:
    return to_dict(
        conn.execute(
            select(*_VERSION_COLUMNS)
            .join(User, User.id == Version.author_id)
            .where(Version.id == version_id)
        ).first()
    )


def versions_of(conn: Connection, score_id: str) -> list[dict[str, Any]]:
    return to_dicts(
        conn.execute(
            select(*_VERSION_COLUMNS)
            .join(User, User.id == Version.author_id)
            .where(Version.score_id == score_id)
            .order_by(Version.seq, Version.id)
        )
    )


# --- suggestions ---------------------------------------------------------------------

_SUGGESTION_COLUMNS = (
    Suggestion.id, Suggestion.score_id, Suggestion.requested_by, Suggestion.status,
    Suggestion.request, Suggestion.result, Suggestion.decided_by, Suggestion.decided_at,
    Suggestion.created_at, Suggestion.accepted_seq,
)  # fmt: skip


def create_suggestion(
    conn: Connection,
    score_id: str,
    requested_by: int,
    request: dict[str, Any],
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    suggestion_id = conn.execute(
        insert(Suggestion)
        .values(score_id=score_id, requested_by=requested_by, status="pending",
                request=request, result=result, created_at=utcnow())
        .returning(Suggestion.id)
    ).scalar_one()  # fmt: skip
    found = suggestion_by_id(conn, int(suggestion_id))
    assert found is not None
    return found


def suggestion_by_id(conn: Connection, suggestion_id: int) -> dict[str, Any] | None:
    return to_dict(
        conn.execute(select(*_SUGGESTION_COLUMNS).where(Suggestion.id == suggestion_id)).first()
    )


def suggestions_of(
    conn: Connection, score_id: str, status: str | None = None
) -> list[dict[str, Any]]:
    query = select(*_SUGGESTION_COLUMNS).where(Suggestion.score_id == score_id)
    if status is not None:
        query = query.where(Suggestion.status == status)
    return to_dicts(conn.execute(query.order_by(Suggestion.id)))


def set_suggestion_result(conn: Connection, suggestion_id: int, result: dict[str, Any]) -> bool:
    """Store the helper's answer; only while the suggestion is still pending."""
    done = conn.execute(
        update(Suggestion)
        .where(Suggestion.id == suggestion_id, Suggestion.status == "pending")
        .values(result=result)
    )
    return bool(done.rowcount)


def decide_suggestion(
    conn: Connection,
    suggestion_id: int,
    status: str,
    decided_by: int,
    accepted_seq: int | None = None,
) -> bool:
    """Move a pending suggestion to ``status``; False if it was already decided.

    The ``status = 'pending'`` guard makes a double accept (two people clicking at
    once) decide exactly once.
    """
    done = conn.execute(
        update(Suggestion)
        .where(Suggestion.id == suggestion_id, Suggestion.status == "pending")
        .values(status=status, decided_by=decided_by, decided_at=utcnow(),
                accepted_seq=accepted_seq)
    )  # fmt: skip
    return bool(done.rowcount)


# --- per-user preferences (appended for the voicing helper) ---------------------------


def get_preferences(conn: Connection, user_id: int) -> dict[str, Any]:
    value = conn.execute(
        select(UserPreference.prefs).where(UserPreference.user_id == user_id)
    ).scalar()
    return {} if value is None else dict(value)


def put_preferences(conn: Connection, user_id: int, prefs: dict[str, Any]) -> None:
    """Insert or replace the user's preferences (portable: no dialect upsert)."""
    done = conn.execute(
        update(UserPreference).where(UserPreference.user_id == user_id).values(prefs=prefs)
    )
    if not done.rowcount:
        conn.execute(insert(UserPreference).values(user_id=user_id, prefs=prefs))


# --- history view checkpoints (a cache; see docs/history.md) ---------------------------


def put_history_checkpoint(
    conn: Connection, score_id: str, seq: int, data: bytes, *, keep: int = 2
) -> bool:
    """Store ``data`` as the checkpoint at ``seq``, replacing one stored there (it may be
    damaged; a sound one holds the same state), and drop all but the newest ``keep``.
    False if another process inserted that seq first (its row is kept)."""
    stored = True
    done = conn.execute(
        update(HistoryCheckpoint)
        .where(HistoryCheckpoint.score_id == score_id, HistoryCheckpoint.seq == seq)
        .values(state=data, created_at=utcnow())
    )
    if not done.rowcount:
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(HistoryCheckpoint).values(
                        score_id=score_id, seq=seq, state=data, created_at=utcnow()
                    )
                )
        except IntegrityError:
            stored = False
    oldest_kept = conn.execute(
        select(HistoryCheckpoint.seq)
        .where(HistoryCheckpoint.score_id == score_id)
        .order_by(HistoryCheckpoint.seq.desc())
        .offset(keep - 1)
        .limit(1)
    ).scalar()
    if oldest_kept is not None:
        conn.execute(
            delete(HistoryCheckpoint).where(
                HistoryCheckpoint.score_id == score_id, HistoryCheckpoint.seq < oldest_kept
            )
        )
    return stored


def latest_history_checkpoint(conn: Connection, score_id: str) -> tuple[int, bytes] | None:
    row = conn.execute(
        select(HistoryCheckpoint.seq, HistoryCheckpoint.state)
        .where(HistoryCheckpoint.score_id == score_id)
        .order_by(HistoryCheckpoint.seq.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row.seq), bytes(row.state))

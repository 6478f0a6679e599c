"""``Comments`` and ``Notifications``: comment threads of a score (roots and replies, their
anchors and resolved state) and the notifications a mention raises. Queries and rows
only; who may do what is the comments use case's job. Imports nothing above persistence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from ..errors import ScoreNotFound
from . import repository
from .db import Database
from .models import Comment, Notification, User
from .rows import to_dict, to_dicts, utcnow

#: The columns of a comment as the use case sees it, with its author's name.
_COLUMNS = (
    Comment.id,
    Comment.score_id,
    Comment.parent_id,
    Comment.author_id,
    User.name.label("author_name"),
    User.display_name.label("author_display_name"),
    Comment.body,
    Comment.anchor,
    Comment.seq,
    Comment.created_at,
    Comment.edited_at,
    Comment.resolved_by,
    Comment.resolved_at,
)


def _comments() -> Any:
    return select(*_COLUMNS).join(User, User.id == Comment.author_id)


def _comment(conn: Connection, comment_id: int) -> dict[str, Any] | None:
    return to_dict(conn.execute(_comments().where(Comment.id == comment_id)).first())


def _notifications() -> Any:
    return select(*Notification.__table__.columns)


class Comments:
    """Comment threads of every score."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self,
        score_id: str,
        author_id: int,
        body: str,
        seq: int,
        *,
        anchor: dict[str, Any] | None = None,
        parent_id: int | None = None,
    ) -> dict[str, Any]:
        """A new root (with ``anchor``) or reply (to ``parent_id``), written at ``seq``."""
        with self.db.write() as conn:
            if repository.head_seq(conn, score_id) is None:
                raise ScoreNotFound(score_id)
            comment_id = conn.execute(
                insert(Comment)
                .values(
                    score_id=score_id,
                    parent_id=parent_id,
                    author_id=author_id,
                    body=body,
                    anchor=anchor,
                    seq=seq,
                    created_at=utcnow(),
                )
                .returning(Comment.id)
            ).scalar_one()
            found = _comment(conn, int(comment_id))
        assert found is not None
        return found

    def get(self, comment_id: int) -> dict[str, Any] | None:
        with self.db.read() as conn:
            return _comment(conn, comment_id)

    def of_score(self, score_id: str) -> list[dict[str, Any]]:
        """Every comment of the score, oldest first (roots and replies)."""
        with self.db.read() as conn:
            rows = conn.execute(
                _comments().where(Comment.score_id == score_id).order_by(Comment.id)
            )
            return to_dicts(rows)

    def of_thread(self, thread_id: int) -> list[dict[str, Any]]:
        """A thread's root and its replies, oldest first."""
        with self.db.read() as conn:
            thread = or_(Comment.id == thread_id, Comment.parent_id == thread_id)
            return to_dicts(conn.execute(_comments().where(thread).order_by(Comment.id)))

    def edit(self, comment_id: int, body: str) -> dict[str, Any] | None:
        with self.db.write() as conn:
            conn.execute(
                update(Comment)
                .where(Comment.id == comment_id)
                .values(body=body, edited_at=utcnow())
            )
            return _comment(conn, comment_id)

    def set_resolved(self, comment_id: int, by: int | None) -> dict[str, Any] | None:
        """Resolve (``by`` a user) or reopen (``by`` None) a thread's root."""
        when: datetime | None = utcnow() if by is not None else None
        with self.db.write() as conn:
            conn.execute(
                update(Comment)
                .where(Comment.id == comment_id, Comment.parent_id.is_(None))
                .values(resolved_by=by, resolved_at=when)
            )
            return _comment(conn, comment_id)

    def delete(self, comment_id: int) -> bool:
        """Delete a comment; a root takes its replies (and their notifications) with it."""
        with self.db.write() as conn:
            thread = or_(Comment.id == comment_id, Comment.parent_id == comment_id)
            ids = list(conn.execute(select(Comment.id).where(thread)).scalars())
            # Explicit, not only ON DELETE CASCADE: SQLite enforces foreign keys per connection.
            conn.execute(delete(Notification).where(Notification.comment_id.in_(ids)))
            conn.execute(delete(Comment).where(Comment.parent_id == comment_id))
            return bool(conn.execute(delete(Comment).where(Comment.id == comment_id)).rowcount)


class Notifications:
    """What each person should be told (so far: they were mentioned in a comment)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self, user_ids: list[int], score_id: str, comment_id: int, actor_id: int, kind: str
    ) -> list[dict[str, Any]]:
        """One notification per user; returns them (with their ``user_id``)."""
        if not user_ids:
            return []
        now = utcnow()
        with self.db.write() as conn:
            ids = [
                int(
                    conn.execute(
                        insert(Notification)
                        .values(
                            user_id=user_id,
                            score_id=score_id,
                            comment_id=comment_id,
                            actor_id=actor_id,
                            kind=kind,
                            created_at=now,
                        )
                        .returning(Notification.id)
                    ).scalar_one()
                )
                for user_id in user_ids
            ]
            return to_dicts(conn.execute(_notifications().where(Notification.id.in_(ids))))

    def of_user(
        self, user_id: int, *, unread_only: bool = True, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The user's notifications, newest first."""
        query = _notifications().where(Notification.user_id == user_id)
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(Notification.id.desc()).limit(limit))
            return to_dicts(rows)

    def mark_read(self, user_id: int, ids: list[int] | None) -> int:
        """Mark the user's notifications ``ids`` (None: all of them) read; how many were."""
        query = update(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
        if ids is not None:
            query = query.where(Notification.id.in_(ids))
        with self.db.write() as conn:
            return int(conn.execute(query.values(read_at=utcnow())).rowcount)

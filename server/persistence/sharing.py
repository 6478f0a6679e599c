"""Who may open a score, beyond the membership rows themselves: share links, access
requests, the trash, and the per-score access version that every change bumps.

Repositories ``ShareLinks``, ``AccessRequests``, ``Trash`` and ``AccessVersions``, one
short transaction per call. The rules (who may share, which role wins) are
``server.sharing``'s; the one rule kept here is the one that must hold under concurrency:
a change that would leave a score without an owner is refused inside its transaction.
Imports nothing above the persistence package.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update

from ..errors import ScoreNotFound, TuttiError
from . import repository
from .chain import as_utc
from .db import Database
from .models import AccessRequest, Score, ScoreMember, ShareLink, TrashedScore, User
from .rows import to_dict, to_dicts, utcnow

#: Days a deleted score stays restorable before it is purged with its whole log.
TRASH_DAYS = 30


class LastOwner(TuttiError):
    """The change would leave the score without an owner."""

    def __init__(self) -> None:
        super().__init__(
            "last_owner",
            "a score needs an owner: make someone else an owner first",
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_score(conn: Connection, score_id: str) -> None:
    if repository.head_seq(conn, score_id) is None:
        raise ScoreNotFound(score_id)


def owner_count(conn: Connection, score_id: str) -> int:
    """Owners by hand (a link never grants ownership)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(ScoreMember)
            .where(ScoreMember.score_id == score_id, ScoreMember.role == "owner")
        ).scalar_one()
    )


def change_member(conn: Connection, score_id: str, user_id: int, role: str | None) -> None:
    """``set_member`` by hand (the membership stops depending on any link), refused with
    ``LastOwner`` when it would leave no owner. Runs in the caller's write transaction."""
    repository.set_member(conn, score_id, user_id, role)
    if owner_count(conn, score_id) == 0:
        raise LastOwner()  # the caller's transaction rolls the change back


class ShareLinks:
    """Share links: create (the token is shown once, only its hash is kept), list, find,
    revoke (which ends the memberships that came through it)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self, score_id: str, role: str, created_by: int, expires_at: datetime | None
    ) -> tuple[int, str]:
        """(link id, token)."""
        token = secrets.token_urlsafe(24)
        with self.db.write() as conn:
            _require_score(conn, score_id)
            link_id = conn.execute(
                insert(ShareLink)
                .values(
                    score_id=score_id,
                    token_hash=token_hash(token),
                    role=role,
                    created_by=created_by,
                    created_at=utcnow(),
                    expires_at=expires_at,
                )
                .returning(ShareLink.id)
            ).scalar_one()
        return int(link_id), token

    def of_score(self, score_id: str) -> list[dict[str, Any]]:
        """Links not revoked, newest first, each with ``members`` (how many joined by it)."""
        joined = (
            select(func.count())
            .select_from(ScoreMember)
            .where(ScoreMember.link_id == ShareLink.id)
            .scalar_subquery()
        )
        with self.db.read() as conn:
            return to_dicts(
                conn.execute(
                    select(
                        ShareLink.id,
                        ShareLink.role,
                        ShareLink.created_at,
                        ShareLink.expires_at,
                        User.name.label("created_by"),
                        joined.label("members"),
                    )
                    .join(User, User.id == ShareLink.created_by)
                    .where(ShareLink.score_id == score_id, ShareLink.revoked_at.is_(None))
                    .order_by(ShareLink.id.desc())
                )
            )

    def by_token(self, token: str) -> dict[str, Any] | None:
        """id, score_id, role, expires_at, revoked_at, and whether the score is trashed."""
        with self.db.read() as conn:
            row = to_dict(
                conn.execute(
                    select(
                        ShareLink.id,
                        ShareLink.score_id,
                        ShareLink.role,
                        ShareLink.expires_at,
                        ShareLink.revoked_at,
                        (
                            select(func.count())
                            .select_from(TrashedScore)
                            .where(TrashedScore.score_id == ShareLink.score_id)
                            .scalar_subquery()
                        ).label("trashed"),
                    ).where(ShareLink.token_hash == token_hash(token))
                ).first()
            )
        if row is not None:
            row["trashed"] = bool(row["trashed"])
        return row

    def join(self, score_id: str, user_id: int, role: str, link_id: int) -> None:
        """Make ``user_id`` a member through the link (replacing a lower membership)."""
        with self.db.write() as conn:
            repository.set_member(conn, score_id, user_id, role, link_id)

    def revoke(self, score_id: str, link_id: int) -> bool:
        """Revoke a link of this score; False when there is no such live link."""
        with self.db.write() as conn:
            done = conn.execute(
                update(ShareLink)
                .where(
                    ShareLink.id == link_id,
                    ShareLink.score_id == score_id,
                    ShareLink.revoked_at.is_(None),
                )
                .values(revoked_at=utcnow())
            ).rowcount
            if not done:
                return False
            conn.execute(delete(ScoreMember).where(ScoreMember.link_id == link_id))
            repository.bump_access(conn, score_id)
        return True


class AccessRequests:
    """A non-member's request for access, until an owner approves or denies it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def ask(self, score_id: str, user_id: int) -> str:
        """Record (or renew) a pending request; the request's status after the call."""
        with self.db.write() as conn:
            _require_score(conn, score_id)
            conn.execute(
                delete(AccessRequest).where(
                    AccessRequest.score_id == score_id, AccessRequest.user_id == user_id
                )
            )
            conn.execute(
                insert(AccessRequest).values(
                    score_id=score_id, user_id=user_id, status="pending", created_at=utcnow()
                )
            )
        return "pending"

    def status(self, score_id: str, user_id: int) -> str | None:
        with self.db.read() as conn:
            value = conn.execute(
                select(AccessRequest.status).where(
                    AccessRequest.score_id == score_id, AccessRequest.user_id == user_id
                )
            ).scalar()
        return None if value is None else str(value)

    def pending(self, score_id: str) -> list[dict[str, Any]]:
        with self.db.read() as conn:
            return to_dicts(
                conn.execute(
                    select(
                        User.id,
                        User.name,
                        User.display_name,
                        AccessRequest.created_at,
                    )
                    .join(User, User.id == AccessRequest.user_id)
                    .where(AccessRequest.score_id == score_id, AccessRequest.status == "pending")
                    .order_by(AccessRequest.created_at)
                )
            )

    def decide(self, score_id: str, user_id: int, role: str | None) -> bool:
        """Approve with ``role`` (the requester becomes a member) or deny (``None``).
        False when there is no pending request."""
        with self.db.write() as conn:
            found = conn.execute(
                select(AccessRequest.status).where(
                    AccessRequest.score_id == score_id,
                    AccessRequest.user_id == user_id,
                    AccessRequest.status == "pending",
                )
            ).scalar()
            if found is None:
                return False
            if role is None:
                conn.execute(
                    update(AccessRequest)
                    .where(AccessRequest.score_id == score_id, AccessRequest.user_id == user_id)
                    .values(status="denied")
                )
            else:
                conn.execute(
                    delete(AccessRequest).where(
                        AccessRequest.score_id == score_id, AccessRequest.user_id == user_id
                    )
                )
                change_member(conn, score_id, user_id, role)
        return True


class Trash:
    """Deleted scores: hidden from every member, restorable, purged after ``TRASH_DAYS``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def put(self, score_id: str, user_id: int) -> bool:
        """False when the score is already in the trash."""
        with self.db.write() as conn:
            _require_score(conn, score_id)
            if self._trashed(conn, score_id):
                return False
            conn.execute(
                insert(TrashedScore).values(
                    score_id=score_id, deleted_by=user_id, deleted_at=utcnow()
                )
            )
            repository.bump_access(conn, score_id)
        return True

    def restore(self, score_id: str) -> bool:
        with self.db.write() as conn:
            done = conn.execute(
                delete(TrashedScore).where(TrashedScore.score_id == score_id)
            ).rowcount
            if done:
                repository.bump_access(conn, score_id)
        return bool(done)

    def is_trashed(self, score_id: str) -> bool:
        with self.db.read() as conn:
            return self._trashed(conn, score_id)

    @staticmethod
    def _trashed(conn: Connection, score_id: str) -> bool:
        return (
            conn.execute(
                select(TrashedScore.score_id).where(TrashedScore.score_id == score_id)
            ).first()
            is not None
        )

    def owned_by(self, user_id: int) -> list[dict[str, Any]]:
        """Trashed scores ``user_id`` owns: id, title, deleted_at, purge_at."""
        with self.db.read() as conn:
            rows = to_dicts(
                conn.execute(
                    select(Score.id, Score.title, TrashedScore.deleted_at)
                    .join(TrashedScore, TrashedScore.score_id == Score.id)
                    .join(
                        ScoreMember,
                        and_(ScoreMember.score_id == Score.id, ScoreMember.user_id == user_id),
                    )
                    .where(ScoreMember.role == "owner")
                    .order_by(TrashedScore.deleted_at.desc())
                )
            )
        for row in rows:
            row["purge_at"] = row["deleted_at"] + timedelta(days=TRASH_DAYS)
        return rows

    def owner_role(self, score_id: str, user_id: int) -> str | None:
        """The user's role by hand in a score, trashed or not (the trash hides it from
        ``role_of``, but its owners must still be able to restore it)."""
        with self.db.read() as conn:
            value = conn.execute(
                select(ScoreMember.role).where(
                    ScoreMember.score_id == score_id,
                    ScoreMember.user_id == user_id,
                    ScoreMember.link_id.is_(None),
                )
            ).scalar()
        return None if value is None else str(value)

    def purge(self, now: datetime | None = None) -> list[str]:
        """Delete every score trashed more than ``TRASH_DAYS`` ago, with everything that
        belongs to it (foreign keys cascade). The ids purged."""
        cutoff = (now or utcnow()) - timedelta(days=TRASH_DAYS)
        due = select(TrashedScore.score_id).where(TrashedScore.deleted_at < cutoff)
        # A read first: listings call this, and most of the time nothing is due, so they
        # need not queue for SQLite's write lock behind the edits.
        with self.db.read() as conn:
            if conn.execute(due.limit(1)).first() is None:
                return []
        with self.db.write() as conn:
            ids = [str(v) for v in conn.execute(due).scalars()]
            if ids:
                conn.execute(delete(Score).where(Score.id.in_(ids)))
        return ids


class AccessVersions:
    """The poll behind instant revocation: one indexed read of the joined scores."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def of(self, score_ids: list[str]) -> dict[str, int]:
        """``{score id: access version}``; a purged score is missing."""
        if not score_ids:
            return {}
        with self.db.read() as conn:
            return {
                str(sid): int(version)
                for sid, version in conn.execute(
                    select(Score.id, Score.access_version).where(Score.id.in_(score_ids))
                )
            }

    def next_expiry(self, score_id: str) -> datetime | None:
        """When the next live link of the score expires (its members lose access then)."""
        with self.db.read() as conn:
            value = conn.execute(
                select(func.min(ShareLink.expires_at)).where(
                    ShareLink.score_id == score_id,
                    ShareLink.revoked_at.is_(None),
                    ShareLink.expires_at > utcnow(),
                )
            ).scalar()
        return None if value is None else as_utc(value)

"""SQLAlchemy 2 declarative tables: users, scores, members, the edit log, snapshots,
versions, helper suggestions and history-view checkpoints.

Rows only: conversion to plain dicts happens in ``repository``; nothing above the
persistence package ever sees these classes. Imports nothing of ours.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names so migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("owner", "editor", "commenter", "viewer")
#: What a share link may grant: never ownership.
LINK_ROLES = ("editor", "commenter", "viewer")
REQUEST_STATUSES = ("pending", "denied")
ORIGINS = ("human", "helper", "revert", "import", "restore")
SUGGESTION_STATUSES = ("pending", "accepted", "rejected", "withdrawn")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(256))
    colour: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Score(Base):
    __tablename__ = "scores"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    title: Mapped[str] = mapped_column(String(256))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    head_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The keyed signature of (id, head_seq, last edit's hash, keyed_from), updated in the
    # edit's own transaction. NULL: a log from before keyed hashing, not yet signed.
    head_sig: Mapped[str | None] = mapped_column(String(64))
    # The first seq whose hash is keyed (HMAC); older edits keep their plain SHA-256 link.
    keyed_from: Mapped[int] = mapped_column(BigInteger, default=1, server_default="1")
    # Bumped in the same transaction as every change of who may open the score (members,
    # links, trash): each process polls it for its joined scores to evict at once.
    access_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    __table_args__ = (Index("ix_scores_owner_id", "owner_id"),)


class ScoreMember(Base):
    __tablename__ = "score_members"

    score_id: Mapped[str] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    # The share link this membership came through (NULL: granted by hand). It lasts as
    # long as the link: revoked or expired, the membership no longer counts.
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "share_links.id", ondelete="CASCADE", name="fk_score_members_link_id_share_links"
        )
    )

    __table_args__ = (
        PrimaryKeyConstraint("score_id", "user_id"),
        CheckConstraint(_in("role", ROLES), name="role"),
        Index("ix_score_members_user_id", "user_id"),
    )


class ShareLink(Base):
    """A link that makes whoever opens it (logged in) a member with ``role``; only the
    SHA-256 of its token is stored."""

    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    score_id: Mapped[str] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(_in("role", LINK_ROLES), name="role"),
        Index("ix_share_links_score_id", "score_id"),
    )


class AccessRequest(Base):
    """A non-member asked the owners for access (``pending``) or was turned down."""

    __tablename__ = "access_requests"

    score_id: Mapped[str] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        PrimaryKeyConstraint("score_id", "user_id"),
        CheckConstraint(_in("status", REQUEST_STATUSES), name="status"),
    )


class TrashedScore(Base):
    """A deleted score: hidden from everyone, restorable by an owner until purged
    (``TRASH_DAYS`` after ``deleted_at``)."""

    __tablename__ = "score_trash"

    score_id: Mapped[str] = mapped_column(
        ForeignKey("scores.id", ondelete="CASCADE"), primary_key=True
    )
    deleted_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_score_trash_deleted_at", "deleted_at"),)


class Edit(Base):
    """One user action: a group of ops with the next per-score ``seq``."""

    __tablename__ = "edits"

    score_id: Mapped[str] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_id: Mapped[str | None] = mapped_column(String(64))
    client_seq: Mapped[int | None] = mapped_column(BigInteger)
    ops: Mapped[list[Any]] = mapped_column(JSON)
    inverse: Mapped[list[Any]] = mapped_column(JSON)
    skipped: Mapped[list[Any]] = mapped_column(JSON)
    origin: Mapped[str] = mapped_column(String(16))
    meta: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        # The safety net under the row-lock seq allocation: two edits can never share a seq.
        PrimaryKeyConstraint("score_id", "seq"),
        # A resubmission (same client and client seq) finds the original instead of applying twice.
        UniqueConstraint("score_id", "client_id", "client_seq"),
        CheckConstraint(_in("origin", ORIGINS), name="origin"),
        Index("ix_edits_author_id", "score_id", "author_id"),
    )


class Snapshot(Base):
    """The whole document after edit ``seq`` (seq 0 = as created)."""

    __tablename__ = "snapshots"

    score_id: Mapped[str] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    doc: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Keyed signature of (score, seq, edit seq's hash, doc); NULL on snapshots from before.
    sig: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (PrimaryKeyConstraint("score_id", "seq"),)


class Version(Base):
    """A named point in the history (a label on a seq); the log itself is never rewritten."""

    __tablename__ = "versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    score_id: Mapped[str] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    label: Mapped[str] = mapped_column(String(256))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_versions_score_id_seq", "score_id", "seq"),)


class Suggestion(Base):
    """A helper proposal: kept out of the score until a person accepts it."""

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    score_id: Mapped[str] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"))
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_seq: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint(_in("status", SUGGESTION_STATUSES), name="status"),
        Index("ix_suggestions_score_id_status", "score_id", "status"),
    )


# --- voicing helper (appended by the helper engineer) --------------------------------


class UserPreference(Base):
    """Per-user choices that follow the person across scores (e.g. the helper opt-in)."""

    __tablename__ = "user_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    prefs: Mapped[dict[str, Any]] = mapped_column(JSON)


# --- history view checkpoints (a cache of server.history's HistoryView) ------------------


class HistoryCheckpoint(Base):
    """A history view's saved state after edit ``seq``: zlib-compressed JSON, derived data
    (deleting every row loses nothing; the next history request replays the log)."""

    __tablename__ = "history_checkpoints"

    score_id: Mapped[str] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (PrimaryKeyConstraint("score_id", "seq"),)


# --- credentials: log-in sessions and API tokens, revocable server-side -------------------

CREDENTIAL_KINDS = ("session", "token")


class Credential(Base):
    """One log-in session (the cookie holds its secret) or one API token. Only the
    SHA-256 of the secret is stored, so a database dump cannot be replayed as a login."""

    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(_in("kind", CREDENTIAL_KINDS), name="kind"),
        Index("ix_credentials_user_id", "user_id"),
    )


# --- comments (threads anchored to the score) and the notifications they raise ----------


class Comment(Base):
    """One comment: a thread's root (``parent_id`` NULL, holds the anchor and the resolved
    state) or a reply to a root. ``seq`` is the score version it was written at."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    score_id: Mapped[str] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(String(4000))
    anchor: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    seq: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_comments_score_id", "score_id", "id"),
        Index("ix_comments_parent_id", "parent_id"),
    )


class Notification(Base):
    """Something a person should see: so far a ``mention`` in a comment."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    score_id: Mapped[str] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_notifications_user_id", "user_id", "read_at"),)


# --- classrooms: classes, their people, assignments and submissions ----------------------

CLASS_ROLES = ("teacher", "student")
ASSIGNMENT_MODES = ("copy", "group")
HELPER_RULES = ("allow", "forbid")
SUBMISSION_STATES = ("created", "turned_in", "returned", "reset")
SUBMISSION_ACTIONS = ("created", "turned_in", "returned", "reset", "graded")


class Classroom(Base):
    """A class: a title, a join code students type, archived or not."""

    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ClassMember(Base):
    """A teacher (co-teachers are teachers too) or an enrolled student of a class."""

    __tablename__ = "class_members"

    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        PrimaryKeyConstraint("class_id", "user_id"),
        CheckConstraint(_in("role", CLASS_ROLES), name="role"),
        Index("ix_class_members_user_id", "user_id"),
    )


class Assignment(Base):
    """Work set for a class: copied per student or shared per group from a template.
    ``locked_ids``: the template's note and chord events students may not change."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(String(4000), default="")
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    points: Mapped[int | None] = mapped_column(Integer)
    template_id: Mapped[str | None] = mapped_column(ForeignKey("scores.id", ondelete="SET NULL"))
    mode: Mapped[str] = mapped_column(String(8))
    helper: Mapped[str] = mapped_column(String(8))
    locked_ids: Mapped[list[Any]] = mapped_column(JSON)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(_in("mode", ASSIGNMENT_MODES), name="mode"),
        CheckConstraint(_in("helper", HELPER_RULES), name="helper"),
        Index("ix_assignments_class_id", "class_id"),
    )


class Submission(Base):
    """One student's copy or one group's shared score of an assignment, and its state.
    ``grade``/``feedback`` are the teacher's drafts; ``returned_*`` what the students see."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    score_id: Mapped[str] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"), unique=True)
    state: Mapped[str] = mapped_column(String(16))
    grade: Mapped[float | None] = mapped_column(Float)
    feedback: Mapped[str] = mapped_column(String(4000), default="")
    returned_grade: Mapped[float | None] = mapped_column(Float)
    returned_feedback: Mapped[str] = mapped_column(String(4000), default="")
    turned_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    late: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        CheckConstraint(_in("state", SUBMISSION_STATES), name="state"),
        Index("ix_submissions_assignment_id", "assignment_id"),
    )


class SubmissionMember(Base):
    """A student whose work a submission is (one for a copy, several for a group)."""

    __tablename__ = "submission_members"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    __table_args__ = (
        PrimaryKeyConstraint("submission_id", "user_id"),
        Index("ix_submission_members_user_id", "user_id"),
    )


class SubmissionEvent(Base):
    """Each transition of a submission (and each grade), with who and when."""

    __tablename__ = "submission_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(_in("action", SUBMISSION_ACTIONS), name="action"),
        Index("ix_submission_events_submission_id", "submission_id", "id"),
    )


__all__ = [
    "ASSIGNMENT_MODES",
    "Assignment",
    "CLASS_ROLES",
    "ClassMember",
    "Classroom",
    "HELPER_RULES",
    "SUBMISSION_ACTIONS",
    "SUBMISSION_STATES",
    "Submission",
    "SubmissionEvent",
    "SubmissionMember",
    "CREDENTIAL_KINDS",
    "LINK_ROLES",
    "ORIGINS",
    "REQUEST_STATUSES",
    "Credential",
    "ROLES",
    "AccessRequest",
    "ShareLink",
    "TrashedScore",
    "SUGGESTION_STATUSES",
    "Base",
    "Comment",
    "Edit",
    "HistoryCheckpoint",
    "Notification",
    "Score",
    "ScoreMember",
    "Snapshot",
    "Suggestion",
    "User",
    "UserPreference",
    "Version",
]

"""Repository functions: every query the server runs, each taking an open ``Connection``
and returning plain dicts, ints or lists (never ORM rows).

Transactions are the caller's (``Database.read``/``write``); nothing here commits.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from .models import Edit, Score, ScoreMember, ShareLink, Snapshot, TrashedScore, User

# Versions, suggestions and preferences live in ``records``, re-exported here so
# callers import every query from one module.
from .records import (
    create_suggestion,
    create_version,
    decide_suggestion,
    get_preferences,
    latest_history_checkpoint,
    put_history_checkpoint,
    put_preferences,
    set_suggestion_result,
    suggestion_by_id,
    suggestions_of,
    version_by_id,
    versions_of,
)
from .rows import to_dict, to_dicts, utcnow

SCORE_ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i look-alikes
PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
    "#17becf", "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f",
)  # fmt: skip


class DuplicateEdit(Exception):
    """An edit with this (score, client_id, client_seq) or (score, seq) already exists."""


class NameTaken(Exception):
    """A user with this name already exists."""


def new_score_id() -> str:
    return "".join(secrets.choice(SCORE_ID_ALPHABET) for _ in range(10))


def colour_for(name: str) -> str:
    """A stable colour per user name, so a person keeps their colour everywhere."""
    return PALETTE[hashlib.sha256(name.encode()).digest()[0] % len(PALETTE)]


# --- users ----------------------------------------------------------------------


def create_user(
    conn: Connection, name: str, password_hash: str, display_name: str, colour: str
) -> int:
    try:
        with conn.begin_nested():
            return int(
                conn.execute(
                    insert(User)
                    .values(
                        name=name,
                        display_name=display_name,
                        password_hash=password_hash,
                        colour=colour,
                        created_at=utcnow(),
                    )
                    .returning(User.id)
                ).scalar_one()
            )
    except IntegrityError:
        raise NameTaken(name) from None


_USER_COLUMNS = (
    User.id, User.name, User.display_name, User.password_hash, User.colour, User.created_at,
)  # fmt: skip


def user_by_name(conn: Connection, name: str) -> dict[str, Any] | None:
    return to_dict(conn.execute(select(*_USER_COLUMNS).where(User.name == name)).first())


def user_by_id(conn: Connection, user_id: int) -> dict[str, Any] | None:
    return to_dict(conn.execute(select(*_USER_COLUMNS).where(User.id == user_id)).first())


# --- scores and members ---------------------------------------------------------------


def insert_score(
    conn: Connection,
    score_id: str,
    title: str,
    owner_id: int,
    settings: dict[str, Any],
    doc: dict[str, Any],
    *,
    head_sig: str | None = None,
    snapshot_sig: str | None = None,
) -> None:
    """The score row (keyed from seq 1, head signed as ``head_sig``), its owner's
    membership and the snapshot at seq 0."""
    conn.execute(
        insert(Score).values(
            id=score_id,
            title=title[:256],
            owner_id=owner_id,
            head_seq=0,
            settings=settings,
            created_at=utcnow(),
            head_sig=head_sig,
            keyed_from=1,
        )
    )
    conn.execute(insert(ScoreMember).values(score_id=score_id, user_id=owner_id, role="owner"))
    insert_snapshot(conn, score_id, 0, doc, sig=snapshot_sig)


def score_row(conn: Connection, score_id: str) -> dict[str, Any] | None:
    return to_dict(
        conn.execute(
            select(
                Score.id,
                Score.title,
                Score.owner_id,
                Score.head_seq,
                Score.settings,
                Score.created_at,
            ).where(Score.id == score_id)
        ).first()
    )


# The submit path's statements are built once: building and cache-keying a statement
# per call cost more CPU than the database work itself (measured by bench.log_bench).
_HEAD_SEQ = select(Score.head_seq).where(Score.id == bindparam("score_id"))
_NEXT_SEQ = (
    update(Score)
    .where(Score.id == bindparam("score_id"))
    .values(head_seq=Score.head_seq + 1)
    .returning(Score.head_seq)
)


_NEXT_HEAD = (
    update(Score)
    .where(Score.id == bindparam("score_id"))
    .values(head_seq=Score.head_seq + 1)
    .returning(Score.head_seq, Score.head_sig, Score.keyed_from)
)
_SET_HEAD_SIG = (
    update(Score).where(Score.id == bindparam("score_id")).values(head_sig=bindparam("sig"))
)
_LOG_HEAD = select(Score.head_seq, Score.head_sig, Score.keyed_from).where(
    Score.id == bindparam("score_id")
)


def head_seq(conn: Connection, score_id: str) -> int | None:
    value = conn.execute(_HEAD_SEQ, {"score_id": score_id}).scalar()
    return None if value is None else int(value)


def lock_next_seq(conn: Connection, score_id: str) -> int | None:
    """Allocate the next seq by incrementing the score row, which locks it until commit.

    Concurrent writers to one score queue on this row lock (PostgreSQL) or on the
    database write lock taken by BEGIN IMMEDIATE (SQLite); ``max(seq) + 1`` would not.
    """
    value = conn.execute(_NEXT_SEQ, {"score_id": score_id}).scalar()
    return None if value is None else int(value)


def lock_next_head(conn: Connection, score_id: str) -> tuple[int, str | None, int] | None:
    """``lock_next_seq`` that also returns what the edit must check and sign: the
    (new seq, the signature of the head it extends, keyed_from), in the same statement."""
    row = conn.execute(_NEXT_HEAD, {"score_id": score_id}).first()
    return None if row is None else (int(row[0]), row[1], int(row[2]))


def set_head_sig(conn: Connection, score_id: str, sig: str | None) -> None:
    conn.execute(_SET_HEAD_SIG, {"score_id": score_id, "sig": sig})


def sign_unsigned_head(
    conn: Connection, score_id: str, seq: int, keyed_from: int, sig: str
) -> bool:
    """Set the signature of a still unsigned head that is still at ``seq``; False if not."""
    result = conn.execute(
        update(Score)
        .where(
            Score.id == score_id,
            Score.head_seq == seq,
            Score.keyed_from == keyed_from,
            Score.head_sig.is_(None),
        )
        .values(head_sig=sig)
    )
    return bool(result.rowcount == 1)


def log_head(conn: Connection, score_id: str) -> tuple[int, str | None, int] | None:
    """(head_seq, head_sig, keyed_from) of a score, or None when there is no such score."""
    row = conn.execute(_LOG_HEAD, {"score_id": score_id}).first()
    return None if row is None else (int(row[0]), row[1], int(row[2]))


def unsigned_score_ids(conn: Connection) -> list[str]:
    """Scores whose head is not signed (logs from before keyed hashing)."""
    return [
        str(v)
        for v in conn.execute(
            select(Score.id).where(Score.head_sig.is_(None)).order_by(Score.id)
        ).scalars()
    ]


def set_head_seq(conn: Connection, score_id: str, seq: int) -> None:
    """Only for bulk loads that insert edits themselves (``insert_edits``)."""
    conn.execute(update(Score).where(Score.id == score_id).values(head_seq=seq))


def set_title(conn: Connection, score_id: str, title: str) -> None:
    conn.execute(update(Score).where(Score.id == score_id).values(title=title[:256]))


def get_settings(conn: Connection, score_id: str) -> dict[str, Any] | None:
    value = conn.execute(select(Score.settings).where(Score.id == score_id)).scalar()
    return None if value is None else dict(value)


def put_settings(conn: Connection, score_id: str, settings: dict[str, Any]) -> None:
    conn.execute(update(Score).where(Score.id == score_id).values(settings=settings))


# Built once: the role is read on every edit and every socket event, and building the
# statement each time cost more than running it.
# A membership counts while the score is not in the trash and, when it came through a
# share link, while that link is neither revoked nor expired (at ``now``).
_ROLE_OF = (
    select(ScoreMember.role)
    .outerjoin(ShareLink, ShareLink.id == ScoreMember.link_id)
    .where(
        ScoreMember.score_id == bindparam("score_id"),
        ScoreMember.user_id == bindparam("user_id"),
        ~exists().where(TrashedScore.score_id == bindparam("score_id")),
        or_(
            ScoreMember.link_id.is_(None),
            and_(
                ShareLink.revoked_at.is_(None),
                or_(ShareLink.expires_at.is_(None), ShareLink.expires_at > bindparam("now")),
            ),
        ),
    )
)


# The two reads every edit needs before it takes a seq, in one statement: the author's
# role and the seq of an earlier edit with the same client id and client seq, if any.
_ROLE_AND_DUPLICATE = select(
    _ROLE_OF.scalar_subquery(),
    select(Edit.seq)
    .where(
        Edit.score_id == bindparam("score_id"),
        Edit.client_id == bindparam("client_id"),
        Edit.client_seq == bindparam("client_seq"),
    )
    .scalar_subquery(),
)


def role_and_duplicate(
    conn: Connection, score_id: str, user_id: int, client_id: str | None, client_seq: int | None
) -> tuple[str | None, int | None]:
    """(the user's role in the score, the seq already logged for this client seq)."""
    params = {
        "score_id": score_id,
        "user_id": user_id,
        "client_id": client_id,
        "client_seq": client_seq,
        "now": utcnow(),
    }
    row = conn.execute(_ROLE_AND_DUPLICATE, params).one()
    return (
        None if row[0] is None else str(row[0]),
        None if row[1] is None else int(row[1]),
    )


def role_of(conn: Connection, score_id: str, user_id: int) -> str | None:
    params = {"score_id": score_id, "user_id": user_id, "now": utcnow()}
    value = conn.execute(_ROLE_OF, params).scalar()
    return None if value is None else str(value)


def set_member(
    conn: Connection, score_id: str, user_id: int, role: str | None, link_id: int | None = None
) -> None:
    """Give ``user_id`` a role on the score (through share link ``link_id``, or by hand);
    ``None`` removes the membership. Bumps the score's access version first: that takes
    the score row's lock, so concurrent membership changes of one score run one after the
    other and each sees the last one's result (the last-owner check relies on it)."""
    bump_access(conn, score_id)
    conn.execute(
        delete(ScoreMember).where(ScoreMember.score_id == score_id, ScoreMember.user_id == user_id)
    )
    if role is not None:
        conn.execute(
            insert(ScoreMember).values(
                score_id=score_id, user_id=user_id, role=role, link_id=link_id
            )
        )


def bump_access(conn: Connection, score_id: str) -> None:
    """Who may open the score changed: processes polling ``access_versions`` re-check."""
    conn.execute(
        update(Score).where(Score.id == score_id).values(access_version=Score.access_version + 1)
    )


def _counts(now: Any) -> Any:
    """The membership rows that count at ``now`` (link not revoked nor expired)."""
    return or_(
        ScoreMember.link_id.is_(None),
        and_(
            ShareLink.revoked_at.is_(None),
            or_(ShareLink.expires_at.is_(None), ShareLink.expires_at > now),
        ),
    )


def members(conn: Connection, score_id: str) -> list[dict[str, Any]]:
    """Who belongs to the score, by name: id, name, display_name, colour, role, link_id."""
    return to_dicts(
        conn.execute(
            select(
                User.id,
                User.name,
                User.display_name,
                User.colour,
                ScoreMember.role,
                ScoreMember.link_id,
            )
            .join(ScoreMember, ScoreMember.user_id == User.id)
            .outerjoin(ShareLink, ShareLink.id == ScoreMember.link_id)
            .where(ScoreMember.score_id == score_id, _counts(utcnow()))
            .order_by(User.name)
        )
    )


def scores_for(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    """The scores ``user_id`` may open (not in the trash), newest first, with the role,
    the owner's name and the time of the last edit (``edited_at``, None before any)."""
    owner = User.__table__.alias("owner")
    # The head edit's time: a primary-key look-up, not a scan of a long log.
    last_edit = (
        select(Edit.created_at)
        .where(Edit.score_id == Score.id, Edit.seq == Score.head_seq)
        .scalar_subquery()
    )
    return to_dicts(
        conn.execute(
            select(
                Score.id,
                Score.title,
                Score.owner_id,
                owner.c.name.label("owner_name"),
                Score.head_seq,
                Score.created_at,
                last_edit.label("edited_at"),
                ScoreMember.role,
            )
            .join(ScoreMember, ScoreMember.score_id == Score.id)
            .join(owner, owner.c.id == Score.owner_id)
            .outerjoin(ShareLink, ShareLink.id == ScoreMember.link_id)
            .where(
                ScoreMember.user_id == user_id,
                _counts(utcnow()),
                ~exists().where(TrashedScore.score_id == Score.id),
            )
            .order_by(Score.created_at.desc(), Score.id)
        )
    )


# --- the edit log --------------------------------------------------------------------

_EDIT_COLUMNS = (
    Edit.score_id, Edit.seq, Edit.author_id, Edit.client_id, Edit.client_seq, Edit.ops,
    Edit.inverse, Edit.skipped, Edit.origin, Edit.meta, Edit.created_at, Edit.prev_hash,
    Edit.hash, User.display_name.label("author_name"),
)  # fmt: skip


def _edit_select() -> Any:
    return select(*_EDIT_COLUMNS).join(User, User.id == Edit.author_id)


_INSERT_EDIT = insert(Edit)


def insert_edit(conn: Connection, row: dict[str, Any]) -> None:
    """Insert one log row; ``DuplicateEdit`` when its seq or client seq is taken."""
    try:
        conn.execute(_INSERT_EDIT, row)
    except IntegrityError as exc:
        raise DuplicateEdit(str(exc.orig)) from exc


def insert_edits(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Bulk insert (imports and benchmarks); same checks as ``insert_edit``."""
    if rows:
        conn.execute(_INSERT_EDIT, rows)


_EDIT_BY_CLIENT = _edit_select().where(
    Edit.score_id == bindparam("score_id"),
    Edit.client_id == bindparam("client_id"),
    Edit.client_seq == bindparam("client_seq"),
)


def edit_by_client(
    conn: Connection, score_id: str, client_id: str, client_seq: int
) -> dict[str, Any] | None:
    params = {"score_id": score_id, "client_id": client_id, "client_seq": client_seq}
    return to_dict(conn.execute(_EDIT_BY_CLIENT, params).first())


def client_edit_logged(conn: Connection, score_id: str, client_id: str, client_seq: int) -> bool:
    """Is (client_id, client_seq) in the score's log? (The unique index answers it.)"""
    found = conn.execute(
        select(Edit.seq).where(
            Edit.score_id == score_id, Edit.client_id == client_id, Edit.client_seq == client_seq
        )
    ).first()
    return found is not None


def edit_hash_at(conn: Connection, score_id: str, seq: int) -> str | None:
    value = conn.execute(
        select(Edit.hash).where(Edit.score_id == score_id, Edit.seq == seq)
    ).scalar()
    return None if value is None else str(value)


def edit_rows(
    conn: Connection,
    score_id: str,
    *,
    after: int = 0,
    upto: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Edits with ``after < seq <= upto`` in seq order."""
    query = _edit_select().where(Edit.score_id == score_id, Edit.seq > after)
    if upto is not None:
        query = query.where(Edit.seq <= upto)
    query = query.order_by(Edit.seq)
    if limit is not None:
        query = query.limit(limit)
    return to_dicts(conn.execute(query))


def iter_edit_rows(
    conn: Connection, score_id: str, *, batch: int = 2000
) -> Iterator[dict[str, Any]]:
    """Every edit in seq order, fetched in batches so a long log never sits in memory."""
    after = 0
    while True:
        rows = edit_rows(conn, score_id, after=after, limit=batch)
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1]["seq"]


_TAIL = (
    select(Edit.seq, Edit.ops, Edit.hash)
    .where(
        Edit.score_id == bindparam("score_id"),
        Edit.seq > bindparam("after"),
        Edit.seq <= bindparam("upto"),
    )
    .order_by(Edit.seq)
)


def tail(conn: Connection, score_id: str, after: int, upto: int) -> list[tuple[int, Any, str]]:
    """(seq, ops, hash) of edits ``after < seq <= upto`` in order: what a replay needs."""
    params = {"score_id": score_id, "after": after, "upto": upto}
    return [(int(r.seq), r.ops, str(r.hash)) for r in conn.execute(_TAIL, params)]


def count_edits(conn: Connection, score_id: str) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(Edit).where(Edit.score_id == score_id)
        ).scalar_one()
    )


# --- snapshots ------------------------------------------------------------------------


def insert_snapshot(
    conn: Connection, score_id: str, seq: int, doc: dict[str, Any], *, sig: str | None = None
) -> None:
    conn.execute(insert(Snapshot), {"score_id": score_id, "seq": seq, "doc": doc, "sig": sig})


def snapshot_sigs(conn: Connection, score_id: str) -> list[tuple[int, str | None]]:
    """(seq, signature) of every stored snapshot of the score, in seq order."""
    rows = conn.execute(
        select(Snapshot.seq, Snapshot.sig)
        .where(Snapshot.score_id == score_id)
        .order_by(Snapshot.seq)
    )
    return [(int(r.seq), r.sig) for r in rows]


def set_snapshot_sig(conn: Connection, score_id: str, seq: int, sig: str) -> None:
    conn.execute(
        update(Snapshot).where(Snapshot.score_id == score_id, Snapshot.seq == seq).values(sig=sig)
    )


def snapshot_at_or_before(
    conn: Connection, score_id: str, seq: int
) -> tuple[int, dict[str, Any]] | None:
    row = conn.execute(
        select(Snapshot.seq, Snapshot.doc)
        .where(Snapshot.score_id == score_id, Snapshot.seq <= seq)
        .order_by(Snapshot.seq.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row.seq), row.doc)


def snapshot_seqs(conn: Connection, score_id: str, upto: int) -> list[int]:
    """The seqs of the score's stored snapshots at or before ``upto``, in order."""
    return [
        int(seq)
        for seq in conn.execute(
            select(Snapshot.seq)
            .where(Snapshot.score_id == score_id, Snapshot.seq <= upto)
            .order_by(Snapshot.seq)
        ).scalars()
    ]


def snapshots_at(
    conn: Connection, score_id: str, seqs: list[int]
) -> list[tuple[int, dict[str, Any]]]:
    """(seq, document) of the stored snapshots at ``seqs``, in seq order."""
    rows = conn.execute(
        select(Snapshot.seq, Snapshot.doc)
        .where(Snapshot.score_id == score_id, Snapshot.seq.in_(seqs))
        .order_by(Snapshot.seq)
    )
    return [(int(r.seq), r.doc) for r in rows]


def delete_snapshots(conn: Connection, score_id: str, *, keep_seq_zero: bool = True) -> None:
    """Drop derived snapshots (they can always be rebuilt from the log)."""
    query = delete(Snapshot).where(Snapshot.score_id == score_id)
    if keep_seq_zero:
        query = query.where(Snapshot.seq > 0)
    conn.execute(query)


__all__ = [
    "DuplicateEdit",
    "NameTaken",
    "colour_for",
    "count_edits",
    "create_suggestion",
    "create_user",
    "create_version",
    "decide_suggestion",
    "delete_snapshots",
    "client_edit_logged",
    "edit_by_client",
    "edit_hash_at",
    "edit_rows",
    "get_preferences",
    "get_settings",
    "head_seq",
    "insert_edit",
    "insert_edits",
    "insert_score",
    "insert_snapshot",
    "iter_edit_rows",
    "latest_history_checkpoint",
    "lock_next_head",
    "lock_next_seq",
    "log_head",
    "members",
    "new_score_id",
    "put_history_checkpoint",
    "put_preferences",
    "put_settings",
    "role_of",
    "score_row",
    "scores_for",
    "set_head_seq",
    "set_head_sig",
    "set_member",
    "set_snapshot_sig",
    "set_suggestion_result",
    "set_title",
    "sign_unsigned_head",
    "snapshot_at_or_before",
    "snapshot_seqs",
    "snapshot_sigs",
    "snapshots_at",
    "suggestion_by_id",
    "suggestions_of",
    "tail",
    "unsigned_score_ids",
    "user_by_id",
    "user_by_name",
    "utcnow",
    "version_by_id",
    "versions_of",
]

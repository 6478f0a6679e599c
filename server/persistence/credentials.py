"""``Credentials``: log-in sessions and API tokens as rows, so either can be revoked
server-side (log-out, password change, token revocation) and a copied cookie or token
stops working at once, in every process. Only SHA-256 digests of the secrets are stored.
Imports nothing above the persistence package.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import OperationalError

from .db import Database
from .models import Credential
from .rows import to_dict, to_dicts, utcnow

#: ``last_used_at`` is written at most this often per credential (a write per request
#: would turn every read into a write).
TOUCH_EVERY = timedelta(minutes=1)
#: Revoked or expired rows are deleted this long after, when the user gets a new one.
KEEP_DEAD = timedelta(days=30)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


_PUBLIC = (
    Credential.id,
    Credential.user_id,
    Credential.kind,
    Credential.label,
    Credential.created_at,
    Credential.expires_at,
    Credential.last_used_at,
)


class Credentials:
    """Every user's sessions and tokens."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def issue(
        self, user_id: int, kind: str, lifetime: timedelta, label: str = ""
    ) -> tuple[int, str]:
        """A new credential's ``(id, secret)``; the secret is shown once and never stored."""
        secret = secrets.token_urlsafe(32)
        now = utcnow()
        with self.db.write() as conn:
            # Dead rows are kept a while (when and how a credential ended), then dropped:
            # a secret with no row fails exactly like a revoked one.
            conn.execute(
                delete(Credential).where(
                    Credential.user_id == int(user_id),
                    or_(
                        Credential.revoked_at < now - KEEP_DEAD,
                        Credential.expires_at < now - KEEP_DEAD,
                    ),
                )
            )
            cid = conn.execute(
                insert(Credential)
                .values(
                    user_id=int(user_id),
                    kind=kind,
                    secret_hash=digest(secret),
                    label=label[:80],
                    created_at=now,
                    expires_at=now + lifetime,
                )
                .returning(Credential.id)
            ).scalar_one()
        return int(cid), secret

    def check(self, secret: str, kind: str) -> dict[str, Any] | None:
        """The live (not revoked, not expired) credential of this secret, or None.
        Records the use (at most once per ``TOUCH_EVERY``)."""
        now = utcnow()
        with self.db.read() as conn:
            row = to_dict(
                conn.execute(
                    select(*_PUBLIC, Credential.revoked_at).where(
                        Credential.secret_hash == digest(secret), Credential.kind == kind
                    )
                ).first()
            )
        if row is None or row["revoked_at"] is not None or row["expires_at"] <= now:
            return None
        last = row["last_used_at"]
        if last is None or now - last > TOUCH_EVERY:
            try:
                with self.db.write() as conn:
                    conn.execute(
                        update(Credential)
                        .where(Credential.id == row["id"])
                        .values(last_used_at=now)
                    )
            except OperationalError:  # a busy database: the next use records it
                pass
        return row

    def live_ids(self, ids: Iterable[int]) -> set[int]:
        """Which of ``ids`` are still live (for evicting sockets of revoked credentials)."""
        wanted = sorted(set(ids))
        if not wanted:
            return set()
        with self.db.read() as conn:
            rows = conn.execute(
                select(Credential.id).where(
                    Credential.id.in_(wanted),
                    Credential.revoked_at.is_(None),
                    Credential.expires_at > utcnow(),
                )
            ).all()
        return {int(r[0]) for r in rows}

    def live(self, user_id: int, kind: str) -> list[dict[str, Any]]:
        """The user's live credentials of ``kind``, oldest first."""
        with self.db.read() as conn:
            return to_dicts(
                conn.execute(
                    select(*_PUBLIC)
                    .where(
                        Credential.user_id == int(user_id),
                        Credential.kind == kind,
                        Credential.revoked_at.is_(None),
                        Credential.expires_at > utcnow(),
                    )
                    .order_by(Credential.id)
                ).all()
            )

    def revoke(self, user_id: int, credential_id: int, kind: str | None = None) -> bool:
        """Revoke one of the user's own credentials (of ``kind``, when given); False if it
        is not theirs, not of that kind or already revoked."""
        query = update(Credential).where(
            Credential.id == int(credential_id),
            Credential.user_id == int(user_id),
            Credential.revoked_at.is_(None),
        )
        if kind is not None:
            query = query.where(Credential.kind == kind)
        with self.db.write() as conn:
            result = conn.execute(query.values(revoked_at=utcnow()))
        return bool(result.rowcount)

    def revoke_all(self, user_id: int, *, except_id: int | None = None) -> list[int]:
        """Revoke every live credential of the user but ``except_id``; the ids revoked."""
        with self.db.write() as conn:
            query = select(Credential.id).where(
                Credential.user_id == int(user_id), Credential.revoked_at.is_(None)
            )
            if except_id is not None:
                query = query.where(Credential.id != except_id)
            ids = [int(r[0]) for r in conn.execute(query).all()]
            if ids:
                conn.execute(
                    update(Credential).where(Credential.id.in_(ids)).values(revoked_at=utcnow())
                )
        return ids

"""A keyed log: the signed head of each score and signed snapshots.

Existing scores keep their unkeyed (plain SHA-256) edits: ``keyed_from`` is set past
their head, and their head and snapshots stay unsigned until ``tutti sign-log``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("scores", sa.Column("head_sig", sa.String(length=64), nullable=True))
    op.add_column(
        "scores",
        sa.Column("keyed_from", sa.BigInteger(), nullable=False, server_default="1"),
    )
    # Every edit logged so far was hashed without the key.
    op.execute("UPDATE scores SET keyed_from = head_seq + 1")
    op.add_column("snapshots", sa.Column("sig", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("snapshots") as batch:
        batch.drop_column("sig")
    with op.batch_alter_table("scores") as batch:
        batch.drop_column("keyed_from")
        batch.drop_column("head_sig")

"""History view checkpoints: a saved ``HistoryView`` state per score, so a new process
resumes a score's history instead of replaying its whole log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 14:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "history_checkpoints",
        sa.Column("score_id", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["score_id"],
            ["scores.id"],
            name=op.f("fk_history_checkpoints_score_id_scores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("score_id", "seq", name=op.f("pk_history_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("history_checkpoints")

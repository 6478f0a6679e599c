"""Sharing: share links, access requests, the trash, and a per-score access version that
every membership change bumps (open sockets re-check on it). The ``commenter`` role
itself comes with the comments migration (0006).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 21:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "scores",
        sa.Column("access_version", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("score_id", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('editor', 'commenter', 'viewer')", name=op.f("ck_share_links_role")
        ),
        sa.ForeignKeyConstraint(
            ["score_id"],
            ["scores.id"],
            name=op.f("fk_share_links_score_id_scores"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_share_links_created_by_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_share_links_token_hash")),
    )
    op.create_index("ix_share_links_score_id", "share_links", ["score_id"])
    with op.batch_alter_table("score_members") as batch:
        # The share link a membership came through: revoking (or the expiry of) that link
        # ends it; an owner setting the role by hand makes it a standing membership (NULL).
        batch.add_column(sa.Column("link_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_score_members_link_id_share_links"),
            "share_links",
            ["link_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_table(
        "access_requests",
        sa.Column("score_id", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'denied')", name=op.f("ck_access_requests_status")
        ),
        sa.ForeignKeyConstraint(
            ["score_id"],
            ["scores.id"],
            name=op.f("fk_access_requests_score_id_scores"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_access_requests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("score_id", "user_id", name=op.f("pk_access_requests")),
    )
    op.create_table(
        "score_trash",
        sa.Column("score_id", sa.String(length=16), nullable=False),
        sa.Column("deleted_by", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["score_id"],
            ["scores.id"],
            name=op.f("fk_score_trash_score_id_scores"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by"],
            ["users.id"],
            name=op.f("fk_score_trash_deleted_by_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("score_id", name=op.f("pk_score_trash")),
    )
    op.create_index("ix_score_trash_deleted_at", "score_trash", ["deleted_at"])


def downgrade() -> None:
    op.drop_index("ix_score_trash_deleted_at", table_name="score_trash")
    op.drop_table("score_trash")
    op.drop_table("access_requests")
    op.execute("DELETE FROM score_members WHERE link_id IS NOT NULL")
    with op.batch_alter_table("score_members") as batch:
        batch.drop_constraint(op.f("fk_score_members_link_id_share_links"), type_="foreignkey")
        batch.drop_column("link_id")
    op.drop_index("ix_share_links_score_id", table_name="share_links")
    op.drop_table("share_links")
    with op.batch_alter_table("scores") as batch:
        batch.drop_column("access_version")

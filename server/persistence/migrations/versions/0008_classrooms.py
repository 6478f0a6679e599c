"""Classrooms: classes (join code, archived), their teachers and students, assignments
(template, copy or group mode, helper rule, locked template events), submissions with
their students and every state transition.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _fk(column: str, table: str, source: str, ondelete: str | None = "CASCADE") -> sa.Constraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{table}.id"], name=op.f(f"fk_{source}_{column}_{table}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "classes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("join_code", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        _fk("created_by", "users", "classes", None),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classes")),
        sa.UniqueConstraint("join_code", name=op.f("uq_classes_join_code")),
    )
    op.create_table(
        "class_members",
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('teacher', 'student')", name=op.f("ck_class_members_role")),
        _fk("class_id", "classes", "class_members"),
        _fk("user_id", "users", "class_members"),
        sa.PrimaryKeyConstraint("class_id", "user_id", name=op.f("pk_class_members")),
    )
    op.create_index("ix_class_members_user_id", "class_members", ["user_id"])
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("instructions", sa.String(length=4000), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("template_id", sa.String(length=16), nullable=True),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("helper", sa.String(length=8), nullable=False),
        sa.Column("locked_ids", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mode IN ('copy', 'group')", name=op.f("ck_assignments_mode")),
        sa.CheckConstraint("helper IN ('allow', 'forbid')", name=op.f("ck_assignments_helper")),
        _fk("class_id", "classes", "assignments"),
        _fk("template_id", "scores", "assignments", "SET NULL"),
        _fk("created_by", "users", "assignments", None),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
    )
    op.create_index("ix_assignments_class_id", "assignments", ["class_id"])
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("score_id", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("grade", sa.Float(), nullable=True),
        sa.Column("feedback", sa.String(length=4000), nullable=False),
        sa.Column("returned_grade", sa.Float(), nullable=True),
        sa.Column("returned_feedback", sa.String(length=4000), nullable=False),
        sa.Column("turned_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "state IN ('created', 'turned_in', 'returned', 'reset')",
            name=op.f("ck_submissions_state"),
        ),
        _fk("assignment_id", "assignments", "submissions"),
        _fk("score_id", "scores", "submissions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("score_id", name=op.f("uq_submissions_score_id")),
    )
    op.create_index("ix_submissions_assignment_id", "submissions", ["assignment_id"])
    op.create_table(
        "submission_members",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _fk("submission_id", "submissions", "submission_members"),
        _fk("user_id", "users", "submission_members"),
        sa.PrimaryKeyConstraint("submission_id", "user_id", name=op.f("pk_submission_members")),
    )
    op.create_index("ix_submission_members_user_id", "submission_members", ["user_id"])
    op.create_table(
        "submission_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('created', 'turned_in', 'returned', 'reset', 'graded')",
            name=op.f("ck_submission_events_action"),
        ),
        _fk("submission_id", "submissions", "submission_events"),
        _fk("actor_id", "users", "submission_events", None),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_events")),
    )
    op.create_index(
        "ix_submission_events_submission_id", "submission_events", ["submission_id", "id"]
    )


def downgrade() -> None:
    op.drop_table("submission_events")
    op.drop_table("submission_members")
    op.drop_table("submissions")
    op.drop_table("assignments")
    op.drop_table("class_members")
    op.drop_table("classes")

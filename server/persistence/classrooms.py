"""``Classrooms``: classes and their teachers and students, assignments, submissions with
their students and state transitions, and the one read every edit of a classroom copy
needs (``edit_rule``). Queries and rows only; who may do what is the classrooms use
case's job. Imports nothing above the persistence package.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update

from . import repository
from .db import Database
from .models import (
    Assignment,
    ClassMember,
    Classroom,
    Submission,
    SubmissionEvent,
    SubmissionMember,
    User,
)
from .repository import NameTaken
from .rows import to_dict, to_dicts, utcnow


def _class_row(conn: Connection, class_id: int) -> dict[str, Any] | None:
    return to_dict(
        conn.execute(select(*Classroom.__table__.columns).where(Classroom.id == class_id)).first()
    )


def _teachers(conn: Connection, class_id: int) -> list[int]:
    rows = conn.execute(
        select(ClassMember.user_id).where(
            ClassMember.class_id == class_id, ClassMember.role == "teacher"
        )
    )
    return [int(r[0]) for r in rows]


def _class_scores(conn: Connection, class_id: int) -> list[str]:
    rows = conn.execute(
        select(Submission.score_id)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .where(Assignment.class_id == class_id)
    )
    return [str(r[0]) for r in rows]


def edit_rule(conn: Connection, score_id: str, author_id: int) -> dict[str, Any] | None:
    """What the classroom rules need to judge an edit of ``score_id`` by ``author_id``:
    ``None`` when the score is no classroom copy (one indexed read, in the edit's own
    transaction); else the submission's state, the assignment's helper rule and locked
    event IDs, and whether the author teaches the class."""
    row = conn.execute(
        select(
            Submission.id,
            Submission.state,
            Assignment.helper,
            Assignment.locked_ids,
            ClassMember.role.label("class_role"),
        )
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .outerjoin(
            ClassMember,
            and_(ClassMember.class_id == Assignment.class_id, ClassMember.user_id == author_id),
        )
        .where(Submission.score_id == score_id)
    ).first()
    out = to_dict(row)
    if out is not None:
        out["teacher"] = out.pop("class_role") == "teacher"
    return out


def _add_submission(
    conn: Connection,
    assignment_id: int,
    name: str,
    score_id: str,
    students: list[int],
    teachers: list[int],
    actor_id: int,
) -> None:
    """A submission in state ``created``: its students edit the score, teachers own it."""
    submission_id = conn.execute(
        insert(Submission)
        .values(
            assignment_id=assignment_id,
            name=name,
            score_id=score_id,
            state="created",
            feedback="",
            returned_feedback="",
            late=False,
        )
        .returning(Submission.id)
    ).scalar_one()
    for student in students:
        conn.execute(insert(SubmissionMember).values(submission_id=submission_id, user_id=student))
        repository.set_member(conn, score_id, student, "editor")
    for teacher in teachers:
        repository.set_member(conn, score_id, teacher, "owner")
    conn.execute(
        insert(SubmissionEvent).values(
            submission_id=submission_id, action="created", actor_id=actor_id, at=utcnow()
        )
    )


class Classrooms:
    """Classes, assignments and submissions of every school on one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- classes --------------------------------------------------------------------------

    def create_class(self, title: str, teacher_id: int, join_code: str) -> dict[str, Any]:
        """A new class taught by ``teacher_id``; ``NameTaken`` if the join code is used."""
        with self.db.write() as conn:
            if conn.execute(select(Classroom.id).where(Classroom.join_code == join_code)).first():
                raise NameTaken(join_code)
            now = utcnow()
            class_id = conn.execute(
                insert(Classroom)
                .values(title=title, join_code=join_code, created_by=teacher_id, created_at=now)
                .returning(Classroom.id)
            ).scalar_one()
            conn.execute(
                insert(ClassMember).values(
                    class_id=class_id, user_id=teacher_id, role="teacher", joined_at=now
                )
            )
            found = _class_row(conn, class_id)
        assert found is not None
        return found

    def get_class(self, class_id: int) -> dict[str, Any] | None:
        with self.db.read() as conn:
            return _class_row(conn, class_id)

    def class_by_code(self, join_code: str) -> dict[str, Any] | None:
        with self.db.read() as conn:
            return to_dict(
                conn.execute(
                    select(*Classroom.__table__.columns).where(Classroom.join_code == join_code)
                ).first()
            )

    def set_archived(self, class_id: int, archived: bool) -> None:
        with self.db.write() as conn:
            conn.execute(
                update(Classroom)
                .where(Classroom.id == class_id)
                .values(archived_at=utcnow() if archived else None)
            )

    def role_in(self, class_id: int, user_id: int) -> str | None:
        with self.db.read() as conn:
            value = conn.execute(
                select(ClassMember.role).where(
                    ClassMember.class_id == class_id, ClassMember.user_id == user_id
                )
            ).scalar()
        return None if value is None else str(value)

    def enrol(self, class_id: int, user_id: int, role: str) -> str:
        """Make ``user_id`` a ``teacher`` or ``student`` of the class; a teacher stays one.
        A new teacher becomes an owner of every copy of the class. The role they now hold."""
        with self.db.write() as conn:
            current = conn.execute(
                select(ClassMember.role).where(
                    ClassMember.class_id == class_id, ClassMember.user_id == user_id
                )
            ).scalar()
            if current == "teacher" or current == role:
                return str(current)
            if current is None:
                conn.execute(
                    insert(ClassMember).values(
                        class_id=class_id, user_id=user_id, role=role, joined_at=utcnow()
                    )
                )
            else:
                conn.execute(
                    update(ClassMember)
                    .where(ClassMember.class_id == class_id, ClassMember.user_id == user_id)
                    .values(role=role)
                )
            if role == "teacher":
                for score_id in _class_scores(conn, class_id):
                    repository.set_member(conn, score_id, user_id, "owner")
            return role

    def people(self, class_id: int) -> list[dict[str, Any]]:
        """Teachers and students of the class with their names, teachers first."""
        with self.db.read() as conn:
            return to_dicts(
                conn.execute(
                    select(User.id, User.name, User.display_name, ClassMember.role)
                    .join(ClassMember, ClassMember.user_id == User.id)
                    .where(ClassMember.class_id == class_id)
                    .order_by(ClassMember.role.desc(), User.name)
                )
            )

    def classes_for(self, user_id: int) -> list[dict[str, Any]]:
        """The classes ``user_id`` teaches or attends, with their role, newest first."""
        with self.db.read() as conn:
            return to_dicts(
                conn.execute(
                    select(*Classroom.__table__.columns, ClassMember.role)
                    .join(ClassMember, ClassMember.class_id == Classroom.id)
                    .where(ClassMember.user_id == user_id)
                    .order_by(Classroom.created_at.desc(), Classroom.id.desc())
                )
            )

    # --- assignments ----------------------------------------------------------------------

    def create_assignment(
        self,
        values: dict[str, Any],
        copies: Iterable[tuple[str, str, list[int]]],
        creator_id: int,
    ) -> dict[str, Any]:
        """The assignment row (``values``: its columns), and per ``(name, score_id,
        student_ids)`` a submission in state ``created`` whose students become editors of
        the score and the class's teachers owners, all in one transaction."""
        with self.db.write() as conn:
            now = utcnow()
            assignment_id = conn.execute(
                insert(Assignment)
                .values(**values, created_by=creator_id, created_at=now)
                .returning(Assignment.id)
            ).scalar_one()
            teachers = _teachers(conn, int(values["class_id"]))
            for name, score_id, students in copies:
                _add_submission(conn, assignment_id, name, score_id, students, teachers, creator_id)
        found = self.get_assignment(assignment_id)
        assert found is not None
        return found

    def add_copy(
        self, assignment_id: int, name: str, score_id: str, student_id: int, actor_id: int
    ) -> bool:
        """A late joiner's own copy of a copy-mode assignment; False (nothing stored) if
        they already have one (two joins at once: the second one's score stays unused)."""
        with self.db.write() as conn:
            assignment = conn.execute(
                select(Assignment.class_id).where(Assignment.id == assignment_id)
            ).scalar_one()
            has = conn.execute(
                select(Submission.id)
                .join(SubmissionMember, SubmissionMember.submission_id == Submission.id)
                .where(
                    Submission.assignment_id == assignment_id,
                    SubmissionMember.user_id == student_id,
                )
            ).first()
            if has is not None:
                return False
            teachers = _teachers(conn, int(assignment))
            _add_submission(conn, assignment_id, name, score_id, [student_id], teachers, actor_id)
        return True

    def get_assignment(self, assignment_id: int) -> dict[str, Any] | None:
        with self.db.read() as conn:
            return to_dict(
                conn.execute(
                    select(*Assignment.__table__.columns).where(Assignment.id == assignment_id)
                ).first()
            )

    def assignments_of(self, class_id: int) -> list[dict[str, Any]]:
        with self.db.read() as conn:
            return to_dicts(
                conn.execute(
                    select(*Assignment.__table__.columns)
                    .where(Assignment.class_id == class_id)
                    .order_by(Assignment.id)
                )
            )

    # --- submissions ----------------------------------------------------------------------

    def _with_students(self, conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [r["id"] for r in rows]
        students: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        if ids:
            found = conn.execute(
                select(SubmissionMember.submission_id, User.id, User.name, User.display_name)
                .join(User, User.id == SubmissionMember.user_id)
                .where(SubmissionMember.submission_id.in_(ids))
                .order_by(User.name)
            )
            for sub_id, uid, name, display in found:
                students[sub_id].append({"id": uid, "name": name, "display_name": display})
        for row in rows:
            row["students"] = students[row["id"]]
        return rows

    def submissions_of(self, assignment_id: int) -> list[dict[str, Any]]:
        """Every submission of the assignment with its students, in creation order."""
        with self.db.read() as conn:
            rows = to_dicts(
                conn.execute(
                    select(*Submission.__table__.columns)
                    .where(Submission.assignment_id == assignment_id)
                    .order_by(Submission.id)
                )
            )
            return self._with_students(conn, rows)

    def submissions_for(self, user_id: int) -> list[dict[str, Any]]:
        """The submissions ``user_id`` is a student of, with their assignment's id."""
        with self.db.read() as conn:
            rows = to_dicts(
                conn.execute(
                    select(*Submission.__table__.columns)
                    .join(SubmissionMember, SubmissionMember.submission_id == Submission.id)
                    .where(SubmissionMember.user_id == user_id)
                    .order_by(Submission.id)
                )
            )
            return self._with_students(conn, rows)

    def get_submission(self, submission_id: int) -> dict[str, Any] | None:
        with self.db.read() as conn:
            rows = to_dicts(
                conn.execute(
                    select(*Submission.__table__.columns).where(Submission.id == submission_id)
                )
            )
            return self._with_students(conn, rows)[0] if rows else None

    def move(
        self,
        submission_id: int,
        from_states: tuple[str, ...],
        to_state: str,
        actor_id: int,
        *,
        release: bool = False,
        **values: Any,
    ) -> bool:
        """Move the submission to ``to_state`` if it is in one of ``from_states`` (compare
        and set: two teachers or a double click move it once), recording who and when.
        ``release``: the draft grade and feedback become the returned ones, in the same
        statement (a grade saved a moment before is the one released)."""
        if release:
            values.update(returned_grade=Submission.grade, returned_feedback=Submission.feedback)
        with self.db.write() as conn:
            moved = conn.execute(
                update(Submission)
                .where(Submission.id == submission_id, Submission.state.in_(from_states))
                .values(state=to_state, **values)
            ).rowcount
            if moved:
                self._event(conn, submission_id, to_state, actor_id)
        return bool(moved)

    def grade(self, submission_id: int, actor_id: int, **values: Any) -> None:
        """Set the draft grade and/or overall feedback (teachers only see them)."""
        with self.db.write() as conn:
            conn.execute(update(Submission).where(Submission.id == submission_id).values(**values))
            self._event(conn, submission_id, "graded", actor_id)

    @staticmethod
    def _event(conn: Connection, submission_id: int, action: str, actor_id: int) -> None:
        conn.execute(
            insert(SubmissionEvent).values(
                submission_id=submission_id, action=action, actor_id=actor_id, at=utcnow()
            )
        )

    def events(self, submission_id: int) -> list[dict[str, Any]]:
        """Every transition and grade of the submission, oldest first, with who did it."""
        with self.db.read() as conn:
            return to_dicts(
                conn.execute(
                    select(SubmissionEvent.action, SubmissionEvent.at, User.name.label("actor"))
                    .join(User, User.id == SubmissionEvent.actor_id)
                    .where(SubmissionEvent.submission_id == submission_id)
                    .order_by(SubmissionEvent.id)
                )
            )

    def rule_for(self, score_id: str, user_id: int) -> dict[str, Any] | None:
        """``edit_rule`` in a read transaction of its own (for the helper's checks)."""
        with self.db.read() as conn:
            return edit_rule(conn, score_id, user_id)


def now() -> datetime:
    """The repositories' clock (UTC), for late marks compared with stored due dates."""
    return utcnow()

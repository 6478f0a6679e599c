"""``ClassroomService``: the classrooms use case. Classes (join codes, co-teachers, roster
import, archive), assignments (a copy of the template per student or one shared score per
group, made through ``EditLog.create_score``), submissions (created -> turned in ->
returned, reset; grades and feedback, drafts until returned) and what each person may
see: a student only their own work, a teacher everything in the classes they teach.

Calls the ``EditLog``, the record repositories and the history views: no Flask,
Socket.IO or SQL.
"""

from __future__ import annotations

import csv
import io
import math
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..editing import EditLog
from ..history_service import HistoryViews
from ..persistence import Classrooms, Members, NameTaken, Repositories, Users, iso
from ..persistence.classrooms import now
from ..score import new_document
from . import contribution
from .policy import locked_events
from .roster import ClassroomError, parse_groups, parse_roster

#: Join codes: no 0/O or 1/I/L, so a code read off a board is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_TITLE = 200
MAX_TEXT = 4000
EDITABLE = ("created", "returned", "reset")
STATUS_COLUMNS = (
    "student", "display_name", "group", "state", "score", "edits", "notes_written",
    "notes_standing", "helper_notes", "time_active_s", "last_activity", "late",
)  # fmt: skip
GRADE_COLUMNS = ("student", "display_name", "group", "state", "late", "grade", "points", "feedback")


def _text(raw: Any, what: str, limit: int, *, required: bool = True) -> str:
    if raw is None and not required:
        return ""
    if not isinstance(raw, str) or (required and not raw.strip()) or len(raw) > limit:
        raise ClassroomError("bad_request", f"{what} needs 1..{limit} characters")
    return raw.strip()


def _due(raw: Any) -> datetime | None:
    """An ISO 8601 due date (a date alone means the end of that day, UTC)."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise ClassroomError("bad_request", "due is an ISO 8601 date or time")
    try:
        value = datetime.fromisoformat(raw + ("T23:59:59" if len(raw) == 10 else ""))
    except ValueError:
        raise ClassroomError("bad_request", f"due {raw!r} is no ISO 8601 date or time") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _when(value: datetime | None) -> str | None:
    return None if value is None else iso(value)


class ClassroomService:
    """Classrooms over one ``EditLog`` and its records; every method checks who may."""

    def __init__(
        self,
        scores: EditLog,
        *,
        classrooms: Classrooms,
        users: Users,
        members: Members,
        views: HistoryViews,
        hash_password: Callable[[str], str],
    ) -> None:
        """``hash_password``: how roster passwords are stored (the server's method)."""
        self.scores = scores
        self.store = classrooms
        self.users = users
        self.members = members
        self.views = views
        self.hash_password = hash_password

    @classmethod
    def over(
        cls,
        scores: EditLog,
        repos: Repositories,
        views: HistoryViews,
        hash_password: Callable[[str], str],
    ) -> ClassroomService:
        return cls(
            scores,
            classrooms=repos.classrooms,
            users=repos.users,
            members=repos.members,
            views=views,
            hash_password=hash_password,
        )

    # --- who may ----------------------------------------------------------------------------

    def _class(self, class_id: int) -> dict[str, Any]:
        found = self.store.get_class(int(class_id))
        if found is None:
            raise ClassroomError("not_found", f"no class {class_id}")
        return found

    def _teacher(self, class_id: int, user_id: int) -> dict[str, Any]:
        """The class, if ``user_id`` teaches it; ``not_found`` for outsiders (a class one
        does not belong to is not even confirmed to exist), ``forbidden`` for students."""
        klass = self._class(class_id)
        role = self.store.role_in(klass["id"], user_id)
        if role is None:
            raise ClassroomError("not_found", f"no class {class_id}")
        if role != "teacher":
            raise ClassroomError("forbidden", "only the class's teachers can do that")
        return klass

    def _member(self, class_id: int, user_id: int) -> tuple[dict[str, Any], str]:
        klass = self._class(class_id)
        role = self.store.role_in(klass["id"], user_id)
        if role is None:
            raise ClassroomError("not_found", f"no class {class_id}")
        return klass, role

    def _assignment(self, assignment_id: int) -> dict[str, Any]:
        found = self.store.get_assignment(int(assignment_id))
        if found is None:
            raise ClassroomError("not_found", f"no assignment {assignment_id}")
        return found

    def _submission(self, submission_id: int) -> tuple[dict[str, Any], dict[str, Any], str]:
        """The submission, its assignment and the caller's standing: checked by callers."""
        found = self.store.get_submission(int(submission_id))
        if found is None:
            raise ClassroomError("not_found", f"no submission {submission_id}")
        return found, self._assignment(found["assignment_id"]), ""

    def _standing(
        self, submission: dict[str, Any], assignment: dict[str, Any], user_id: int
    ) -> str:
        """``teacher``, ``student`` (one of its students) or ``not_found`` raised."""
        if self.store.role_in(assignment["class_id"], user_id) == "teacher":
            return "teacher"
        if any(s["id"] == user_id for s in submission["students"]):
            return "student"
        raise ClassroomError("not_found", f"no submission {submission['id']}")

    def _user(self, name: str) -> dict[str, Any]:
        found = self.users.user_by_name(name)
        if found is None:
            raise ClassroomError("not_found", f"no user {name!r}")
        return found

    # --- classes ----------------------------------------------------------------------------

    def create_class(self, teacher_id: int, title: Any) -> dict[str, Any]:
        title = _text(title, "a class title", MAX_TITLE)
        for _ in range(8):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            try:
                return self._class_json(self.store.create_class(title, teacher_id, code), "teacher")
            except NameTaken:
                continue
        raise ClassroomError("busy", "could not pick a free join code; try again")

    @staticmethod
    def _class_json(klass: dict[str, Any], role: str) -> dict[str, Any]:
        out = {
            "id": klass["id"],
            "title": klass["title"],
            "role": role,
            "archived": klass["archived_at"] is not None,
            "created_at": _when(klass["created_at"]),
        }
        if role == "teacher":
            out["join_code"] = klass["join_code"]
        return out

    def classes(self, user_id: int) -> list[dict[str, Any]]:
        return [self._class_json(c, c["role"]) for c in self.store.classes_for(user_id)]

    def join(self, user_id: int, code: Any) -> dict[str, Any]:
        """Enrol ``user_id`` as a student of the class with this join code."""
        if not isinstance(code, str) or not code.strip():
            raise ClassroomError("bad_request", "send the class's join code")
        klass = self.store.class_by_code(code.strip().upper())
        if klass is None:
            raise ClassroomError("not_found", "no class has this join code")
        if klass["archived_at"] is not None:
            raise ClassroomError("forbidden", "this class is archived")
        role = self.store.enrol(klass["id"], user_id, "student")
        if role == "student":
            self._late_copies(klass["id"], user_id)
        return self._class_json(klass, role)

    def _late_copies(self, class_id: int, student_id: int) -> None:
        """A student enrolled after a copy-mode assignment was set gets their copy now,
        from the template as it is today (group work stays with the teacher's groups)."""
        student = self.users.user_by_id(student_id)
        assert student is not None
        for assignment in self.store.assignments_of(class_id):
            if assignment["mode"] != "copy":
                continue
            subs = self.store.submissions_of(assignment["id"])
            if any(p["id"] == student_id for s in subs for p in s["students"]):
                continue
            template = assignment["template_id"]
            doc = (
                self.scores.load(template)[0]
                if template
                else new_document(title=assignment["title"])
            )
            title = f"{assignment['title']} ({student['name']})"[:MAX_TITLE]
            owner = int(assignment["created_by"])
            score_id = self.scores.create_score(owner, title, dict(doc, title=title))
            self.store.add_copy(assignment["id"], student["name"], score_id, student_id, owner)

    def add_teacher(self, user_id: int, class_id: int, name: Any) -> dict[str, Any]:
        """A co-teacher: teaches the class and owns every copy of it, past and future."""
        klass = self._teacher(class_id, user_id)
        other = self._user(_text(name, "a user name", 64))
        self.store.enrol(klass["id"], int(other["id"]), "teacher")
        return self.class_detail(user_id, class_id)

    def archive(self, user_id: int, class_id: int, archived: bool = True) -> dict[str, Any]:
        """An archived class takes no joins and no new assignments; all stays readable."""
        klass = self._teacher(class_id, user_id)
        self.store.set_archived(klass["id"], bool(archived))
        return self._class_json(self._class(class_id), "teacher")

    def import_roster(self, user_id: int, class_id: int, text: Any) -> dict[str, Any]:
        """Enrol every row's student; new names become accounts with the row's password,
        existing users are enrolled as they are (their password is not touched)."""
        klass = self._teacher(class_id, user_id)
        if not isinstance(text, str):
            raise ClassroomError("bad_request", "send the roster as CSV text")
        rows = parse_roster(text)
        from ..auth.passwords import password_problem

        for row in rows:  # check every row before anything is created
            if self.users.user_by_name(row.name) is None:
                problem = password_problem(row.password)
                if problem:
                    raise ClassroomError("bad_request", f"line {row.line}: {problem}")
        created: list[str] = []
        enrolled: list[str] = []
        for row in rows:
            found = self.users.user_by_name(row.name)
            if found is None:
                try:
                    new_id = self.users.create_user(
                        row.name, self.hash_password(row.password), row.display_name
                    )
                    created.append(row.name)
                except NameTaken:  # signed up meanwhile: enrol that account
                    new_id = int(self._user(row.name)["id"])
            else:
                new_id = int(found["id"])
            if self.store.enrol(klass["id"], new_id, "student") == "teacher":
                continue  # a teacher listed in the roster stays a teacher
            self._late_copies(klass["id"], new_id)
            enrolled.append(row.name)
        return {"class": klass["id"], "created": created, "enrolled": enrolled}

    def class_detail(self, user_id: int, class_id: int) -> dict[str, Any]:
        """The class as its caller may see it: teachers get the people, every assignment
        and every submission; students the teachers and their own work only."""
        klass, role = self._member(class_id, user_id)
        people = self.store.people(klass["id"])
        out = self._class_json(klass, role)
        out["teachers"] = [_person(p) for p in people if p["role"] == "teacher"]
        if role == "teacher":
            out["students"] = [_person(p) for p in people if p["role"] == "student"]
        out["assignments"] = [
            self.assignment(user_id, a["id"]) for a in self.store.assignments_of(klass["id"])
        ]
        return out

    # --- assignments ------------------------------------------------------------------------

    def create_assignment(
        self, user_id: int, class_id: int, spec: dict[str, Any]
    ) -> dict[str, Any]:
        """A copy of the template for each student (``mode`` copy) or for each group
        (``mode`` group, ``groups`` "ana,ben;cy,dee" or a list of name lists). Copies are
        owned by the class's teachers and edited by their students. Answers
        ``{"id", "copies": {student name or group: score id}}``."""
        klass = self._teacher(class_id, user_id)
        if klass["archived_at"] is not None:
            raise ClassroomError("forbidden", "this class is archived")
        title = _text(spec.get("title"), "an assignment title", MAX_TITLE)
        instructions = _text(spec.get("instructions"), "instructions", MAX_TEXT, required=False)
        mode = spec.get("mode", "copy")
        if mode not in ("copy", "group"):
            raise ClassroomError("bad_request", "mode is copy or group")
        helper = spec.get("helper", "allow")
        if helper not in ("allow", "forbid"):
            raise ClassroomError("bad_request", "helper is allow or forbid")
        points = spec.get("points")
        if points is not None and (
            isinstance(points, bool) or not isinstance(points, int) or not 0 < points <= 10_000
        ):
            raise ClassroomError("bad_request", "points is a whole number 1..10000")
        lock = spec.get("lock", True)
        if not isinstance(lock, bool):
            raise ClassroomError("bad_request", "lock is true or false")
        template = spec.get("template")
        if template:
            if not isinstance(template, str):
                raise ClassroomError("bad_request", "template is a score id")
            if self.members.role_of(template, user_id) is None:
                raise ClassroomError("not_found", f"no score {template} of yours")
            doc, _seq = self.scores.load(template)
        else:
            template, doc = None, new_document(title=title)
        students = {p["name"]: p for p in self.store.people(klass["id"]) if p["role"] == "student"}
        if mode == "copy":
            if spec.get("groups"):
                raise ClassroomError("bad_request", "groups go with mode group")
            teams = [[name] for name in sorted(students)]
        else:
            raw = spec.get("groups")
            if isinstance(raw, str):
                teams = parse_groups(raw)
            elif isinstance(raw, list) and all(
                isinstance(g, list) and all(isinstance(n, str) for n in g) for g in raw
            ):
                teams = parse_groups(";".join(",".join(g) for g in raw))
            else:
                raise ClassroomError(
                    "bad_request", 'a group assignment needs groups "ana,ben;cy,dee"'
                )
            strangers = [n for team in teams for n in team if n not in students]
            if strangers:
                raise ClassroomError(
                    "bad_request", f"not students of this class: {', '.join(strangers)}"
                )
        if not teams:
            raise ClassroomError("bad_request", "the class has no students yet")
        copies: list[tuple[str, str, list[int]]] = []
        for team in teams:
            name = ",".join(team)
            copy_title = f"{title} ({name})"[:MAX_TITLE]
            score_id = self.scores.create_score(user_id, copy_title, dict(doc, title=copy_title))
            copies.append((name, score_id, [int(students[n]["id"]) for n in team]))
        values = {
            "class_id": klass["id"],
            "title": title,
            "instructions": instructions,
            "due_at": _due(spec.get("due")),
            "points": points,
            "template_id": template,
            "mode": mode,
            "helper": helper,
            "locked_ids": locked_events(doc) if lock else [],
        }
        assignment = self.store.create_assignment(values, copies, user_id)
        return {"id": assignment["id"], "copies": {name: score for name, score, _ in copies}}

    def _assignment_json(self, assignment: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": assignment["id"],
            "class": assignment["class_id"],
            "title": assignment["title"],
            "instructions": assignment["instructions"],
            "due": _when(assignment["due_at"]),
            "points": assignment["points"],
            "mode": assignment["mode"],
            "helper": assignment["helper"],
            "locked_notes": len(assignment["locked_ids"] or ()),
            "template": assignment["template_id"],
        }

    def assignment(self, user_id: int, assignment_id: int) -> dict[str, Any]:
        """The assignment with the submissions the caller may see (teachers: all, with
        drafts and per-student numbers; a student: their own, grades once returned)."""
        assignment = self._assignment(assignment_id)
        _klass, role = self._member(assignment["class_id"], user_id)
        out = self._assignment_json(assignment)
        subs = self.store.submissions_of(assignment["id"])
        if role == "teacher":
            out["submissions"] = [self._for_teacher(s, assignment) for s in subs]
        else:
            mine = [s for s in subs if any(p["id"] == user_id for p in s["students"])]
            out["submissions"] = [self._for_student(s) for s in mine]
        return out

    def my_work(self, user_id: int) -> list[dict[str, Any]]:
        """A student's assignments across their classes, each with their own submission."""
        out = []
        for sub in self.store.submissions_for(user_id):
            assignment = self._assignment(sub["assignment_id"])
            klass = self._class(assignment["class_id"])
            out.append(
                {
                    **self._assignment_json(assignment),
                    "class_title": klass["title"],
                    "submission": self._for_student(sub),
                }
            )
        return out

    @staticmethod
    def _common(sub: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": sub["id"],
            "name": sub["name"],
            "score": sub["score_id"],
            "state": sub["state"],
            "students": [_person(p) for p in sub["students"]],
            "turned_in_at": _when(sub["turned_in_at"]),
            "late": bool(sub["late"]),
        }

    def _for_student(self, sub: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._common(sub),
            "grade": sub["returned_grade"],
            "feedback": sub["returned_feedback"],
        }

    def _for_teacher(self, sub: dict[str, Any], assignment: dict[str, Any]) -> dict[str, Any]:
        numbers = self.numbers(sub["score_id"])
        return {
            **self._common(sub),
            "grade": sub["grade"],
            "feedback": sub["feedback"],
            "returned_grade": sub["returned_grade"],
            "points": assignment["points"],
            "contributions": {
                p["name"]: _numbers_json(numbers.get(p["id"], contribution.empty()))
                for p in sub["students"]
            },
            "last_activity": _when(
                max(
                    (n["last_activity"] for n in numbers.values() if n["last_activity"]),
                    default=None,
                )
            ),  # fmt: skip
            "events": [
                {"action": e["action"], "by": e["actor"], "at": _when(e["at"])}
                for e in self.store.events(sub["id"])
            ],
        }

    def numbers(self, score_id: str) -> dict[Any, dict[str, Any]]:
        """author id -> contribution numbers of one score, from its cached history view."""
        with self.views.lock:
            view = self.views.get(score_id)
            return contribution.numbers(view.edits, view.blame())

    def status(self, user_id: int, assignment_id: int) -> list[dict[str, Any]]:
        """One row per student (``STATUS_COLUMNS``): their submission and their numbers."""
        assignment = self._assignment(assignment_id)
        self._teacher(assignment["class_id"], user_id)
        rows = []
        for sub in self.store.submissions_of(assignment["id"]):
            numbers = self.numbers(sub["score_id"])
            for student in sub["students"]:
                mine = numbers.get(student["id"], contribution.empty())
                rows.append(
                    {
                        "student": student["name"],
                        "display_name": student["display_name"],
                        "group": sub["name"] if assignment["mode"] == "group" else "",
                        "state": sub["state"],
                        "score": sub["score_id"],
                        **_numbers_json(mine),
                        "late": bool(sub["late"]),
                    }
                )
        return sorted(rows, key=lambda r: r["student"])

    def grades(self, user_id: int, assignment_id: int) -> list[dict[str, Any]]:
        """One row per student (``GRADE_COLUMNS``) with the teacher's current grade."""
        assignment = self._assignment(assignment_id)
        self._teacher(assignment["class_id"], user_id)
        rows = []
        for sub in self.store.submissions_of(assignment["id"]):
            for student in sub["students"]:
                rows.append(
                    {
                        "student": student["name"],
                        "display_name": student["display_name"],
                        "group": sub["name"] if assignment["mode"] == "group" else "",
                        "state": sub["state"],
                        "late": bool(sub["late"]),
                        "grade": sub["grade"],
                        "points": assignment["points"],
                        "feedback": sub["feedback"],
                    }
                )
        return sorted(rows, key=lambda r: r["student"])

    # --- submissions ------------------------------------------------------------------------

    def submission(self, user_id: int, submission_id: int) -> dict[str, Any]:
        sub, assignment, _ = self._submission(submission_id)
        if self._standing(sub, assignment, user_id) == "teacher":
            return self._for_teacher(sub, assignment)
        return self._for_student(sub)

    def turn_in(self, user_id: int, submission_id: int) -> dict[str, Any]:
        """A student hands the work in: read-only for its students until returned."""
        sub, assignment, _ = self._submission(submission_id)
        if self._standing(sub, assignment, user_id) != "student":
            raise ClassroomError("forbidden", "only the submission's students turn it in")
        moment = now()
        late = assignment["due_at"] is not None and moment > assignment["due_at"]
        if not self.store.move(sub["id"], EDITABLE, "turned_in", user_id,
                               turned_in_at=moment, late=late):  # fmt: skip
            raise ClassroomError("conflict", f"this submission is {self._state(sub['id'])}")
        return self.submission(user_id, submission_id)

    def return_work(self, user_id: int, submission_id: int) -> dict[str, Any]:
        """A teacher returns the work: the draft grade and feedback become visible to its
        students and the copy is theirs to edit again."""
        sub, assignment, _ = self._submission(submission_id)
        if self._standing(sub, assignment, user_id) != "teacher":
            raise ClassroomError("forbidden", "only a teacher returns work")
        moved = self.store.move(
            sub["id"], ("created", "turned_in", "reset"), "returned", user_id, release=True
        )
        if not moved:
            raise ClassroomError("conflict", f"this submission is {self._state(sub['id'])}")
        return self.submission(user_id, submission_id)

    def reset(self, user_id: int, submission_id: int) -> dict[str, Any]:
        """A teacher takes the submission back to the start (not turned in, not late)."""
        sub, assignment, _ = self._submission(submission_id)
        if self._standing(sub, assignment, user_id) != "teacher":
            raise ClassroomError("forbidden", "only a teacher resets work")
        self.store.move(
            sub["id"], ("created", "turned_in", "returned"), "reset", user_id,
            turned_in_at=None, late=False,
        )  # fmt: skip
        return self.submission(user_id, submission_id)

    def grade(self, user_id: int, submission_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """The draft grade (``grade``, 0..points) and/or overall ``feedback``."""
        sub, assignment, _ = self._submission(submission_id)
        if self._standing(sub, assignment, user_id) != "teacher":
            raise ClassroomError("forbidden", "only a teacher grades work")
        values: dict[str, Any] = {}
        if "grade" in body:
            grade = body["grade"]
            if grade is not None:
                if (
                    isinstance(grade, bool)
                    or not isinstance(grade, int | float)
                    or not math.isfinite(grade)
                ):
                    raise ClassroomError("bad_request", "a grade is a number")
                top = assignment["points"]
                if grade < 0 or (top is not None and grade > top):
                    raise ClassroomError("bad_request", f"a grade is 0..{top or 'any'}")
                grade = float(grade)
            values["grade"] = grade
        if "feedback" in body:
            values["feedback"] = _text(body["feedback"], "feedback", MAX_TEXT, required=False)
        if not values:
            raise ClassroomError("bad_request", "send grade and/or feedback")
        self.store.grade(sub["id"], user_id, **values)
        return self.submission(user_id, submission_id)

    def _state(self, submission_id: int) -> str:
        found = self.store.get_submission(submission_id)
        return str(found["state"]) if found else "gone"


def _person(p: dict[str, Any]) -> dict[str, Any]:
    return {"id": p["id"], "name": p["name"], "display_name": p["display_name"]}


def _numbers_json(n: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: n[k] for k in contribution.NUMBERS},
        "time_active_s": round(float(n["time_active_s"]), 1),
        "last_activity": _when(n["last_activity"]),
    }


def to_csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    """Rows as CSV text with a header; cells that a spreadsheet would run as a formula
    (starting with = + - @) are quoted with a leading apostrophe."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        safe = {}
        for key in columns:
            value = row.get(key)
            text = "" if value is None else str(value)
            safe[key] = "'" + text if text[:1] in ("=", "+", "-", "@") else text
        writer.writerow(safe)
    return out.getvalue()

"""The classrooms use case over a real (SQLite) database with the policy wired into the
``EditLog`` as the server wires it: classes and join codes, roster import, copy and group
assignments, isolation, the submission life cycle with draft grades, and the rules on
students' edits (turned in = read-only, locked template notes, helper forbidden)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from server.auth.roles import AuthError
from server.classrooms import ClassroomError, ClassroomPolicy, ClassroomService
from server.classrooms.policy import locked_events
from server.classrooms.roster import parse_groups, parse_roster
from server.editing import EditLog
from server.history_service import HistoryViews
from server.persistence import Database
from server.score.model import new_document
from server.suggestions import HelperError, HelperService
from tests.support.records import records


def note(eid: str, measure: str, step: str = "C", offset: str = "0") -> dict[str, Any]:
    return {
        "op": "write_event", "part": "p1", "measure": measure, "offset": offset,
        "event": {"id": eid, "dur": {"type": 4}, "notes": [{"id": eid + "a", "step": step,
                                                           "octave": 5}]},
    }  # fmt: skip


@pytest.fixture
def log(db_url: str) -> Iterator[EditLog]:
    svc = EditLog(Database(db_url), snapshot_every=10)
    svc.policy = ClassroomPolicy(records(svc).classrooms.rule_for)
    yield svc
    svc.db.dispose()


@pytest.fixture
def school(log: EditLog) -> dict[str, Any]:
    """Teacher ``tess``, students ana, ben, cy, dee in one class; a template with n1 in m1."""
    repos = records(log)
    ids = {n: repos.users.create_user(n, "x") for n in ("tess", "ana", "ben", "cy", "dee", "out")}
    rooms = ClassroomService.over(
        log, repos, HistoryViews(log, repos.checkpoints), lambda p: "h:" + p
    )
    klass = rooms.create_class(ids["tess"], "Year 9 music")
    for name in ("ana", "ben", "cy", "dee"):
        rooms.join(ids[name], klass["join_code"].lower())
    template = log.create_score(ids["tess"], "Template", new_document(measures=3))
    log.submit(template, ids["tess"], [note("n1", "m1")])
    return {"rooms": rooms, "ids": ids, "class": klass, "template": template, "repos": repos}


def test_join_code_roster_and_co_teacher(school: dict[str, Any]) -> None:
    rooms, ids, klass = school["rooms"], school["ids"], school["class"]
    assert len(klass["join_code"]) == 8
    with pytest.raises(ClassroomError) as refused:
        rooms.join(ids["out"], "NOPE")
    assert refused.value.code == "not_found"
    report = rooms.import_roster(
        ids["tess"], klass["id"], "name,display_name,password\neve,Eve E,pw-eve-1\nana,,\n"
    )
    assert report["created"] == ["eve"] and report["enrolled"] == ["eve", "ana"]
    eve = school["repos"].users.user_by_name("eve")
    assert eve["display_name"] == "Eve E" and eve["password_hash"] == "h:pw-eve-1"
    # A student cannot import a roster, add a teacher or see the roster.
    with pytest.raises(ClassroomError) as refused:
        rooms.import_roster(ids["ana"], klass["id"], "zed,,pw-zed-1\n")
    assert refused.value.code == "forbidden"
    assert "students" not in rooms.class_detail(ids["ana"], klass["id"])
    # Outsiders are not even told the class exists.
    with pytest.raises(ClassroomError) as refused:
        rooms.class_detail(ids["out"], klass["id"])
    assert refused.value.code == "not_found"
    # A bad roster line is refused before anyone is created.
    with pytest.raises(ClassroomError):
        rooms.import_roster(ids["tess"], klass["id"], "fay,,pw-fay-1\nbad name,,x\n")
    assert school["repos"].users.user_by_name("fay") is None


def test_copy_assignment_gives_each_student_their_own_copy_only(
    school: dict[str, Any], log: EditLog
) -> None:
    rooms, ids = school["rooms"], school["ids"]
    members = school["repos"].members
    made = rooms.create_assignment(
        ids["tess"], school["class"]["id"],
        {"title": "Melody", "template": school["template"], "mode": "copy", "points": 10},
    )  # fmt: skip
    copies = made["copies"]
    assert sorted(copies) == ["ana", "ben", "cy", "dee"] and len(set(copies.values())) == 4
    ana_copy, ben_copy = copies["ana"], copies["ben"]
    assert log.load(ana_copy)[0]["parts"][0]["bars"]["m1"] == log.load(school["template"])[0][
        "parts"][0]["bars"]["m1"]  # fmt: skip
    assert members.role_of(ana_copy, ids["ana"]) == "editor"
    assert members.role_of(ana_copy, ids["tess"]) == "owner"
    assert members.role_of(ana_copy, ids["ben"]) is None  # isolation
    # Ana edits her own copy; on Ben's she is refused (not a member).
    log.submit(ana_copy, ids["ana"], [note("a1", "m2", "E")], check_role=_editor)
    with pytest.raises(AuthError):
        log.submit(ben_copy, ids["ana"], [note("a2", "m2")], check_role=_editor)
    # Ana sees only her submission of the assignment.
    seen = rooms.assignment(ids["ana"], made["id"])["submissions"]
    assert [s["score"] for s in seen] == [ana_copy]
    assert "contributions" not in seen[0]
    teacher_view = rooms.assignment(ids["tess"], made["id"])["submissions"]
    assert len(teacher_view) == 4
    [ana_row] = [r for r in rooms.status(ids["tess"], made["id"]) if r["student"] == "ana"]
    assert (ana_row["edits"], ana_row["notes_written"], ana_row["notes_standing"]) == (1, 1, 1)
    with pytest.raises(ClassroomError):
        rooms.status(ids["ana"], made["id"])


def _editor(role: str | None) -> None:
    from server.auth import require

    require(role, "editor", "edit this score")


def test_locked_template_notes_cannot_be_changed_by_students(
    school: dict[str, Any], log: EditLog
) -> None:
    rooms, ids = school["rooms"], school["ids"]
    made = rooms.create_assignment(
        ids["tess"], school["class"]["id"], {"title": "Lock", "template": school["template"]}
    )
    copy = made["copies"]["cy"]
    head = log.head_seq(copy)
    refusals: list[list[dict[str, Any]]] = [
        [{"op": "set_pitch", "note": "n1a", "step": "E", "alter": 0, "octave": 4}],
        [{"op": "delete_event", "event": "n1"}],
        [note("x1", "m1", "G")],  # overwrites n1 by position without naming it
        [{"op": "remove_measures", "ids": ["m1"]}],
        [{"op": "set_duration", "event": "n1", "dur": {"type": 2}}],
    ]
    for ops in refusals:
        with pytest.raises(AuthError) as refused:
            log.submit(copy, ids["cy"], ops)
        assert refused.value.extra["reason"] == "locked", ops
    assert log.head_seq(copy) == head  # nothing stored
    log.submit(copy, ids["cy"], [note("x2", "m1", "G", offset="1/4")])  # beside it: fine
    log.submit(copy, ids["cy"], [note("x3", "m3", "A")])
    # The teacher may change the given note.
    log.submit(copy, ids["tess"], [{"op": "delete_event", "event": "n1"}])
    # Without the lock the same student edit passes.
    free = rooms.create_assignment(
        ids["tess"], school["class"]["id"],
        {"title": "Free", "template": school["template"], "lock": False},
    )  # fmt: skip
    log.submit(free["copies"]["cy"], ids["cy"], [{"op": "delete_event", "event": "n1"}])


def test_turned_in_copy_is_read_only_until_returned_and_grades_stay_draft(
    school: dict[str, Any], log: EditLog
) -> None:
    rooms, ids = school["rooms"], school["ids"]
    made = rooms.create_assignment(
        ids["tess"], school["class"]["id"],
        {"title": "Due", "template": school["template"], "points": 20,
         "due": (datetime.now(UTC) - timedelta(days=1)).isoformat()},
    )  # fmt: skip
    copy = made["copies"]["dee"]
    [sub] = rooms.assignment(ids["dee"], made["id"])["submissions"]
    with pytest.raises(ClassroomError):
        rooms.turn_in(ids["ana"], sub["id"])  # not hers: not found
    turned = rooms.turn_in(ids["dee"], sub["id"])
    assert turned["state"] == "turned_in" and turned["late"] is True
    with pytest.raises(AuthError) as refused:
        log.submit(copy, ids["dee"], [note("d1", "m2")])
    assert "turned in" in refused.value.message and refused.value.code == "forbidden"
    with pytest.raises(ClassroomError) as twice:
        rooms.turn_in(ids["dee"], sub["id"])
    assert twice.value.code == "conflict"
    rooms.grade(ids["tess"], sub["id"], {"grade": 17, "feedback": "Lovely cadence"})
    with pytest.raises(ClassroomError):
        rooms.grade(ids["tess"], sub["id"], {"grade": 21})  # over the points
    with pytest.raises(ClassroomError):
        rooms.grade(ids["dee"], sub["id"], {"grade": 20})
    mine = rooms.submission(ids["dee"], sub["id"])
    assert mine["grade"] is None and mine["feedback"] == ""  # draft: hidden
    returned = rooms.return_work(ids["tess"], sub["id"])
    assert returned["state"] == "returned"
    mine = rooms.submission(ids["dee"], sub["id"])
    assert (mine["grade"], mine["feedback"]) == (17.0, "Lovely cadence")
    log.submit(copy, ids["dee"], [note("d1", "m2")])  # editable again
    rooms.grade(ids["tess"], sub["id"], {"grade": 19})  # a new draft after returning
    assert rooms.submission(ids["dee"], sub["id"])["grade"] == 17.0
    reset = rooms.reset(ids["tess"], sub["id"])
    assert reset["state"] == "reset" and reset["late"] is False
    actions = [e["action"] for e in rooms.submission(ids["tess"], sub["id"])["events"]]
    assert actions == ["created", "turned_in", "graded", "returned", "graded", "reset"]
    assert {e["by"] for e in rooms.submission(ids["tess"], sub["id"])["events"]} == {"tess", "dee"}


def test_group_assignment_shares_a_score_within_a_group_only(
    school: dict[str, Any], log: EditLog
) -> None:
    rooms, ids = school["rooms"], school["ids"]
    members = school["repos"].members
    made = rooms.create_assignment(
        ids["tess"], school["class"]["id"],
        {"title": "Duet", "template": school["template"], "mode": "group",
         "groups": "ana,ben;cy,dee"},
    )  # fmt: skip
    assert sorted(made["copies"]) == ["ana,ben", "cy,dee"]
    ab = made["copies"]["ana,ben"]
    assert members.role_of(ab, ids["ben"]) == "editor" and members.role_of(ab, ids["cy"]) is None
    log.submit(ab, ids["ana"], [note("g1", "m2")])
    log.submit(ab, ids["ben"], [note("g2", "m3")])
    log.submit(ab, ids["ben"], [note("g3", "m2", "D", offset="1/4")])
    rows = {r["student"]: r for r in rooms.status(ids["tess"], made["id"])}
    assert (rows["ana"]["edits"], rows["ben"]["edits"], rows["cy"]["edits"]) == (1, 2, 0)
    assert rows["ana"]["group"] == rows["ben"]["group"] == "ana,ben"
    with pytest.raises(ClassroomError):
        rooms.create_assignment(
            ids["tess"], school["class"]["id"],
            {"title": "X", "mode": "group", "groups": "ana,out"},
        )  # fmt: skip
    with pytest.raises(ClassroomError):
        parse_groups("ana,ben;ben")


def test_forbidden_helper_refuses_students_but_not_teachers(
    school: dict[str, Any], log: EditLog
) -> None:
    rooms, ids, repos = school["rooms"], school["ids"], school["repos"]
    made = rooms.create_assignment(
        ids["tess"], school["class"]["id"],
        {"title": "No help", "template": school["template"], "helper": "forbid"},
    )  # fmt: skip
    copy = made["copies"]["ana"]
    policy = log.policy
    assert isinstance(policy, ClassroomPolicy)
    helper = HelperService.over(log, repos, refusal=policy.helper_refusal)
    repos.settings.update_settings(copy, helper_enabled=True)
    helper.set_opt_in(ids["ana"], True)
    state = helper.status(copy, ids["ana"])
    assert state["available"] is False and state["reason"] == "helper_forbidden"
    with pytest.raises(HelperError) as refused:
        helper.request(copy, ids["ana"], {"measures": ["m2"]})
    assert refused.value.code == "forbidden"
    with pytest.raises(AuthError) as refused_edit:
        log.submit(copy, ids["ana"], [note("h1", "m2")], origin="helper", meta={"x": 1})
    assert refused_edit.value.extra["reason"] == "helper_forbidden"
    with pytest.raises(HelperError):
        helper.set_score_enabled(copy, ids["ana"], True)  # switching it on: refused too
    helper.set_opt_in(ids["tess"], True)
    assert helper.status(copy, ids["tess"])["reason"] is None  # teachers are not limited


def test_parse_roster_rules() -> None:
    rows = parse_roster("name,display_name,password\n\nana,Ana A,pw\nben\n")
    assert [(r.name, r.display_name, r.password) for r in rows] == [
        ("ana", "Ana A", "pw"), ("ben", "ben", ""),
    ]  # fmt: skip
    for bad in ("ana,x,y,z\n", "a b,,p\n", "ana,,p\nana,,q\n"):
        with pytest.raises(ClassroomError):
            parse_roster(bad)


def test_locked_events_are_the_templates_notes_not_rests() -> None:
    doc = new_document(measures=2)
    from server.score import apply_edit

    apply_edit(doc, [note("n1", "m1"), note("n2", "m2")])
    assert sorted(locked_events(doc)) == ["n1", "n2"]


def test_a_late_joiner_gets_their_copy_and_an_archived_class_takes_no_one(
    school: dict[str, Any], log: EditLog
) -> None:
    rooms, ids, klass = school["rooms"], school["ids"], school["class"]
    made = rooms.create_assignment(
        ids["tess"], klass["id"], {"title": "Early", "template": school["template"]}
    )
    group = rooms.create_assignment(
        ids["tess"], klass["id"], {"title": "Pairs", "mode": "group", "groups": "ana,ben"}
    )
    rooms.join(ids["out"], klass["join_code"])  # joins after both were set
    [mine] = rooms.assignment(ids["out"], made["id"])["submissions"]
    assert mine["name"] == "out" and mine["score"] not in made["copies"].values()
    assert school["repos"].members.role_of(mine["score"], ids["out"]) == "editor"
    assert school["repos"].members.role_of(mine["score"], ids["tess"]) == "owner"
    assert rooms.assignment(ids["out"], group["id"])["submissions"] == []  # groups stay
    rooms.join(ids["out"], klass["join_code"])  # again: still one copy
    assert len(rooms.assignment(ids["out"], made["id"])["submissions"]) == 1
    # The template's given note is locked in the late copy too.
    with pytest.raises(AuthError):
        log.submit(mine["score"], ids["out"], [{"op": "delete_event", "event": "n1"}])

    rooms.archive(ids["tess"], klass["id"])
    repos = school["repos"]
    late = repos.users.create_user("late", "x")
    with pytest.raises(ClassroomError) as refused:
        rooms.join(late, klass["join_code"])
    assert refused.value.code == "forbidden"
    with pytest.raises(ClassroomError):
        rooms.create_assignment(ids["tess"], klass["id"], {"title": "After"})
    assert rooms.class_detail(ids["tess"], klass["id"])["archived"] is True


def test_csv_exports_defuse_formula_cells() -> None:
    from server.classrooms import to_csv

    text = to_csv(
        [{"student": '=HYPERLINK("x")', "grade": 7.5, "feedback": "+1 -2 @me"}],
        ("student", "grade", "feedback"),
    )
    assert text.splitlines() == ["student,grade,feedback", '"\'=HYPERLINK(""x"")",7.5,\'+1 -2 @me']


def test_a_co_teacher_owns_every_copy_past_and_future(school: dict[str, Any], log: EditLog) -> None:
    rooms, ids, klass = school["rooms"], school["ids"], school["class"]
    members = school["repos"].members
    before = rooms.create_assignment(
        ids["tess"], klass["id"], {"title": "Before", "template": school["template"]}
    )
    with pytest.raises(ClassroomError):
        rooms.status(ids["out"], before["id"])
    with pytest.raises(ClassroomError) as refused:
        rooms.add_teacher(ids["ana"], klass["id"], "out")  # a student cannot
    assert refused.value.code == "forbidden"
    detail = rooms.add_teacher(ids["tess"], klass["id"], "out")
    assert [t["name"] for t in detail["teachers"]] == ["out", "tess"]
    assert all(members.role_of(s, ids["out"]) == "owner" for s in before["copies"].values())
    assert len(rooms.status(ids["out"], before["id"])) == 4
    after = rooms.create_assignment(ids["out"], klass["id"], {"title": "After"})
    assert all(members.role_of(s, ids["tess"]) == "owner" for s in after["copies"].values())
    # A co-teacher is not bound by the rules: edits a turned-in copy's locked note.
    [sub] = rooms.assignment(ids["ana"], before["id"])["submissions"]
    rooms.turn_in(ids["ana"], sub["id"])
    log.submit(sub["score"], ids["out"], [{"op": "delete_event", "event": "n1"}])


def test_a_double_turn_in_and_two_teachers_returning_at_once_move_it_once(
    school: dict[str, Any],
) -> None:
    import threading

    rooms, ids, klass = school["rooms"], school["ids"], school["class"]
    made = rooms.create_assignment(
        ids["tess"], klass["id"], {"title": "Race", "mode": "group", "groups": "ana,ben"}
    )
    [sub] = rooms.assignment(ids["ana"], made["id"])["submissions"]
    rooms.add_teacher(ids["tess"], klass["id"], "out")

    def race(calls: list[tuple[Any, int]]) -> list[str]:
        results: list[str] = []
        start = threading.Barrier(len(calls))

        def one(call: Any, who: int) -> None:
            start.wait()
            try:
                call(who, sub["id"])
                results.append("ok")
            except ClassroomError as exc:
                results.append(exc.code)

        threads = [threading.Thread(target=one, args=c) for c in calls]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return sorted(results)

    turn_ins = [(rooms.turn_in, ids["ana"])] * 3 + [(rooms.turn_in, ids["ben"])] * 3
    assert race(turn_ins) == ["conflict"] * 5 + ["ok"]
    assert race([(rooms.return_work, ids["tess"]), (rooms.return_work, ids["out"])]) == [
        "conflict",
        "ok",
    ]
    actions = [e["action"] for e in rooms.submission(ids["tess"], sub["id"])["events"]]
    assert actions == ["created", "turned_in", "returned"]

"""Classrooms in the browser: a teacher creates a class and a group assignment on the
classes page, two students join with the code, compose in their group's score live in
the editor and turn it in; the teacher sees each student's contribution numbers, leaves an
anchored comment, grades and returns; the student sees the grade. Screenshots of both
views go to TUTTI_SCREENSHOTS_DIR (docs/screenshots/ to refresh them)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from .conftest import Blocked, click_id, settled

# A temporary folder unless TUTTI_SCREENSHOTS_DIR names one (docs/screenshots refreshes
# the committed pictures): a test run never dirties the tree.
SHOTS = Path(os.environ.get("TUTTI_SCREENSHOTS_DIR") or "/tmp/tutti-screenshots")


def classes_page(user: Any) -> Page:
    page: Page = user.page
    page.goto(f"{user.server.url}/classes")
    page.wait_for_selector("#my-work", state="attached")
    page.wait_for_load_state("networkidle")
    return page


def type_notes(page: Page, rest: str, keys: str) -> None:
    click_id(page, rest)
    page.keyboard.press("n")
    for key in keys:
        page.keyboard.press(key)


def test_group_assignment_from_class_to_returned_grade(make_user: Any, blocked: Blocked) -> None:
    tess, ana, ben = make_user("tessc"), make_user("anac"), make_user("benc")
    template = tess.api(
        "post", "/api/scores", {"title": "Call and response", "measures": 4,
                                "parts": [{"name": "Melody", "clef": "treble"}]},
    )["id"]  # fmt: skip

    # The teacher creates the class on the page and reads its join code there.
    page = classes_page(tess)
    page.fill("#class-form input[name=title]", "Year 9 composers")
    page.click("#class-form button[type=submit]")
    code = page.locator(".class .code").first.inner_text(timeout=10000)
    assert len(code) == 8
    for student in (ana, ben):
        spage = classes_page(student)
        spage.fill("#join-form input[name=code]", code)
        spage.click("#join-form button[type=submit]")
        spage.wait_for_function("!document.querySelector('#join-form input').value")

    page.reload()
    page.wait_for_selector(".class .people:has-text('anac')")
    page.click(".class details:has(.new-assignment) summary")
    form = page.locator(".new-assignment")
    form.locator("input[name=title]").fill("Four-bar duet")
    form.locator("select[name=template]").select_option(template)
    form.locator("select[name=mode]").select_option("group")
    form.locator("input[name=groups]").fill("anac,benc")
    form.locator("select[name=helper]").select_option("forbid")
    form.locator("input[name=points]").fill("10")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".assignment h4:has-text('Four-bar duet')")

    # Both students find it under My assignments and compose in the same score, live.
    spage = classes_page(ana)
    link = spage.locator("#my-work a:has-text('Open')").first
    score = link.get_attribute("href").rsplit("/", 1)[-1]  # type: ignore[union-attr]
    a, b = ana.open(score), ben.open(score)
    type_notes(a, "m1.p1.r0", "cdeg")
    type_notes(b, "m3.p1.r0", "gfe")
    assert settled(a, 7) == settled(b, 7)

    spage = classes_page(ben)
    spage.click("#my-work button.turn-in")
    spage.wait_for_selector("#my-work .state.turned_in")

    # Turned in: Ana's open editor is refused and says why; the score is unchanged.
    before = settled(a)
    type_notes(a, "m4.p1.r0", "c")
    # (the page may still be in note input, where the click itself writes: either way
    # an edit is sent and refused; the status line says so until the next message)
    a.wait_for_function(
        "window.tutti.state.rejected.some((r) => r.message.startsWith('this copy is turned in'))",
        timeout=10000,
    )
    assert settled(a) == before

    # The teacher's dashboard: turned in, each student's numbers from the log.
    page.reload()
    row = page.locator(".assignment tr[data-submission]").first
    row.locator(".state.turned_in").wait_for()
    contrib = row.locator("table.contrib tbody tr")
    texts = sorted(contrib.nth(i).inner_text() for i in range(contrib.count()))
    assert texts[0].split()[:5] == ["anac", "4", "4", "4", "0"], texts
    assert texts[1].split()[:5] == ["benc", "3", "3", "3", "0"], texts
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "classrooms-teacher.png"), full_page=True)

    # "Tinted" opens the copy with every note coloured by who wrote it.
    tinted = tess.context.new_page()
    tinted.goto(tess.server.url + str(row.locator("a.tinted").get_attribute("href")))
    tinted.wait_for_function(
        "(document.getElementById('history-authorship-style') || {}).textContent > ''",
        timeout=15000,
    )
    rules = tinted.evaluate("document.getElementById('history-authorship-style').textContent")
    assert rules.count("{") == 2 and rules.count("#score [id=") == 7  # two students, 7 notes
    assert tinted.evaluate("document.getElementById('history-panel').open")
    tinted.wait_for_timeout(500)
    tinted.screenshot(path=str(SHOTS / "classrooms-tinted.png"))
    tinted.close()

    # Feedback anchored in the score, a grade and an overall comment, then return.
    first_note = settled(a)["parts"][0]["bars"]["m1"]["voices"]["1"][0]["id"]
    anchor = {"kind": "event", "event": first_note}
    tess.api("post", f"/api/scores/{score}/comments", {"body": "Strong opening", "anchor": anchor})
    row.locator("input.grade").fill("9")
    row.locator("input.feedback").fill("Good dialogue between the phrases")
    row.locator("button.save-grade").click()
    page.wait_for_function(
        "document.querySelector('.assignment tr[data-submission] input.grade').value === '9'"
    )
    row = page.locator(".assignment tr[data-submission]").first
    assert classes_page(ana).locator("#my-work td:has-text('9 / 10')").count() == 0  # draft
    page = classes_page(tess)
    page.locator(".assignment tr[data-submission] button.return").first.click()
    page.wait_for_selector(".assignment .state.returned")

    spage = classes_page(ana)
    spage.wait_for_selector("#my-work .state.returned")
    assert spage.locator("#my-work td:has-text('9 / 10')").count() == 1
    assert spage.locator("#my-work td:has-text('Good dialogue')").count() == 1
    spage.screenshot(path=str(SHOTS / "classrooms-student.png"), full_page=True)
    # The feedback anchored in the score reaches the student with the note it names.
    threads = ana.api("get", f"/api/scores/{score}/comments")["threads"]
    assert [(t["body"], t["anchor"]["event"]) for t in threads] == [("Strong opening", first_note)]
    assert tess.errors == [] and ana.errors == [] and ben.errors == []
    assert blocked.urls == []

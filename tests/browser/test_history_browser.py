"""History in the editor, two people in two real browser contexts against the real server:
the timeslider shows an older, read-only score (fewer notes engraved), and one person
reverts the other's edit from the history panel so the note disappears in both pages.
Every test also checks that no request left the loopback interface.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import Page

from server.editing import EditLog

from .conftest import Blocked, click_id, new_shared_score, settled

pytestmark = pytest.mark.browser


def type_note(page: Page, rest_id: str, key: str) -> None:
    click_id(page, rest_id)
    page.keyboard.press("n")
    page.keyboard.press(key)
    page.keyboard.press("Escape")


def note_ids(page: Page, where: str) -> list[str]:
    return list(
        page.evaluate(
            "sel => [...document.querySelectorAll(sel + ' g.note')].map(n => n.id)", where
        )
    )


def open_panel(page: Page) -> None:
    page.click("#history-panel > summary")
    page.wait_for_selector("#history-entries li.history-entry")


def test_timeslider_and_revert_from_the_panel(
    make_user: Any, blocked: Blocked, web_service: EditLog
) -> None:
    ana, ben = make_user("hist_ana"), make_user("hist_ben")
    score_id = new_shared_score(ana, [ben])
    a, b = ana.open(score_id), ben.open(score_id)
    type_note(a, "m1.p1.r0", "c")
    settled(a, 1)
    type_note(b, "m2.p1.r0", "e")
    settled(b, 2)
    settled(a, 2)
    [ana_note] = [
        n["id"] for e in a.evaluate("tutti.doc.parts[0].bars.m1.voices['1']") for n in e["notes"]
    ]
    [ben_note] = [
        n["id"] for e in a.evaluate("tutti.doc.parts[0].bars.m2.voices['1']") for n in e["notes"]
    ]
    a.wait_for_function(
        'id => document.querySelector(`#score [id="${id}"]`)', arg=ben_note, timeout=5000
    )

    # Timeslider: one step back from the head shows the score after edit 1, read-only.
    open_panel(a)
    a.click("#history-back")
    a.wait_for_function("document.querySelector('#history-view').dataset.shown === '1'")
    assert a.is_visible("#history-view")
    assert "Read-only" in a.inner_text("#history-view-label")
    assert note_ids(a, "#history-canvas") == [ana_note]
    assert sorted(note_ids(a, "#score")) == sorted([ana_note, ben_note])
    a.click("#history-first")
    a.wait_for_function("document.querySelector('#history-view').dataset.shown === '0'")
    assert note_ids(a, "#history-canvas") == []
    a.click("#history-view-close")
    assert not a.is_visible("#history-view")

    # Ana reverts Ben's edit from the panel: his note goes in both pages, hers stays.
    entry = a.locator("#history-entries li.history-entry", has_text=ben.name)
    assert entry.get_attribute("data-seqs") == "2"
    entry.locator("button.history-revert").click()
    a.wait_for_function(
        "document.querySelector('#history-report').textContent.includes('as edit 3')"
    )
    for page in (a, b):
        page.wait_for_function(
            'id => !document.querySelector(`#score [id="${id}"]`)', arg=ben_note, timeout=5000
        )
        assert note_ids(page, "#score") == [ana_note]
    assert settled(a, 3) == settled(b, 3)
    web_service.forget_cache()
    edit = web_service.edit_at(score_id, 3)
    assert edit is not None and edit.origin == "revert" and edit.author_name == ana.name
    assert edit.meta["reverts"] == [2]
    # The panel lists the revert, with its badge, once the broadcast arrived.
    a.wait_for_selector("#history-entries li[data-origin='revert'] .history-origin-revert")

    # Blame of Ana's note, and the authorship colours toggle tints it.
    click_id(a, ana_note)
    a.wait_for_function(
        "document.querySelector('#history-blame').textContent.includes('Created by')"
    )
    assert ana.name in a.inner_text("#history-blame .history-blame-created")
    a.check("#history-authorship")
    a.wait_for_function(
        "id => document.querySelector('#history-authorship-style').textContent.includes(id)",
        arg=ana_note,
    )

    # "Revert all matching": Ben's edits in m. 3, where Ana changed his note since: kept.
    type_note(b, "m3.p1.r0", "a")
    settled(b, 4)
    settled(a, 4)
    [ben_a] = [
        n["id"] for e in a.evaluate("tutti.doc.parts[0].bars.m3.voices['1']") for n in e["notes"]
    ]
    a.evaluate(
        "id => tutti.collab.submit([{op: 'set_pitch', note: id, step: 'B', octave: 4}])", ben_a
    )
    settled(a, 5)
    a.select_option("#history-author", label=ben.name)
    a.fill("#history-from-measure", "3")
    a.fill("#history-to-measure", "3")
    a.click("#history-filter")
    a.wait_for_function(
        "document.querySelectorAll('#history-entries li.history-entry').length === 1"
    )
    a.click("#history-revert-matching")
    a.wait_for_selector("#history-report .history-conflicts li")
    assert "Nothing could be reverted" in a.inner_text("#history-report")
    kept = a.inner_text("#history-report .history-conflicts")
    assert "m. 3" in kept and f"changed later by {ana.name}; kept" in kept
    assert settled(b, 5) == settled(a, 5)
    assert ana.errors == [] and ben.errors == []
    assert blocked.urls == []


def test_versions_and_diff_highlight(make_user: Any, blocked: Blocked) -> None:
    ana = make_user("hist_vera")
    score_id = new_shared_score(ana, [])
    a = ana.open(score_id)
    type_note(a, "m1.p1.r0", "c")
    settled(a, 1)
    open_panel(a)
    a.fill("#history-version-label", "sketch")
    a.click("#history-version-save")
    a.wait_for_selector("#history-versions li[data-seq='1']")
    type_note(a, "m2.p1.r0", "g")
    settled(a, 2)
    [added] = [
        n["id"] for e in a.evaluate("tutti.doc.parts[0].bars.m2.voices['1']") for n in e["notes"]
    ]
    a.select_option("#history-diff-from", "1")
    a.click("#history-diff")
    a.wait_for_function("document.querySelector('#history-view').dataset.shown === 'diff:1:2'")
    assert "1 added" in a.inner_text("#history-view-label")
    assert a.locator("#history-diff-lines li[data-change='added']").count() == 1
    assert added in a.evaluate("document.querySelector('#history-diff-style').textContent")
    # The highlighted note is engraved in the read-only view.
    assert added in note_ids(a, "#history-canvas")
    if os.environ.get("TUTTI_HISTORY_SCREENSHOT"):  # a picture of the panel and diff view
        a.screenshot(path=os.environ["TUTTI_HISTORY_SCREENSHOT"], full_page=True)

    # Play through the history: from the score as created up to the head, then it stops.
    a.click("#history-play")
    a.wait_for_function("document.querySelector('#history-view').dataset.shown === '2'")
    a.wait_for_function("document.querySelector('#history-play').textContent === 'Play'")
    assert note_ids(a, "#history-canvas") == note_ids(a, "#score")

    # Restore the version: one new edit; the later note goes.
    a.click("#history-versions li[data-seq='1'] button.history-version-restore")
    settled(a, 3)
    a.wait_for_function(
        'id => !document.querySelector(`#score [id="${id}"]`)', arg=added, timeout=5000
    )
    assert ana.errors == []
    assert blocked.urls == []


def test_expand_a_merged_entry_revert_one_edit_and_blame_after_restore(
    make_user: Any, blocked: Blocked, web_service: EditLog
) -> None:
    ana, ben = make_user("hist_exp_ana"), make_user("hist_exp_ben")
    score_id = new_shared_score(ana, [ben])
    a, b = ana.open(score_id), ben.open(score_id)
    type_note(a, "m1.p1.r0", "c")  # 1
    settled(a, 1)
    type_note(b, "m2.p1.r0", "e")  # 2: Ben in between
    settled(b, 2)
    settled(a, 2)
    type_note(a, "m3.p1.r0", "g")  # 3
    settled(a, 3)
    type_note(a, "m4.p1.r0", "a")  # 4
    doc = settled(a, 4)

    def bar_note(measure: str) -> str:
        [nid] = [
            n["id"] for e in doc["parts"][0]["bars"][measure]["voices"]["1"] for n in e["notes"]
        ]
        return str(nid)

    # Filtered by Ana, her three edits merge into one entry; expanded, each stands alone.
    open_panel(a)
    a.select_option("#history-author", label=ana.name)
    a.click("#history-filter")
    a.wait_for_function(
        "document.querySelectorAll('#history-entries li.history-entry').length === 1"
    )
    entry = a.locator("#history-entries li.history-entry")
    assert entry.get_attribute("data-seqs") == "1 3 4"
    entry.locator("button.history-expand").click()
    # (A refresh may re-render the list meanwhile: wait for the entry as it is now.)
    a.wait_for_function(
        "document.querySelectorAll('#history-entries li.history-entry li.history-edit')"
        ".length === 3"
    )
    a.wait_for_selector("#history-entries button.history-expand[aria-expanded='true']")
    rows = entry.locator("li.history-edit")
    assert [rows.nth(i).get_attribute("data-seq") for i in range(rows.count())] == ["1", "3", "4"]
    assert "m. 3" in rows.nth(1).inner_text()
    assert "null" not in a.inner_text("#history-blame")

    # Revert edit 3 alone: its G goes in both pages, the C, E and A stay.
    gone = bar_note("m3")
    rows.nth(1).locator("button.history-revert-one").click()
    a.wait_for_function(
        "document.querySelector('#history-report').textContent.includes('as edit 5')"
    )
    for page in (a, b):
        page.wait_for_function(
            'id => !document.querySelector(`#score [id="${id}"]`)', arg=gone, timeout=5000
        )
    kept = sorted(bar_note(m) for m in ("m1", "m2", "m4"))
    assert sorted(note_ids(a, "#score")) == kept
    assert settled(a, 5) == settled(b, 5)
    web_service.forget_cache()
    edit = web_service.edit_at(score_id, 5)
    assert edit is not None and edit.origin == "revert" and edit.meta["reverts"] == [3]

    # Ben restores the score after edit 3: Ana's G is back, credited to her, restored by Ben.
    ben.api("post", f"/api/scores/{score_id}/restore", {"seq": 3})
    settled(a, 6)
    click_id(a, gone)
    a.wait_for_function(
        "document.querySelector('#history-blame').textContent.includes('Restored by')"
    )
    assert ana.name in a.inner_text("#history-blame .history-blame-created")
    assert ben.name in a.inner_text("#history-blame .history-blame-restored")
    assert "null" not in a.inner_text("#history-blame")
    # The entry stays expanded across the refreshes the new edits caused.
    a.wait_for_selector("#history-entries li.history-edit[data-seq='4']")
    if os.environ.get("TUTTI_HISTORY_EXPAND_SCREENSHOT"):  # the expanded entry and the blame
        a.screenshot(path=os.environ["TUTTI_HISTORY_EXPAND_SCREENSHOT"], full_page=True)
    assert ana.errors == [] and ben.errors == []
    assert blocked.urls == []

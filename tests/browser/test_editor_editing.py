"""Keyboard, mouse, menu and dialog editing in one real browser page.

Each step checks the page's document (and the engraving where it shows); the end
state must equal the database's. Non-loopback requests stay blocked throughout.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from server.editing import EditLog

from .conftest import Blocked, click_id, new_shared_score, settled

pytestmark = pytest.mark.browser


def voice(page: Page, part: int, measure: str) -> list[dict[str, Any]]:
    return list(
        page.evaluate("([p, m]) => window.tutti.doc.parts[p].bars[m].voices['1']", [part, measure])
    )


def pitches(page: Page, part: int, measure: str) -> list[str]:
    out = []
    for event in voice(page, part, measure):
        names = []
        for n in event["notes"]:
            acc = "#" * n["alter"] if n["alter"] > 0 else "b" * -n["alter"]
            names.append(f"{n['step']}{acc}{n['octave']}")
        out.append("+".join(names) or "rest")
    return out


def choose(page: Page, menu: str, value: str) -> None:
    page.select_option(f'select[data-menu="{menu}"]', value)


def test_keyboard_note_entry_and_pitch_editing(
    make_user: Any, blocked: Blocked, web_service: EditLog
) -> None:
    user = make_user("kbd")
    score_id = new_shared_score(user, [], measures=4)
    page = user.open(score_id)
    click_id(page, "m1.p1.r0")
    page.keyboard.press("n")
    page.keyboard.press("5")  # quarter
    for key in "cde":
        page.keyboard.press(key)
    page.keyboard.press("Shift+G")  # G above E: a chord
    assert pitches(page, 0, "m1") == ["C4", "D4", "E4+G4", "rest"]
    page.keyboard.press("0")  # a quarter rest fills the bar
    page.keyboard.press("6")  # half
    page.keyboard.press("f")  # lands in m2
    page.keyboard.press("t")  # a tied copy
    assert pitches(page, 0, "m2") == ["F4", "F4"]
    m2 = voice(page, 0, "m2")
    assert m2[0]["notes"][0].get("tie") is True and m2[0]["dur"] == {"type": 2}
    page.keyboard.press("Escape")

    # Pitch editing on a selected note: semitone, octave, flatten; digits set durations.
    first = voice(page, 0, "m1")[0]["notes"][0]["id"]
    click_id(page, first)
    page.keyboard.press("ArrowUp")
    assert pitches(page, 0, "m1")[0] == "C#4"
    page.keyboard.press("Control+ArrowUp")
    assert pitches(page, 0, "m1")[0] == "C#5"
    page.keyboard.press("Alt+ArrowDown")
    page.keyboard.press("-")
    assert pitches(page, 0, "m1")[0] == "Cb5"
    page.keyboard.press("a")  # a letter re-spells the selected note, nearest octave
    assert pitches(page, 0, "m1")[0] == "A4"
    page.keyboard.press("4")  # eighth
    assert voice(page, 0, "m1")[0]["dur"] == {"type": 8}
    page.keyboard.press(".")
    assert voice(page, 0, "m1")[0]["dur"] == {"type": 8, "dots": 1}
    # The selection is drawn in the selection colour on the engraved note.
    page.wait_for_function("window.tutti.engraver.busy === null")
    fill = page.eval_on_selector(f'#score [id="{first}"]', "el => getComputedStyle(el).fill")
    assert fill == "rgb(26, 98, 214)"
    page.keyboard.press("Delete")
    assert pitches(page, 0, "m1")[0] == "rest"
    page.keyboard.press("Control+z")
    # Undo is a revert the server plans (after the delete is confirmed): wait for its edit.
    page.wait_for_function(
        "window.tutti.doc.parts[0].bars.m1.voices['1'][0].notes.length > 0", timeout=5000
    )
    assert pitches(page, 0, "m1")[0] == "A4"

    # Ctrl+Alt+2: note input writes into voice 2, engraved as a second layer.
    click_id(page, "m3.p1.r0")
    page.keyboard.press("n")
    page.keyboard.press("Control+Alt+2")
    page.keyboard.press("5")
    page.keyboard.press("g")
    page.keyboard.press("Escape")
    bar = page.evaluate("window.tutti.doc.parts[0].bars.m3")
    assert [e["notes"][0]["step"] for e in bar["voices"]["2"] if e["notes"]] == ["G"]
    assert [e["notes"] for e in bar["voices"]["1"]] == [[]]
    g_id = next(e["notes"][0]["id"] for e in bar["voices"]["2"] if e["notes"])
    page.wait_for_function(f"document.querySelector('#score [id=\"{g_id}\"]') !== null")

    doc = settled(page)
    web_service.forget_cache()
    assert web_service.load(score_id)[0] == doc
    assert user.errors == [] and blocked.urls == []


def test_copy_paste_lyrics_chords_measures_parts_and_dialogs(
    make_user: Any, blocked: Blocked, web_service: EditLog
) -> None:
    user = make_user("menus")
    score_id = new_shared_score(user, [], measures=4)
    page = user.open(score_id)
    click_id(page, "m1.p1.r0")
    page.keyboard.press("n")
    for key in "cdef":
        page.keyboard.press(key)
    page.keyboard.press("Escape")
    m1 = voice(page, 0, "m1")
    click_id(page, m1[0]["notes"][0]["id"])
    click_id(page, m1[3]["notes"][0]["id"], modifiers=["Shift"])
    assert len(page.evaluate("window.tutti.state.selection")) == 4
    page.keyboard.press("Control+c")
    click_id(page, "m2.p2.r0")
    page.keyboard.press("Control+v")
    assert pitches(page, 1, "m2") == ["C4", "D4", "E4", "F4"]

    # Lyrics: Ctrl+L, type, Space moves on to the next note.
    click_id(page, m1[0]["notes"][0]["id"])
    page.keyboard.press("Control+l")
    page.keyboard.type("Hap")
    page.keyboard.press(" ")
    page.keyboard.type("py")
    page.keyboard.press("Escape")
    lyrics = [e.get("lyrics", {}).get("1") for e in voice(page, 0, "m1")]
    assert lyrics == ["Hap", "py", None, None]
    page.wait_for_function("document.querySelectorAll('#score g.syl').length === 2")
    # Chord symbol: Ctrl+K on the first event.
    click_id(page, m1[0]["notes"][0]["id"])
    page.keyboard.press("Control+k")
    page.keyboard.type("Am7")
    page.keyboard.press("Enter")
    bar = page.evaluate("window.tutti.doc.parts[0].bars.m1")
    assert [(h["offset"], h["symbol"]) for h in bar["harmonies"]] == [("0", "Am7")]
    page.wait_for_function("document.querySelector('#score g.harm') !== null")
    assert "Am7" in page.inner_text("#score")

    # Dynamics from the toolbar menu.
    click_id(page, m1[1]["notes"][0]["id"])
    choose(page, "dynamic", "mf")
    bar = page.evaluate("window.tutti.doc.parts[0].bars.m1")
    assert [(d["offset"], d["mark"]) for d in bar["dynamics"]] == [("1/4", "mf")]

    # Measures: append (Ctrl+B), insert before the selection, remove.
    page.keyboard.press("Control+b")
    assert page.evaluate("window.tutti.doc.measures.length") == 5
    choose(page, "score", "insert-measure")
    assert page.evaluate("window.tutti.doc.measures.length") == 6
    first_mid = page.evaluate("window.tutti.doc.measures[0].id")
    assert first_mid != "m1"
    page.click(f'#score [id="{first_mid}.p1.r0"]')
    page.keyboard.press("Control+Delete")
    assert page.evaluate("window.tutti.doc.measures[0].id") == "m1"

    # Key, time and tempo through the menu's dialogs, at the selected measure.
    click_id(page, "m3.p1.r0")
    choose(page, "measure", "key")
    # The key is chosen by name, the dialog opening on the measure's current key.
    assert page.input_value('#dialog select[name="key"]') == "0"
    page.select_option('#dialog select[name="key"]', label="E♭ major · C minor (3♭)")
    page.click('#dialog button[value="ok"]')
    # The dialog's close event (and so the edit) comes a task after the click.
    page.wait_for_function("window.tutti.doc.measures.some(m => m.key === -3)")
    choose(page, "measure", "time")
    page.fill('#dialog input[name="beats"]', "3")
    page.select_option('#dialog select[name="unit"]', "4")
    page.click('#dialog button[value="ok"]')
    page.wait_for_function("window.tutti.doc.measures.some(m => String(m.time) === '3,4')")
    measures = page.evaluate("window.tutti.doc.measures")
    m3 = next(m for m in measures if m["id"] == "m3")
    assert m3["key"] == -3 and m3["time"] == [3, 4]

    # Parts: add one via the dialog, transpose the whole score up a major second.
    choose(page, "score", "add-part")
    page.fill('#dialog input[name="name"]', "Viola")
    page.select_option('#dialog select[name="clef"]', "alto")
    page.click('#dialog button[value="ok"]')
    page.wait_for_function("window.tutti.doc.parts.length === 3")
    parts = page.evaluate("window.tutti.doc.parts.map(p => [p.name, p.clef])")
    assert parts[-1] == ["Viola", "alto"]
    viola = page.evaluate("window.tutti.doc.parts[2].id")
    click_id(page, f"m1.{viola}.r0")
    choose(page, "score", "remove-part")
    page.wait_for_function("window.tutti.doc.parts.length === 2")
    choose(page, "score", "add-part")
    page.fill('#dialog input[name="name"]', "Viola")
    page.select_option('#dialog select[name="clef"]', "alto")
    page.click('#dialog button[value="ok"]')
    page.wait_for_function("window.tutti.doc.parts.length === 3")
    page.keyboard.press("Escape")
    page.evaluate("window.tutti.select([])")
    choose(page, "notes", "transpose")
    page.select_option('#dialog select[name="interval"]', "up-M2")
    page.click('#dialog button[value="ok"]')
    page.wait_for_function("window.tutti.doc.parts[1].bars.m2.voices['1'][0].notes[0].step === 'D'")
    assert pitches(page, 1, "m2") == ["D4", "E4", "F#4", "G4"]
    # The key signatures went up the tone with the notes: C to D major, E-flat to F major.
    keys = page.evaluate("window.tutti.doc.measures.map(m => [m.id, m.key ?? null])")
    assert dict(keys)["m1"] == 2 and dict(keys)["m3"] == -1

    # The help overlay lists the shortcuts.
    page.keyboard.press("?")
    assert page.is_visible("#help")
    assert "Ctrl + L" in page.inner_text("#help")
    page.keyboard.press("Escape")
    assert page.is_hidden("#help")

    page.wait_for_function("window.tutti.engraver.busy === null")
    assert page.evaluate("document.querySelectorAll('#score .slice').length") == 2
    doc = settled(page)
    web_service.forget_cache()
    assert web_service.load(score_id)[0] == doc
    assert user.errors == [] and blocked.urls == []

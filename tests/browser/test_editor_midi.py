"""Pitch entry from a MIDI keyboard (Web MIDI, an injected MIDIAccess dispatching real
MIDIMessageEvents) and from the on-screen piano, seen by a collaborator."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from .conftest import click_id, new_shared_score, settled

pytestmark = pytest.mark.browser

# A MIDIAccess with one input; window.__play(bytes) sends a message from the "keyboard".
FAKE_MIDI = """
(() => {
  const input = new EventTarget();
  Object.assign(input, { id: "test", name: "Test keyboard", type: "input", state: "connected" });
  navigator.requestMIDIAccess = async () => {
    const access = new EventTarget();
    access.inputs = new Map([["test", input]]);
    access.outputs = new Map();
    return access;
  };
  window.__play = (bytes) =>
    input.dispatchEvent(new MIDIMessageEvent("midimessage", { data: new Uint8Array(bytes) }));
})();
"""


def names(page: Page, measure: str) -> list[str]:
    out = []
    voice = page.evaluate("(m) => window.tutti.doc.parts[0].bars[m].voices['1']", measure)
    for event in voice:
        acc = lambda n: "#" * n["alter"] if n["alter"] > 0 else "b" * -n["alter"]  # noqa: E731
        out.append("+".join(f"{n['step']}{acc(n)}{n['octave']}" for n in event["notes"]) or "rest")
    return out


def test_a_midi_keyboard_and_the_on_screen_piano_enter_notes_and_chords(make_user: Any) -> None:
    ana, ben = make_user("keys"), make_user("listener")
    ana.context.add_init_script(FAKE_MIDI)
    score_id = new_shared_score(ana, [ben], key=2)  # D major: F# and C# spelled as sharps
    page = ana.open(score_id)
    other = ben.open(score_id)
    page.wait_for_function("document.getElementById('midi-status').textContent.includes('1 dev')")

    click_id(page, "m1.p1.r0")
    page.keyboard.press("5")  # quarter notes
    # A D major triad played together (keys held), released; then an F# alone.
    for note in (62, 66, 69):
        page.evaluate("(n) => window.__play([0x90, n, 90])", note)
    for note in (62, 66, 69):
        page.evaluate("(n) => window.__play([0x80, n, 0])", note)
    page.evaluate("window.__play([0x90, 66, 80])")
    page.evaluate("window.__play([0x90, 66, 0])")
    settled(page)
    assert names(page, "m1")[:2] == ["D4+F#4+A4", "F#4"]

    # The on-screen piano: a click writes the next note, Shift+click adds to its chord.
    page.click("#piano-toggle")
    page.click('#piano [data-midi="73"]')
    page.click('#piano [data-midi="76"]', modifiers=["Shift"])
    doc = settled(page)
    assert names(page, "m1")[:3] == ["D4+F#4+A4", "F#4", "C#5+E5"]
    # Ben sees the same notes, engraved.
    head = page.evaluate("window.tutti.version")
    settled(other, head)
    assert names(other, "m1")[:3] == ["D4+F#4+A4", "F#4", "C#5+E5"]
    chord = doc["parts"][0]["bars"]["m1"]["voices"]["1"][0]["notes"][1]["id"]
    other.wait_for_selector(f'#score [id="{chord}"]')
    page.screenshot(path="/tmp/tutti-piano.png")
    assert not ana.errors and not ben.errors, ana.errors + ben.errors

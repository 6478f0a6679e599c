"""Playback as musicians use it, in a real browser with Tone.js: metronome and count-in,
chord symbols sounded, a selection looped, the mixer muting a part while playing."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import click_id, new_shared_score, settled

pytestmark = pytest.mark.browser


def test_metronome_count_in_chords_loop_and_mixer(make_user: Any) -> None:
    ana = make_user("drummer")
    score_id = new_shared_score(ana, [], measures=4, tempo=240)
    page = ana.open(score_id)
    click_id(page, "m1.p1.r0")
    page.keyboard.press("n")
    page.keyboard.press("5")
    for key in "cdefgabc":
        page.keyboard.press(key)
    page.keyboard.press("Escape")
    doc = settled(page)
    m1 = doc["parts"][0]["bars"]["m1"]["voices"]["1"]
    m2 = doc["parts"][0]["bars"]["m2"]["voices"]["1"]
    page.evaluate(
        "([m, e]) => window.tutti.collab.submit([{op: 'set_chord_symbol', part: 'p1',"
        " measure: m, offset: '0', symbol: 'Cmaj7', id: e}])",
        ["m1", "harm1"],
    )
    settled(page)

    for box in ("play-metronome", "play-count-in", "play-chords", "play-loop"):
        page.check(f"#{box}")
    # Loop bars 1-2 (the first and last notes selected).
    page.evaluate("([a, b]) => window.tutti.select([a, b])", [m1[0]["id"], m2[-1]["id"]])
    page.focus("#score-area")
    page.keyboard.press(" ")
    page.wait_for_function("window.tutti.playback.playing && window.tutti.playback.plan")
    plan = page.evaluate("window.tutti.playback.plan")
    # 2 bars at 240 bpm = 2 s; a count-in bar of 4 clicks (1 s) first, then 4 clicks a bar.
    assert plan["loop"] and plan["notes"] == 8 and plan["chords"] == 1
    assert plan["until"] == pytest.approx(2.0) and plan["lead"] == pytest.approx(1.0)
    assert plan["clicks"] == 4 + 4 * 4  # count-in + the metronome through all 4 bars
    # The loop goes round: the position (in score seconds; the count-in before 0) nears
    # the loop's end, then comes back to its start, never past the second bar.
    page.wait_for_function("window.tutti.playback.position > 1.5", timeout=8000)
    page.wait_for_function("window.tutti.playback.position < 0.5", timeout=8000)
    assert page.evaluate("window.tutti.playback.position") < 2.0
    assert page.evaluate("window.tutti.playback.playing")

    # The mixer mutes the part while playing (playback goes on from the sounding note).
    page.click("#mixer-toggle")
    page.check('#mixer input[data-part="0"][data-mix="mute"]')
    page.wait_for_function("window.tutti.player && window.tutti.player.channels[0].mute")
    assert page.evaluate("window.tutti.playback.playing")
    page.focus("#score-area")
    page.keyboard.press(" ")
    page.wait_for_function("!window.tutti.playback.playing", timeout=3000)
    assert not ana.errors, ana.errors

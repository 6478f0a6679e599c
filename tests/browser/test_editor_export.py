"""Print and export from the editor: a PDF of the full score and of one part, and MEI of a
selection, made in a real browser and read back from the downloaded files."""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from .conftest import click_id, new_shared_score, settled

pytestmark = pytest.mark.browser


def export(page: Page, what: str, measures: str, fmt: str, tmp_path: Path) -> bytes:
    """Choose Score → Export or print…, fill the dialog, return the downloaded file."""
    with page.expect_download(timeout=60_000) as info:
        page.select_option('select[data-menu="score"]', "export")
        page.select_option('#dialog select[name="what"]', what)
        page.select_option('#dialog select[name="measures"]', measures)
        page.select_option('#dialog select[name="format"]', fmt)
        page.click('#dialog button[value="ok"]')
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return path.read_bytes()


def pdf_streams(data: bytes) -> list[bytes]:
    """The drawing streams of a PDF (pages and their forms, not embedded fonts), inflated."""
    out = []
    for match in re.finditer(rb">>\s*stream\r?\n", data):
        head = data[data.rfind(b" obj", 0, match.start()) : match.start()]
        if b"/Length1" in head:
            continue  # an embedded font file
        body = data[match.end() : data.index(b"endstream", match.end())].rstrip(b"\r\n")
        body = zlib.decompress(body) if b"FlateDecode" in head else body
        if b"begincmap" not in body:  # a font's character map
            out.append(body)
    return out


def type_notes(page: Page, first_rest: str, letters: str) -> None:
    click_id(page, first_rest)
    page.keyboard.press("n")
    page.keyboard.press("5")
    for letter in letters:
        page.keyboard.press(letter)
    page.keyboard.press("Escape")


def test_pdf_of_the_score_and_of_a_part_and_mei_of_a_selection(
    make_user: Any, tmp_path: Path
) -> None:
    ana = make_user("printer")
    score_id = new_shared_score(ana, [], title="Export Duet", measures=12)
    page = ana.open(score_id)
    type_notes(page, "m1.p1.r0", "cdefgabc")
    type_notes(page, "m1.p2.r0", "cgcg")
    doc = settled(page)

    full = export(page, "score", "all", "pdf", tmp_path)
    assert full.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type /Page\b", full))
    assert pages >= 1
    drawn = b"\n".join(pdf_streams(full))
    # Vector engraving, not a picture: staff lines and stems are drawn as lines, and the
    # noteheads, clefs and rests as glyph forms placed once per symbol (12 notes here).
    assert drawn.count(b" l\n") > 50, "no vector lines drawn"
    assert drawn.count(b" Do") >= 12, "the music glyphs are not placed"
    assert b"/Subtype /Image" not in full
    # Text (title, tempo ♩, part names) in an embedded font that has the music signs.
    assert b"DejaVuSerifCondensed" in full and b"/FontFile2" in full

    upper = export(page, "part:p1", "all", "pdf", tmp_path)
    assert upper.startswith(b"%PDF-")
    # One staff instead of two: the part's pages draw clearly less than the score's.
    part_drawn = b"\n".join(pdf_streams(upper))
    assert len(part_drawn) < 0.85 * len(drawn)

    # A selection of bars 2-3 as MEI holds those measures of the chosen part only.
    type_notes(page, "m3.p1.r0", "edc")
    doc = settled(page)
    second_bar = doc["parts"][0]["bars"]["m2"]["voices"]["1"][1]["notes"][0]["id"]
    third_bar = doc["parts"][0]["bars"]["m3"]["voices"]["1"][0]["notes"][0]["id"]
    click_id(page, second_bar)
    click_id(page, third_bar, ["Shift"])
    mei = export(page, "part:p1", "selection", "mei", tmp_path).decode()
    assert re.findall(r'<measure n="(\d+)"', mei) == ["2", "3"]
    assert mei.count("<staffDef ") == 1, "the other part is left out"
    assert "Export Duet — Upper, m. 2–3" in mei
    assert not ana.errors, ana.errors


def test_musicxml_of_a_part_is_refused_with_words_not_a_broken_file(make_user: Any) -> None:
    ben = make_user("printer2")
    score_id = new_shared_score(ben, [], title="Refusal")
    page = ben.open(score_id)
    page.select_option('select[data-menu="score"]', "export")
    page.select_option('#dialog select[name="what"]', "part:p2")
    page.select_option('#dialog select[name="format"]', "musicxml")
    page.click('#dialog button[value="ok"]')
    page.wait_for_function(
        "document.getElementById('status-line').textContent.includes('full score')"
    )
    assert not ben.errors, ben.errors

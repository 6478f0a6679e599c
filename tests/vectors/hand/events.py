"""Hand-written vector cases for rhythm and note ops: write, durations, chords, pitches, lyrics."""

from __future__ import annotations

from .helpers import Case, c4, doc, ev, note, quarters, we


def events_cases() -> list[Case]:
    d = doc()
    return [
        ("write quarter on beat 1", d, [[c4("e1")]]),
        ("write eighth at 3/8 aligns rests", d, [[c4("e1", 8, "3/8")]]),
        ("write dotted quarter then eighth", d, [[c4("e1", 4, dots=1)], [c4("e2", 8, "3/8")]]),
        (
            "write triplet eighths",
            d,
            [
                [c4("t1", 8, tuplet=[3, 2])],
                [c4("t2", 8, "1/12", tuplet=[3, 2])],
                [c4("t3", 8, "1/6", tuplet=[3, 2])],
            ],
        ),
        ("write lone triplet leaves tuplet rests", d, [[c4("t1", 8, "1/4", tuplet=[3, 2])]]),
        ("write quintuplet sixteenth", d, [[c4("q1", 16, "1/2", tuplet=[5, 4])]]),
        ("write double-dotted half", d, [[c4("e1", 2, dots=2)]]),
        ("write triple-dotted eighth at 1/2", d, [[c4("e1", 8, "1/2", dots=3)]]),
        ("write whole note replaces whole rest", d, [[c4("e1", 1)]]),
        ("overwrite across events", d, [quarters(), [c4("h1", 2, "1/8")]]),
        ("overwrite inside one event", d, [[c4("h1", 2)], [c4("e1", 16, "3/16")]]),
        ("overwrite exactly one event", d, [quarters(), [c4("x", 4, "1/4")]]),
        (
            "write chord sorted low to high",
            d,
            [[we(ev("c", 4, note("a", "G", 4), note("b", "C", 4), note("c2", "E", 4, -1)))]],
        ),
        (
            "write enharmonic chord order",
            d,
            [[we(ev("c", 4, note("a", "C", 4, 1), note("b", "D", 4, -2)))]],
        ),
        (
            "write chord with same pitch twice refused",
            d,
            [[we(ev("c", 4, note("a", "C", 4, 1), note("b", "D", 4, -1)))]],
        ),
        (
            "write to voice 2 creates it",
            d,
            [[c4("e1")], [we(ev("v", 2, note("nv", "G", 3)), "1/2", voice="2")]],
        ),
        (
            "write to voice given as integer",
            d,
            [[we(ev("v", 4, note("nv", "G", 3)), "0", voice=3)]],
        ),
        ("write to voice 5 refused", d, [[we(ev("v", 4), "0", voice="5")]]),
        ("write rest event", d, [[we(ev("r", 2), "1/4")]]),
        ("write that does not fit refused", d, [[c4("e1", 2, "3/4")]]),
        ("write at the measure end refused", d, [[c4("e1", 16, "1")]]),
        ("write with used event id refused", d, [[c4("e1")], [c4("e1", 4, "1/2")]]),
        (
            "write with used note id refused",
            d,
            [[c4("e1")], [we(ev("e2", 4, note("ne1", "D", 4)), "1/2")]],
        ),
        ("write with a filler id as event id refused", d, [[c4("m1.p1.r0")]]),
        ("write event id reused inside the op refused", d, [[we(ev("x", 4, note("x", "C", 4)))]]),
        (
            "filler ids avoid taken ids",
            d,
            [[c4("e1.a.r0", 4, "1/2")], [c4("e1", 8, "1/4")], [c4("e1.b.r0", 4, "3/4")]],
        ),
        ("pitch step H refused", d, [[we(ev("e", 4, note("n", "H", 4)))]]),
        ("pitch alter 3 refused", d, [[we(ev("e", 4, note("n", "C", 4, 3)))]]),
        ("pitch octave 10 refused", d, [[we(ev("e", 4, note("n", "C", 10)))]]),
        ("pitch above MIDI range refused", d, [[we(ev("e", 4, note("n", "A", 9)))]]),
        ("pitch C double flat 0 accepted", d, [[we(ev("e", 4, note("n", "C", 0, -1)))]]),
        ("note with tie kept", d, [[we(ev("e", 4, note("n", "C", 4, tie=True)))]]),
        (
            "note tie false omitted",
            d,
            [[we(ev("e", 4, {"id": "n", "step": "C", "octave": 4, "tie": False}))]],
        ),
        (
            "note without alter gets alter 0",
            d,
            [[we(ev("e", 4, {"id": "n", "step": "C", "octave": 4}))]],
        ),
        (
            "note with unknown field refused",
            d,
            [[we(ev("e", 4, {"id": "n", "step": "C", "octave": 4, "x": 1}))]],
        ),
        (
            "event with unknown field refused",
            d,
            [[we({"id": "e", "dur": {"type": 4}, "notes": [], "color": "red"})]],
        ),
        ("event without notes is a rest", d, [[we({"id": "e", "dur": {"type": 4}})]]),
        ("duration type 3 refused", d, [[we(ev("e", 3))]]),
        ("duration dots 4 refused", d, [[we(ev("e", 4, dots=4))]]),
        ("duration tuplet 33 refused", d, [[we(ev("e", 4, tuplet=[33, 32]))]]),
        ("duration tuplet 2:2 is plain", d, [[we(ev("e", 4, tuplet=[2, 2]))]]),
        ("duration dots 0 omitted", d, [[we(ev("e", 4, dots=0))]]),
        ("duration unknown field refused", d, [[we({"id": "e", "dur": {"type": 4, "x": 1}})]]),
        ("duration boolean type refused", d, [[we({"id": "e", "dur": {"type": True}})]]),
        (
            "lyrics on a note",
            d,
            [[we(ev("e", 4, note("n", "C", 4), lyrics={"1": "la", "2": "lo"}))]],
        ),
        (
            "lyrics verse 01 normalised",
            d,
            [[we(ev("e", 4, note("n", "C", 4), lyrics={"01": "la"}))]],
        ),
        ("empty lyric dropped", d, [[we(ev("e", 4, note("n", "C", 4), lyrics={"1": ""}))]]),
        ("lyrics on a rest refused", d, [[we(ev("e", 4, lyrics={"1": "la"}))]]),
        ("lyrics verse 10 refused", d, [[we(ev("e", 4, note("n", "C", 4), lyrics={"10": "la"}))]]),
        (
            "lyrics 64 emoji accepted",
            d,
            [[we(ev("e", 4, note("n", "C", 4), lyrics={"1": "🎵" * 64}))]],
        ),
        (
            "lyrics 65 characters refused",
            d,
            [[we(ev("e", 4, note("n", "C", 4), lyrics={"1": "a" * 65}))]],
        ),
        ("missing part skipped", d, [[c4("e1"), {**c4("e2", 4, "1/2"), "part": "gone"}]]),
        ("missing measure skipped", d, [[{**c4("e1"), "measure": "gone"}]]),
        ("bad part id refused", d, [[{**c4("e1"), "part": "bad id"}]]),
        ("id with trailing space refused", d, [[c4("e1 ")]]),
        ("id of 65 characters refused", d, [[c4("e" * 65)]]),
        ("id of 64 characters accepted", d, [[we(ev("e" * 64, 4, note("n" * 64, "C", 4)))]]),
        (
            "offset formats: only plain a/b or an int",
            d,
            [
                [c4("a", 16, " 1/4 ")],
                [c4("b", 16, "+5/16")],
                [c4("c", 16, "0.375")],
                [c4("d", 16, 0)],
                [c4("e", 16, "1_0/16")],
                [c4("f", 16, "1/2")],
            ],
        ),
        (
            "offset formats refused",
            d,
            [
                [c4("a", 16, "1/0")],
                [c4("b", 16, "-1/4")],
                [c4("c", 16, "abc")],
                [c4("d", 16, True)],
                [c4("e", 16, 0.5)],
                [c4("f", 16, None)],
                [c4("g", 16, "1 /4")],
                [c4("h", 16, [1, 4])],
            ],
        ),
        ("offset in exponent form refused", d, [[c4("a", 8, "25e-2")]]),
        (
            "set_voice replaces voice 2 then removes it",
            d,
            [
                [we(ev("v", 2, note("nv", "G", 3)), "0", voice="2")],
                [
                    {
                        "op": "set_voice",
                        "part": "p1",
                        "measure": "m1",
                        "voice": "2",
                        "events": [ev("w1", 2, note("nw1", "A", 3)), ev("w2", 2)],
                    }
                ],
                [{"op": "set_voice", "part": "p1", "measure": "m1", "voice": "2", "events": None}],
            ],
        ),
        (
            "set_voice reuses its own ids",
            d,
            [
                quarters(),
                [
                    {
                        "op": "set_voice",
                        "part": "p1",
                        "measure": "m1",
                        "voice": "1",
                        "events": [ev("q0", 2, note("nq0", "C", 5)), ev("q1", 2)],
                    }
                ],
            ],
        ),
        (
            "set_voice removing voice 1 refused",
            d,
            [[{"op": "set_voice", "part": "p1", "measure": "m1", "voice": "1", "events": None}]],
        ),
        (
            "set_voice not filling refused",
            d,
            [
                [
                    {
                        "op": "set_voice",
                        "part": "p1",
                        "measure": "m1",
                        "voice": "1",
                        "events": [ev("a", 2)],
                    }
                ]
            ],
        ),
        (
            "set_voice removing an absent voice",
            d,
            [[{"op": "set_voice", "part": "p1", "measure": "m1", "voice": "4"}]],
        ),
        (
            "set_duration longer eats the following",
            d,
            [quarters(), [{"op": "set_duration", "event": "q1", "dur": {"type": 2, "dots": 1}}]],
        ),
        (
            "set_duration shorter leaves rests",
            d,
            [quarters(), [{"op": "set_duration", "event": "q0", "dur": {"type": 16}}]],
        ),
        (
            "set_duration to a triplet",
            d,
            [
                quarters(),
                [{"op": "set_duration", "event": "q2", "dur": {"type": 4, "tuplet": [3, 2]}}],
            ],
        ),
        (
            "set_duration of a rest",
            d,
            [[{"op": "set_duration", "event": "m1.p1.r0", "dur": {"type": 2}}]],
        ),
        (
            "set_duration not fitting refused",
            d,
            [quarters(), [{"op": "set_duration", "event": "q3", "dur": {"type": 2}}]],
        ),
        (
            "set_duration bad value refused",
            d,
            [quarters(), [{"op": "set_duration", "event": "q3", "dur": {"type": 5}}]],
        ),
        (
            "set_duration missing event skipped",
            d,
            [[{"op": "set_duration", "event": "nope", "dur": {"type": 2}}]],
        ),
        (
            "set_notes and back to rest",
            d,
            [
                [c4("e1")],
                [
                    {
                        "op": "set_notes",
                        "event": "e1",
                        "notes": [note("x", "E", 4), note("y", "C", 4)],
                    }
                ],
                [{"op": "set_notes", "event": "e1", "notes": []}],
            ],
        ),
        (
            "set_notes on a rest",
            d,
            [[{"op": "set_notes", "event": "m1.p1.r0", "notes": [note("x", "E", 4)]}]],
        ),
        (
            "set_notes reusing the event's own note ids",
            d,
            [[c4("e1")], [{"op": "set_notes", "event": "e1", "notes": [note("ne1", "D", 4)]}]],
        ),
        (
            "set_notes 17 notes refused",
            d,
            [
                [c4("e1")],
                [
                    {
                        "op": "set_notes",
                        "event": "e1",
                        "notes": [note(f"x{i}", "CDEFGAB"[i % 7], 2 + i // 7) for i in range(17)],
                    }
                ],
            ],
        ),
        (
            "delete_event with lyrics",
            d,
            [
                [we(ev("e", 4, note("n", "C", 4), lyrics={"1": "la", "2": "lo"}))],
                [{"op": "delete_event", "event": "e"}],
            ],
        ),
        ("delete_event missing skipped", d, [[{"op": "delete_event", "event": "e"}]]),
        (
            "add_note and remove_note",
            d,
            [
                [c4("e1")],
                [{"op": "add_note", "event": "e1", "note": note("g", "G", 4)}],
                [{"op": "add_note", "event": "e1", "note": note("a", "A", 3)}],
                [{"op": "remove_note", "note": "g"}],
            ],
        ),
        (
            "add_note to a rest",
            d,
            [[{"op": "add_note", "event": "m1.p1.r0", "note": note("g", "G", 4)}]],
        ),
        (
            "add_note same pitch refused",
            d,
            [[c4("e1")], [{"op": "add_note", "event": "e1", "note": note("b", "B", 3, 1)}]],
        ),
        (
            "remove last note makes a rest and drops lyrics",
            d,
            [
                [we(ev("e", 4, note("n", "C", 4), lyrics={"1": "la"}))],
                [{"op": "remove_note", "note": "n"}],
            ],
        ),
        ("remove_note missing skipped", d, [[{"op": "remove_note", "note": "zz"}]]),
        (
            "set_pitch resorts the chord",
            d,
            [
                [we(ev("e", 4, note("a", "C", 4), note("b", "E", 4)))],
                [{"op": "set_pitch", "note": "a", "step": "G", "alter": 1, "octave": 4}],
            ],
        ),
        (
            "set_pitch keeps the tie",
            d,
            [
                [we(ev("e", 4, note("a", "C", 4, tie=True)))],
                [{"op": "set_pitch", "note": "a", "step": "D", "octave": 4}],
            ],
        ),
        (
            "set_pitch clash refused",
            d,
            [
                [we(ev("e", 4, note("a", "C", 4), note("b", "E", 4)))],
                [{"op": "set_pitch", "note": "a", "step": "F", "alter": -1, "octave": 4}],
            ],
        ),
        (
            "set_pitch invalid refused",
            d,
            [[c4("e1")], [{"op": "set_pitch", "note": "ne1", "step": "C", "octave": -1}]],
        ),
        (
            "transpose up a major second",
            d,
            [
                [we(ev("e", 4, note("a", "B", 3), note("b", "E", 4)))],
                [{"op": "transpose", "notes": ["a", "b"], "diatonic": 1, "chromatic": 2}],
            ],
        ),
        (
            "transpose down an octave with a missing note",
            d,
            [
                [we(ev("e", 4, note("a", "B", 3), note("b", "E", 4)))],
                [
                    {
                        "op": "transpose",
                        "notes": ["a", "gone", 5, "a"],
                        "diatonic": -7,
                        "chromatic": -12,
                    }
                ],
            ],
        ),
        (
            "transpose to a double flat",
            d,
            [
                [we(ev("e", 4, note("a", "C", 4, -1)))],
                [{"op": "transpose", "notes": ["a"], "diatonic": 1, "chromatic": 1}],
            ],
        ),
        (
            "transpose beyond double sharp refused",
            d,
            [
                [we(ev("e", 4, note("a", "C", 4, 2)))],
                [{"op": "transpose", "notes": ["a"], "diatonic": 0, "chromatic": 1}],
            ],
        ),
        (
            "transpose collision refused",
            d,
            [
                [we(ev("e", 4, note("a", "C", 4), note("b", "D", 4)))],
                [{"op": "transpose", "notes": ["a"], "diatonic": 1, "chromatic": 2}],
            ],
        ),
        (
            "transpose chord together",
            d,
            [
                [we(ev("e", 4, note("a", "C", 4), note("b", "D", 4)))],
                [{"op": "transpose", "notes": ["a", "b"], "diatonic": 1, "chromatic": 2}],
            ],
        ),
        (
            "transpose nothing left skipped",
            d,
            [[{"op": "transpose", "notes": ["x"], "diatonic": 1, "chromatic": 2}]],
        ),
        (
            "transpose too far refused",
            d,
            [[c4("e1")], [{"op": "transpose", "notes": ["ne1"], "diatonic": 22, "chromatic": 37}]],
        ),
        (
            "transpose boolean interval refused",
            d,
            [[c4("e1")], [{"op": "transpose", "notes": ["ne1"], "diatonic": True, "chromatic": 2}]],
        ),
        (
            "set_tie on and off",
            d,
            [
                [c4("e1")],
                [{"op": "set_tie", "note": "ne1", "tie": True}],
                [{"op": "set_tie", "note": "ne1", "tie": False}],
                [{"op": "set_tie", "note": "ne1", "tie": 1}],
            ],
        ),
        (
            "set_lyric verses",
            d,
            [
                [c4("e1")],
                [{"op": "set_lyric", "event": "e1", "text": "Hal-"}],
                [{"op": "set_lyric", "event": "e1", "verse": 2, "text": "lu"}],
                [{"op": "set_lyric", "event": "e1", "verse": 1, "text": ""}],
                [{"op": "set_lyric", "event": "e1", "verse": 2, "text": ""}],
            ],
        ),
        (
            "set_lyric refusals",
            d,
            [
                [c4("e1")],
                [{"op": "set_lyric", "event": "e1", "verse": 0, "text": "x"}],
                [{"op": "set_lyric", "event": "e1", "verse": "1", "text": "x"}],
                [{"op": "set_lyric", "event": "e1", "verse": True, "text": "x"}],
                [{"op": "set_lyric", "event": "e1", "text": 5}],
                [{"op": "set_lyric", "event": "m2.p1.r0", "text": "x"}],
                [{"op": "set_lyric", "event": "m2.p1.r0", "text": ""}],
            ],
        ),
    ]

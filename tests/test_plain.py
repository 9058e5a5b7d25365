"""Data is made plain before it is styled: the rule (`ecsshell.plain`), and the output's last resort."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ecsshell.lines import terminal_safe
from ecsshell.plain import plain, plain_json

# printable text: what a terminal shows as it is (newline and tab too)
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")) | st.sampled_from("\n\t "),
               max_size=12)
PAYLOAD = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=10)
PARAMS = st.text(st.sampled_from("0123456789;:<=>?"), max_size=6)
# complete control sequences, each ended the way a terminal ends it, so none runs on into the text after it
SEQUENCE = st.one_of(
    st.builds(lambda p, end: f"\x1b]{p}{end}", PAYLOAD, st.sampled_from(["\x07", "\x1b\\", "\x9c"])),  # OSC
    st.builds(lambda p: f"\x9d{p}\x07", PAYLOAD),  # OSC, 8-bit
    st.builds(lambda k, p: f"\x1b{k}{p}\x1b\\", st.sampled_from("PX^_"), PAYLOAD),  # DCS, SOS, PM, APC
    st.builds(lambda p, f: f"\x1b[{p}{f}", PARAMS, st.sampled_from("mHJKABCDhlsu@`~")),  # CSI, SGR
    st.builds(lambda p, f: f"\x9b{p}{f}", PARAMS, st.sampled_from("mHJ")),  # CSI, 8-bit
    st.sampled_from(["\x1bc", "\x1b7", "\x1b8", "\x1b(B", "\x1b)0", "\x1b#8", "\x1bM", "\x1b=", "\x1b>"]),
    st.sampled_from([chr(c) for c in [*range(0x00, 0x07), *range(0x08, 0x09), *range(0x0b, 0x1b),
                                      *range(0x1c, 0x20), *range(0x7f, 0x9b), 0x9e, 0x9f]]),
    st.sampled_from(["\u202e", "\u202d", "\u2066", "\u2069"]),  # text reordered on screen
)
# a sequence never ended, at the end of the data: only its introducer goes (INTRODUCER, TEXT KEPT)
UNENDED = st.one_of(st.tuples(st.sampled_from(["\x1b]", "\x1bP", "\x9d"]), PAYLOAD),
                    st.tuples(st.just("\x1b["), PARAMS), st.just(("\x1b", "")))


@st.composite
def hostile(draw: st.DrawFn) -> tuple[str, str]:
    """Return (data, the printable text in it): text and control sequences, mixed."""
    parts = draw(st.lists(st.tuples(TEXT, SEQUENCE), max_size=8))
    tail = draw(TEXT)
    data = "".join(text + sequence for text, sequence in parts) + tail
    shown = "".join(text for text, _ in parts) + tail
    if draw(st.booleans()):
        introducer, kept = draw(UNENDED)
        data += introducer + kept
        shown += kept
    return data, shown


@pytest.mark.parametrize(("data", "shown"), [
    ("PS1=\x1b]0;host\x07$ ", "PS1=$ "),
    ("a\x1b]0;new title\x07b", "ab"),
    ("a\x1b]52;c;ZWNobyBoaQ==\x1b\\b", "ab"),  # clipboard write, ST-terminated
    ("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),  # hyperlink: the text stays
    ("a\x1b[2J\x1b[Hb", "ab"),
    ("nginx\x1b[8m:hidden", "nginx:hidden"),  # conceal
    ("a\x9b2Jb\x9d0;t\x07c", "abc"),
    ("x\ry\bz\x07", "xyz"),
    ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),
    ("a\x1b]0;never ended", "a0;never ended"),  # an unended OSC loses its introducer, never the text
    ("a\x1b]0;t\nrest of the output\x07", "a0;t\nrest of the output"),  # ...nor a line after it
    ("a\x1b hello\x07 there", "aello there"),  # ESC SP h is a whole escape, not the start of a string
    ("line one\n\tline two", "line one\n\tline two"),
    ("evil\u202etxt.exe", "eviltxt.exe"),
    ("日本語 ✓ café", "日本語 ✓ café"),
])
def test_plain_drops_sequences_and_keeps_the_text(data: str, shown: str) -> None:
    assert plain(data) == shown


@settings(max_examples=500, deadline=None)
@given(case=hostile())
@example(case=("PS1=\x1b]0;host\x07$ ", "PS1=$ "))
def test_plain_keeps_every_printable_character_and_no_control(case: tuple[str, str]) -> None:
    data, shown = case
    out = plain(data)
    assert out == shown
    assert not any(_control(ch) and ch not in "\n\t" for ch in out)
    assert plain(out) == out


def _control(ch: str) -> bool:
    return ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f or ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_plain_json_reaches_every_string_keys_too() -> None:
    answer = {"a\x1b[1m": ["x\x1b]0;t\x07y", {"k": "v\x07"}], "n": 3, "t": ("\x1bcz",), "none": None}
    assert plain_json(answer) == {"a": ["xy", {"k": "v"}], "n": 3, "t": ("z",), "none": None}


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.text(max_size=20) | st.sampled_from(["\x1b[1m", "\x1b[0m", "\x1b[31;1m"]), max_size=6))
def test_the_output_filter_never_drops_a_printable_character(parts: list[str]) -> None:
    """The last resort after rich removes control characters only: it can no longer cut the output short."""
    text = "".join(parts)
    printable = [ch for ch in SGR.sub("", text) if ch in "\n\t" or not _c0_c1(ch)]
    for colour in (True, False):
        out = terminal_safe(text, keep_colour=colour)
        assert list(SGR.sub("", out)) == printable
        assert colour or "\x1b" not in out


SGR = re.compile(r"\x1b\[[0-9;]*m")


def _c0_c1(ch: str) -> bool:
    return ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f


def test_the_output_filter_keeps_colour_and_the_text_around_a_stray_sequence() -> None:
    osc = "PS1=\x1b]0;host$ \nA=1\nB=2\n"  # the BEL that ended the title already dropped (rich strips it)
    assert terminal_safe(osc) == "PS1=]0;host$ \nA=1\nB=2\n"
    assert terminal_safe("\x1b[1mweb\x1b[0m \x1b[2J") == "\x1b[1mweb\x1b[0m [2J"

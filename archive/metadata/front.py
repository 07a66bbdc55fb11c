"""The front of a document: its first lines as a reader's eye takes them in, layout or not.

Many archived texts have lost their layout: a web copy or an old conversion runs a whole front
page into one line ("PROTOKOLL Kommunstyrelsen Sammanträdesdatum: 2018-10-02 Plats och tid ..."),
and a hosting page puts a title built from the first lines (pieces joined by ". ") above it. The
letterhead rules of lines.py see no letterhead in such text; the rules here read the same
conventions where they stand inside a line: a label followed by its value, the first words of each
of the first lines ("heads"), the first pieces of a joined title line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from archive.metadata.lines import Doc

HEAD_LINES = 8  # the first non-empty lines whose beginnings are heads
HEAD_WORDS = 14  # a head is at most this many words of its line
FRONT_CHARS = 4000  # how much of the text counts as the front page(s)

# Page counters and numbering a converter leaves at a line's start: "1", "1 1(16)", "(1)",
# "Sida 1 av 2", "29.".
_COUNTER = re.compile(
    r"^(?:(?:sida\s+)?\d{1,3}\s*(?:\(\s*\d{1,3}\s*\)|av\s+\d{1,3})|\(\s*\d{1,3}\s*\)|\d{1,3}\.?)(?=\s|$)\s*",
    re.I,
)
_PIECE_SPLIT = re.compile(r"(?<=[^\s.])\.\s+(?=[A-ZÅÄÖ0-9])")


@dataclass(frozen=True)
class Head:
    line: int  # index into doc.lines
    text: str  # the line's beginning, counters off
    piece: bool  # one piece of a title line joined with ". "


def strip_counters(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _COUNTER.sub("", text, count=1).strip()
    return text


def _first_words(text: str, limit: int = HEAD_WORDS) -> str:
    return " ".join(text.split()[:limit])


def heads(doc: Doc) -> list[Head]:
    """The beginnings of the first lines (the first line cut into its ". " pieces), in order."""
    cached = doc.__dict__.get("_heads")
    if cached is not None:
        return cached
    found: list[Head] = []
    seen = 0
    for i, line in enumerate(doc.lines):
        if not line.text or line.where == "footer" or line.furniture:
            continue
        seen += 1
        # The text proper begins at its first headed part; what stands there is no front.
        if seen > HEAD_LINES or (line.where == "body" and doc.heading(i) is not None):
            break
        text = strip_counters(line.text)
        if not text:
            continue
        pieces = _PIECE_SPLIT.split(text) if seen == 1 else [text]
        if len(pieces) > 1 and all(len(p.split()) <= HEAD_WORDS for p in pieces):
            found.extend(Head(i, p.strip().rstrip("."), True) for p in pieces if p.strip())
        else:
            found.append(Head(i, _first_words(text), False))
    doc.__dict__["_heads"] = found
    return found


def front_text(doc: Doc, limit: int = FRONT_CHARS) -> str:
    """The first characters of the text (page header included), one line per line."""
    cached = doc.__dict__.get("_front")
    if cached is None:
        parts: list[str] = []
        size = 0
        for line in doc.lines:
            if line.where == "footer" or not line.text:
                continue
            parts.append(line.text)
            size += len(line.text) + 1
            if size >= limit:
                break
        cached = doc.__dict__["_front"] = "\n".join(parts)[:limit]
    return cached


def label_alternation(labels: list[str]) -> str:
    """A regex alternation of labels, longest first, spaces flexible."""
    return "|".join(
        r"\s*".join(map(re.escape, label.split())) for label in sorted(labels, key=len)[::-1]
    )


def after_labels(text: str, labels: list[str], value: str, *, gap: int = 0) -> Iterator[re.Match]:
    """Matches of `value` standing right after one of the labels inside a line.

    `gap`: how many characters without digits may stand between label and value ("Organ och
    sammanträdesdatum Kommunstyrelsen 2014-09-09" puts the board between label and date).
    """
    yield from _label_value(tuple(labels), value, gap).finditer(text)


@lru_cache(maxsize=256)
def _label_value(labels: tuple[str, ...], value: str, gap: int) -> re.Pattern[str]:
    filler = rf"[^\d\n]{{0,{gap}}}?" if gap else ""
    return re.compile(
        rf"(?<![\w])(?:{label_alternation(list(labels))})(?![\w])\s*[:.]?\s*{filler}(?:{value})",
        re.I,
    )

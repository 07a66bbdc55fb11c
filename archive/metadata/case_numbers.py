"""The case number (diarienummer): after its label in the letterhead, or inside a line near the
top, or standing unlabelled at the start of one of the first lines.

A number quoted in the body ("ärendet Dnr 2014/12 behandlades ...") is not the document's own,
so only the front is read; a protocol covering many paragraphs has no case number of its own.
"""

from __future__ import annotations

import re

from archive.metadata.front import after_labels, heads, label_alternation
from archive.metadata.lines import Doc

_END = re.compile(r"(?=$|[\s,;)\]]|\.(?:\s|$))")
# Conversions split a number ("LJ2014/ 194"); the registrar reads it as "LJ 2014/194".
_SLASH_SPACE = re.compile(r"(?<=/)\s+(?=\d)")
_GLUED_PREFIX = re.compile(r"^([A-ZÅÄÖ]{1,8})(?=(?:19|20)\d\d/)")
_PREFIXED = re.compile(r"^[A-ZÅÄÖ]{1,8}[ /-]")
_AND = re.compile(r"\s+och\s+")
TOP_LINES = 14  # non-empty lines from the top searched for a protocol extract's number


def read_case_number(value: str, shapes: re.Pattern[str]) -> str | None:
    """The case number a label's value starts with, if it has one of the known shapes."""
    value = " ".join(value.split()).removeprefix("Dnr ").strip()[:60]
    value = _GLUED_PREFIX.sub(r"\1 ", _SLASH_SPACE.sub("", value))
    best = _longest(value, shapes)
    if best is None:
        return None
    # "KS 2008/0229-00 och 2008/0230-04": one matter under two numbers.
    rest = value[len(best) :]
    joined = _AND.match(rest)
    if joined and (second := _longest(rest[joined.end() :], shapes)):
        return f"{best} och {second}"
    return best


def _longest(value: str, shapes: re.Pattern[str]) -> str | None:
    for length in range(min(len(value), 40), 0, -1):
        head = value[:length]
        if shapes.fullmatch(head) and _END.match(value, length):
            return head
    return None


def find_case_number(doc: Doc, kind: str = "annat") -> str | None:
    return find_case_number_by(doc, kind)[0]


def find_case_number_by(doc: Doc, kind: str = "annat") -> tuple[str | None, str | None]:
    labels = doc.rules.common["case_number_labels"]
    shapes = doc.rules.case_number
    for *_, value in doc.labelled(labels, doc.letterhead):
        if found := read_case_number(value, shapes):
            return found, "case number label"
    if kind == "protokoll":
        return None, None
    lines = [h.text for h in heads(doc)]
    if kind == "protokollsutdrag":
        lines += [doc.lines[i].text for i in doc.top[:TOP_LINES]]
    for text in lines:
        for match in after_labels(text, labels, r"(?P<value>.+)"):
            if found := read_case_number(match.group("value"), shapes):
                return found, "case number label in a line"
    # "Yttrande Diarienr:" over "2010-05-24 2010/124": the values' row under the labels' row.
    ending = re.compile(rf"(?:{label_alternation(labels)})\s*:?$", re.I)
    for i in doc.top[:TOP_LINES]:
        if ending.search(doc.lines[i].text):
            for j in doc.next_text(i):
                for token_start in _starts(doc.lines[j].text):
                    if found := read_case_number(doc.lines[j].text[token_start:], shapes):
                        return found, "case number under its label"
    # "KS 2011/0082" standing alone at the start of a line under the title.
    for text in lines:
        if _PREFIXED.match(text) and (found := read_case_number(text, shapes)):
            return found, "unlabelled case number"
    return None, None


def _starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer(r"\s+", text)]

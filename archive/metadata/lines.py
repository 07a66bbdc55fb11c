"""The document as the rules see it: cleaned lines, the letterhead, and labelled values.

Swedish municipal documents put their facts in a letterhead before the text proper: the
department, the board, Datum, Dnr, Handläggare and then the ärendemening (title). That block
ends at the first headed part ("Förslag till beslut", "Ärendet", a protocol's "§ 1") or at the
first line of running prose; the rules that read letterhead facts look only there, so a "Dnr"
quoted in the body is never taken for the document's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from archive.extract.text import strip_inline
from archive.metadata.profiles import Rules
from archive.model import Extraction

LETTERHEAD_MAX_LINES = 40  # non-empty lines; a letterhead is never longer
TOP_MAX_LINES = 80  # where labelled values (Datum:, Handläggare:) are looked for
PROSE_WORDS = 12  # a line this long is running text, not letterhead

_HEADING_MARK = re.compile(r"^\s*#{1,6}\s*")
NUMBERING = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+(?=\D)")
_CELL_SPLIT = re.compile(r"\t+| {2,}")
# "Direktr:", "Beslutad av:", "Derived text:" - a short label and a colon, whatever the label.
_ANY_LABEL = re.compile(r"^[^\W\d][\w/.() -]{0,40}?:(?:\s|$)")
_LIST_MARK = re.compile(r"^(?:[-•*–]|\d{1,2}[.)])\s")


def clean(raw: str) -> str:
    """A line without Markdown marks, stray HTML and surplus spaces (cells become spaces)."""
    text = strip_inline(_HEADING_MARK.sub("", raw))
    return " ".join(text.split())


def readable(raw: str) -> str:
    """A line as part of a section's text: markup off, but cells still apart."""
    return strip_inline(_HEADING_MARK.sub("", raw)).strip()


def words(text: str) -> int:
    return len(text.split())


class Labelled(NamedTuple):
    label: int  # index of the line with the label
    at: int  # index of the line the value stands on
    value: str


@dataclass
class Line:
    raw: str
    text: str  # clean(raw)
    where: str  # "header" (a DOCX page header), "body" or "footer"
    furniture: bool  # matches a footer pattern: letterhead or footer, not text


@dataclass
class Doc:
    """One extraction, prepared once for all the rules."""

    extraction: Extraction
    rules: Rules
    lines: list[Line] = field(default_factory=list)
    letterhead: list[int] = field(default_factory=list)  # indices of non-empty lines
    letterhead_end: int | None = None  # index of the line that ended it, if any
    top: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, extraction: Extraction, rules: Rules) -> Doc:
        doc = cls(extraction, rules)
        for where, text in (
            ("header", extraction.header_text),
            ("body", extraction.text),
            ("footer", extraction.footer_text),
        ):
            for raw in text.split("\n") if text else ():
                cleaned = clean(raw)
                furniture = bool(cleaned) and bool(rules.footer.match(cleaned))
                doc.lines.append(Line(raw, cleaned, where, furniture))
        doc._find_zones()
        return doc

    def with_rules(self, rules: Rules) -> Doc:
        """The same lines seen with another municipality's data (its own furniture lines)."""
        lines = [
            Line(
                line.raw,
                line.text,
                line.where,
                bool(line.text) and bool(rules.footer.match(line.text)),
            )
            for line in self.lines
        ]
        doc = Doc(self.extraction, rules, lines)
        doc._find_zones()
        return doc

    def _find_zones(self) -> None:
        body_seen = 0
        for i, line in enumerate(self.lines):
            if not line.text or line.furniture or line.where == "footer":
                continue
            if line.where == "header":
                self.letterhead.append(i)
                self.top.append(i)
                continue
            if body_seen < TOP_MAX_LINES:
                self.top.append(i)
            body_seen += 1
            if self.letterhead_end is None and body_seen <= LETTERHEAD_MAX_LINES:
                if self.heading(i) is not None or words(line.text) >= PROSE_WORDS:
                    self.letterhead_end = i
                else:
                    self.letterhead.append(i)

    def body(self) -> Iterator[int]:
        """Indices of the body's text lines (no page header, footer or furniture)."""
        for i, line in enumerate(self.lines):
            if line.where == "body" and not line.furniture:
                yield i

    def next_text(self, i: int, *, limit: int = 1) -> list[int]:
        """Up to `limit` following non-empty body lines, not crossing into furniture."""
        found: list[int] = []
        for j in range(i + 1, len(self.lines)):
            line = self.lines[j]
            if line.furniture or line.where != self.lines[i].where:
                continue
            if line.text:
                found.append(j)
                if len(found) == limit:
                    break
        return found

    def heading(self, i: int) -> str | None:
        """The heading a line is, if it starts one of the document's headed parts."""
        text = self.lines[i].text
        # A heading is short and is no sentence ("Information enligt 19 § ... har lämnats.").
        if not text or words(text) > 14 or text.endswith((".", ",", ";")) or text[0].islower():
            return None
        for pattern in self._start_patterns():
            if pattern.match(text):
                return text.rstrip(":").strip()
        bare = NUMBERING.sub("", text).rstrip(":").strip()
        folded = bare.casefold()
        if folded in self._headings():
            return text.rstrip(":").strip()
        if any(p.fullmatch(bare) for p in self._heading_patterns()):
            return text.rstrip(":").strip()
        return None

    def _headings(self) -> frozenset[str]:
        cached = self.__dict__.get("_heading_set")
        if cached is None:
            cached = frozenset(h.casefold() for h in self.rules.common["section_headings"])
            self.__dict__["_heading_set"] = cached
        return cached

    def _heading_patterns(self) -> list[re.Pattern[str]]:
        return _compiled(tuple(self.rules.common["section_heading_patterns"]), re.I)

    def _start_patterns(self) -> list[re.Pattern[str]]:
        return _compiled(tuple(self.rules.common["section_start_patterns"]), 0)

    def labelled(self, labels: list[str], indices: list[int]) -> Iterator[Labelled]:
        """Candidate values of a label, best first: same line, next cell, cell below, next line.

        Letterheads come as "Datum: 2021-09-16", as "Datum:" with the value on the next line,
        as a table row "Datum<TAB>2021-09-16", or as a row of labels over a row of values.
        The caller checks each candidate's shape and takes the first that fits.
        """
        pattern = _label_pattern(tuple(labels))
        for i in indices:
            line = self.lines[i]
            row = cells(line.raw) or [line.raw]
            for k, cell in enumerate(row):
                match = pattern.match(clean(cell))
                if not match:
                    continue
                value = match.group("value").strip()
                if value:
                    yield Labelled(i, i, value)
                    continue
                if k + 1 < len(row):
                    yield Labelled(i, i, clean(row[k + 1]))
                for j in self.next_text(i, limit=2):
                    below = cells(self.lines[j].raw)
                    if len(row) > 1 and len(below) == len(row):
                        yield Labelled(i, j, clean(below[k]))
                        break
                if len(row) == 1:
                    for j in self.next_text(i):
                        if not is_label_line(self.lines[j].text):
                            yield Labelled(i, j, self.lines[j].text)


def cells(raw: str) -> list[str]:
    """A line's cells: text split at tabs and at runs of two or more spaces."""
    return [c for c in _CELL_SPLIT.split(raw.strip()) if c.strip()]


def is_label_line(text: str) -> bool:
    """A short "Label:" line ("Direktr:", "Diarienummer:"), with or without its value."""
    match = _ANY_LABEL.match(text)
    return bool(match) and words(match.group(0)) <= 4


def is_list_item(text: str) -> bool:
    return bool(_LIST_MARK.match(text))


_PATTERN_CACHE: dict[tuple[tuple[str, ...], int], list[re.Pattern[str]]] = {}


def _compiled(patterns: tuple[str, ...], flags: int) -> list[re.Pattern[str]]:
    key = (patterns, flags)
    if key not in _PATTERN_CACHE:
        _PATTERN_CACHE[key] = [re.compile(p, flags) for p in patterns]
    return _PATTERN_CACHE[key]


_LABEL_CACHE: dict[tuple[str, ...], re.Pattern[str]] = {}


def _label_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    if labels not in _LABEL_CACHE:
        alternatives = "|".join(
            r"\s*".join(map(re.escape, label.split())) for label in sorted(labels, key=len)[::-1]
        )
        _LABEL_CACHE[labels] = re.compile(
            rf"^(?:{alternatives})(?!\w)\s*[:.]?\s*(?P<value>.*)$", re.I
        )
    return _LABEL_CACHE[labels]

"""Remove page furniture: running headers and footers, page counters, letterhead address rows.

Works on plain `Page` lists, so the same rules serve PDF, DOCX and text. Three kinds of evidence:

1. Repetition. A line that stands near the top or bottom of many pages (digits ignored, so
   `Rapport 2 (8)` and `Rapport 3 (8)` are the same line) is a running header or footer. Only
   the first and last few lines of a page are looked at: the same heading ("Bedömning") in the
   middle of many pages is body text and stays.
2. Counter shapes: `1 (2)`, `Sida 2 av 5`, `2/5`, `- 3 -`, `Page 2 of 5`, and bare page
   numbers that follow the page order.
3. Letterhead rows: a row of address-block labels (`Postadress Gatuadress Telefon E-post ...`)
   and the row of values under it. These labels are the same in every Swedish municipality;
   phrases that differ between municipalities come from their YAML profile as `footer_patterns`.

Removed header and footer lines are returned once each (not thrown away), because the first
page's header often carries what metadata needs: the board, the date, the case number.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from archive.model import Page

# How many non-empty lines at each end of a page can be furniture.
WINDOW = 5
# A line is a running header/footer when it is in a margin on at least this share of the pages
# and on at least three (two in a document of two or three pages): a cover title that comes
# back on the last page is not furniture. The share is low on purpose: reports alternate
# left/right page headers and leave chapter, picture and cover pages without one, so each
# header form is on only ~30% of the pages.
MIN_SHARE = 0.2

_COUNTERS = (
    re.compile(r"(?P<n>\d+)\s*\(\s*(?P<of>\d+)\s*\)"),  # 1 (2)
    re.compile(r"(?:sida|sid\.?|s\.|page)\s*(?P<n>\d+)(?:\s*(?:av|of|\(|/)\s*(?P<of>\d+)\)?)?"),
    re.compile(r"[-–—]\s*(?P<n>\d+)\s*[-–—]"),  # - 3 -
)
# A running line that ends in its page counter: "Stadsrevisionen, Revisionsberättelse 1 (2)".
_ENDS_IN_COUNTER = re.compile(r".*\D\s(?P<n>\d+)\s*\(\s*(?P<of>\d+)\s*\)")
_SLASH_COUNTER = re.compile(r"(?P<n>\d+)\s*/\s*(?P<of>\d+)")  # 2/5, also a date: checked hard
_BARE_NUMBER = re.compile(r"\d{1,4}")

_ADDRESS_LABELS = (
    "postadress",
    "besöksadress",
    "gatuadress",
    "leveransadress",
    "telefon",
    "telefax",
    "fax",
    "e-post",
    "epost",
    "hemsida",
    "webbplats",
    "webb",
    "organisationsnummer",
    "org.nr",
    "orgnr",
    "bankgiro",
    "plusgiro",
    "växel",
)
_LABEL = re.compile(r"(?<!\w)(" + "|".join(re.escape(x) for x in _ADDRESS_LABELS) + r")(?!\w)")
# What a value row under address labels holds: a postal code, a phone number, a mail or web name.
_ADDRESS_VALUE = re.compile(
    r"\b\d{3} ?\d{2}\b|\b0\d{1,3}[- ]\d|[\w.-]+@[\w.-]+|\b[\w-]+\.(?:se|nu|com|org)\b"
)


@dataclass
class Furniture:
    pages: list[Page]  # the pages without furniture
    header: list[str]  # removed running-header lines, each once (first wording), in page order
    footer: list[str]  # removed footer lines (repeated footers, letterhead rows, pattern hits)


def _key(line: str) -> str:
    """Digits and spacing ignored: `Rapport 2 (8)` and `Rapport 3(8)` are one running line.
    A line without letters keeps its digits: `212000-2981` on every page is a running line,
    while `12`, `30`, `7` ending three pages are values (or page numbers, found by the rules
    for counters)."""
    packed = "".join(line.lower().split())
    return re.sub(r"\d+", "#", packed) if any(c.isalpha() for c in packed) else packed


def _windows(lines: list[str]) -> tuple[set[int], set[int]]:
    """Indexes of the first and last non-empty lines: WINDOW of them, at most a third of the
    page each, so a short page keeps a middle that is surely body."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    size = min(WINDOW, max(1, len(filled) // 3))
    return set(filled[:size]), set(filled[-size:])


def _in_margin(lines: list[str], margin: str) -> set[int]:
    """Indexes of the lines that the layout put in a margin band (text given by the caller)."""
    keys = {_key(line) for line in margin.split("\n") if line.strip()}
    return {i for i, line in enumerate(lines) if line.strip() and _key(line) in keys}


def _is_counter(line: str, number: int, total: int) -> bool:
    text = line.strip().lower()
    for shape in _COUNTERS:
        m = shape.fullmatch(text)
        if m:
            of = m.groupdict().get("of")
            return of is None or int(m["n"]) <= int(of)
    m = _SLASH_COUNTER.fullmatch(text)
    # "2/5" is also the 2nd of May: only a counter when it says this page of these pages.
    return bool(m) and int(m["n"]) == number and int(m["of"]) == total


def _ends_in_counter(line: str) -> bool:
    m = _ENDS_IN_COUNTER.fullmatch(line.strip())
    return bool(m) and 0 < int(m["n"]) <= int(m["of"])


def _page_number_offset(pages: list[Page], windows: list[set[int]]) -> int | None:
    """The shift between printed bare page numbers and page order, if the pages agree on one."""
    offsets: Counter[int] = Counter()
    for page, window in zip(pages, windows, strict=True):
        lines = page.text.split("\n")
        numbers = [lines[i].strip() for i in window]
        offsets.update({int(n) - page.number for n in numbers if _BARE_NUMBER.fullmatch(n)})
    if not offsets:
        return None
    offset, count = offsets.most_common(1)[0]
    return offset if count >= 2 or (len(pages) == 1 and offset == 0) else None


def _letterhead_lines(lines: list[str]) -> set[int]:
    """Address-label rows and the value row right under each."""
    found: set[int] = set()
    for i, line in enumerate(lines):
        if len(set(_LABEL.findall(line.lower()))) >= 3:
            found.add(i)
            following = [j for j in range(i + 1, len(lines)) if lines[j].strip()][:1]
            if following and _ADDRESS_VALUE.search(lines[following[0]]):
                found.add(following[0])
    return found


def remove_furniture(
    pages: list[Page],
    *,
    footer_patterns: Sequence[str] = (),
    margins: Sequence[tuple[str, str]] | None = None,
) -> Furniture:
    """Pages without furniture.

    `footer_patterns` are regexes for whole footer lines (from a municipality's YAML), matched
    case-insensitively anywhere on a page. `margins`, one (top, bottom) pair per page, is the
    text a layout-aware reader (PDF) found in the page's top and bottom margin bands; with it,
    only lines in those bands can be running headers and footers, wherever the text stream put
    them. Without it (DOCX, text) the first and last lines of each page stand in for the bands.
    """
    patterns = [re.compile(p, re.IGNORECASE) for p in footer_patterns]
    split = [page.text.split("\n") for page in pages]
    tops: list[set[int]] = []
    bottoms: list[set[int]] = []
    for n, lines in enumerate(split):
        if margins is None:
            top, bottom = _windows(lines)
        else:
            top, bottom = _in_margin(lines, margins[n][0]), _in_margin(lines, margins[n][1])
        tops.append(top)
        bottoms.append(bottom)
    windows = [_windows(lines) for lines in split]
    edges = [t | b | w[0] | w[1] for t, b, w in zip(tops, bottoms, windows, strict=True)]

    in_top: Counter[str] = Counter()
    in_bottom: Counter[str] = Counter()
    on_pages: Counter[str] = Counter()
    for lines, top, bottom in zip(split, tops, bottoms, strict=True):
        top_keys = {_key(lines[i]) for i in top}
        bottom_keys = {_key(lines[i]) for i in bottom}
        in_top.update(top_keys)
        in_bottom.update(bottom_keys)
        on_pages.update(top_keys | bottom_keys)
    needed = 2 if len(pages) <= 3 else max(3, math.ceil(MIN_SHARE * len(pages)))
    running = {k for k, n in on_pages.items() if n >= needed and k}
    offset = _page_number_offset(pages, edges)

    header: dict[str, str] = {}
    footer: dict[str, str] = {}
    cleaned: list[Page] = []
    for page, lines, top, bottom, edge in zip(pages, split, tops, bottoms, edges, strict=True):
        drop: set[int] = set()
        for i in edge:
            line = lines[i].strip()
            key = _key(line)
            bare = _BARE_NUMBER.fullmatch(line)
            if _is_counter(line, page.number, len(pages)) or (
                bare and offset is not None and int(line) - page.number == offset
            ):
                drop.add(i)
            elif i in top | bottom and (key in running or _ends_in_counter(line)):
                drop.add(i)
                target = header if in_top[key] >= in_bottom[key] else footer
                target.setdefault(key, line)
        for i in _letterhead_lines(lines) - drop:
            drop.add(i)
            footer.setdefault(_key(lines[i]), lines[i].strip())
        for i, line in enumerate(lines):
            if i not in drop and line.strip() and any(p.search(line) for p in patterns):
                drop.add(i)
                footer.setdefault(_key(line), line.strip())
        kept = "\n".join(line for i, line in enumerate(lines) if i not in drop)
        cleaned.append(Page(page.number, kept.strip("\n")))
    return Furniture(cleaned, list(header.values()), list(footer.values()))

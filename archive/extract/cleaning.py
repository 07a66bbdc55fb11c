"""The cleaning step every format goes through: page furniture out, hyphenated words joined.

A pdftotext-style `.txt` keeps `Sida 2 av 4` and `bo-\\nlagets` as a PDF does, and a DOCX can
carry its letterhead's address row in the body; so the same cleaning runs for every format,
after the format's own reader. Removed header and footer lines are kept (header_text,
footer_text): the metadata rules read them before they count as furniture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from archive.extract.furniture import remove_furniture
from archive.extract.hyphenation import join_hyphenated
from archive.model import Extraction, Page


def clean(extraction: Extraction, *, footer_patterns: Sequence[str] = ()) -> Extraction:
    """`footer_patterns`: a municipality's own page-footer lines (regexes, its YAML profile)."""
    if not any(page.text.strip() for page in extraction.pages):
        return replace(extraction, margins=None)
    # The PDF reader joins words broken at line ends as it reads each line (it knows them).
    pages = (
        extraction.pages
        if extraction.format == "pdf"
        else [Page(page.number, join_hyphenated(page.text)) for page in extraction.pages]
    )
    furniture = remove_furniture(pages, footer_patterns=footer_patterns, margins=extraction.margins)
    return replace(
        extraction,
        pages=furniture.pages,
        header_text=_joined(extraction.header_text, furniture.header),
        footer_text=_joined(extraction.footer_text, furniture.footer),
        margins=None,
    )


def _joined(text: str, lines: list[str]) -> str:
    return "\n".join(part for part in (text, *lines) if part)

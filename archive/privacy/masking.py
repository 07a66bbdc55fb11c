"""What a person sees in place of personal data: `[personnummer]`, page by page and field by field.

The spans found at ingest (the record's `personal_data`) say where each value stands in the
page text of text.json; the other strings a record holds (title, sections, tables) are short,
so they are searched again when shown rather than carrying offsets of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from archive.errors import DiariumError
from archive.model import Page
from archive.privacy.detect import IDENTITY_KINDS, KINDS, Span, find

SETTING = "privacy"


def placeholder(kind: str) -> str:
    return f"[{kind}]"


def masked_kinds(settings: Mapping[str, Any]) -> frozenset[str]:
    """The kinds shown masked: identity numbers always, the others as `privacy: mask:` in
    settings.yaml says (an official's work phone in a letterhead is public; a client's is not)."""
    section = settings.get(SETTING) or {}
    if not isinstance(section, Mapping):
        raise DiariumError(
            "settings.yaml: privacy ska vara en tabell, t.ex. privacy: {mask: [adress]}"
        )
    chosen = section.get("mask") or []
    if isinstance(chosen, str):
        chosen = [chosen]
    unknown = sorted(set(map(str, chosen)) - set(KINDS))
    if unknown:
        raise DiariumError(
            f"settings.yaml: privacy.mask: okänd sorts personuppgift {', '.join(unknown)} "
            f"(välj bland {', '.join(KINDS)})"
        )
    return IDENTITY_KINDS | frozenset(map(str, chosen))


def scan_pages(pages: Iterable[Page]) -> list[dict[str, Any]]:
    """The record's `personal_data`: every finding on every page, masked kinds or not, so a
    change of the setting needs no new scan."""
    return [
        {"kind": s.kind, "page": page.number, "start": s.start, "end": s.end}
        for page in pages
        for s in find(page.text)
    ]


def mask_spans(text: str, spans: Iterable[Span], kinds: frozenset[str]) -> str:
    out: list[str] = []
    last = 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.kind not in kinds or span.start < last or span.end > len(text):
            continue
        out += [text[last : span.start], placeholder(span.kind)]
        last = span.end
    out.append(text[last:])
    return "".join(out)


def mask_string(text: str, kinds: frozenset[str]) -> str:
    return mask_spans(text, find(text, kinds), kinds)


def mask_page(page: Page, personal_data: Iterable[Mapping[str, Any]], kinds: frozenset[str]) -> str:
    """A page's text with its stored spans masked, and whatever a search of the text finds
    now: text.json may have been rewritten since the scan (new OCR), and a value shown by
    mistake cannot be taken back."""
    stored = {
        Span(str(d["kind"]), int(d["start"]), int(d["end"]))
        for d in personal_data
        if d.get("page") == page.number
    }
    return mask_spans(page.text, stored | set(find(page.text, kinds)), kinds)


def mask_value(value: Any, kinds: frozenset[str]) -> Any:
    """Every string inside a JSON-like value masked; numbers, keys and the structure kept."""
    if isinstance(value, str):
        return mask_string(value, kinds)
    if isinstance(value, list):
        return [mask_value(v, kinds) for v in value]
    if isinstance(value, dict):
        return {k: mask_value(v, kinds) for k, v in value.items()}
    return value

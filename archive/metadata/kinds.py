"""The kind of document, by the ordered rules in _common.yaml (first match wins)."""

from __future__ import annotations

from archive.metadata.lines import NUMBERING, Doc
from archive.metadata.profiles import KindRule
from archive.model import Section


def find_kind(
    doc: Doc, kind_rules: tuple[KindRule, ...], title: str | None, sections: list[Section]
) -> str:
    letterhead = [doc.lines[i].text for i in doc.letterhead]
    text = "\n".join(doc.lines[i].text for i in doc.body())
    headings = [NUMBERING.sub("", s.heading) for s in sections]
    # What the letterhead and title say comes before what the body's shape suggests: a
    # revisionsberättelse with protocol extracts attached is not a protocol.
    for rule in kind_rules:
        if any(p.search(line) for p in rule.header for line in letterhead):
            return rule.kind
        if title and any(p.search(title) for p in rule.title):
            return rule.kind
    for rule in kind_rules:
        if rule.text and all(len(p.findall(text)) >= least for p, least in rule.text):
            return rule.kind
        if rule.sections and all(any(p.search(h) for h in headings) for p in rule.sections):
            return rule.kind
    return "annat"

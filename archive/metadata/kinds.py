"""The kind of document, by the ordered rules in _common.yaml (first match wins).

The name a document gives itself (its letterhead, the first words of its first lines, its
title) and its structure (a protocol's front page, an audit's cover) are tried for every rule
before words in the body are counted: a label the document prints beats what its body suggests.
"""

from __future__ import annotations

from archive.metadata.front import front_text, heads
from archive.metadata.lines import NUMBERING, Doc
from archive.metadata.profiles import KindRule
from archive.model import Section


def find_kind(
    doc: Doc, kind_rules: tuple[KindRule, ...], title: str | None, sections: list[Section]
) -> str:
    return find_kind_by(doc, kind_rules, title, sections)[0]


def find_kind_by(
    doc: Doc, kind_rules: tuple[KindRule, ...], title: str | None, sections: list[Section]
) -> tuple[str, str | None]:
    """The kind and the rule that chose it ("header", "title", "front", "text", "sections")."""
    labels = [doc.lines[i].text for i in doc.letterhead] + [h.text for h in heads(doc)]
    front = front_text(doc)
    text = "\n".join(doc.lines[i].text for i in doc.body())
    headings = [NUMBERING.sub("", s.heading) for s in sections]
    for rule in kind_rules:
        if any(p.search(line) for p in rule.header for line in labels):
            return rule.kind, "header"
        if title and any(p.search(title) for p in rule.title):
            return rule.kind, "title"
        if rule.front and _structure(rule, front) and _few(rule, text):
            return rule.kind, "front"
    for rule in kind_rules:
        if rule.text and all(len(p.findall(text)) >= least for p, least in rule.text):
            return rule.kind, "text"
        if rule.sections and all(any(p.search(h) for h in headings) for p in rule.sections):
            return rule.kind, "sections"
    return "annat", None


def _few(rule: KindRule, text: str) -> bool:
    return all(len(p.findall(text)) <= most for p, most in rule.at_most)


def _structure(rule: KindRule, front: str) -> bool:
    if any(p.search(front) for p in rule.front_not):
        return False
    return sum(1 for p in rule.front if p.search(front)) >= rule.front_min

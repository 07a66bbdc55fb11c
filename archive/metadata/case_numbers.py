"""The case number (diarienummer), read after its label in the letterhead only."""

from __future__ import annotations

import re

from archive.metadata.lines import Doc

_END = re.compile(r"(?=$|[\s,;)\]]|\.(?:\s|$))")


def read_case_number(value: str, shapes: re.Pattern[str]) -> str | None:
    """The case number a label's value starts with, if it has one of the known shapes."""
    value = " ".join(value.split()).removeprefix("Dnr ").strip()[:40]
    best: str | None = None
    for length in range(len(value), 0, -1):
        head = value[:length]
        if shapes.fullmatch(head) and _END.match(value, length):
            best = head
            break
    return best


def find_case_number(doc: Doc) -> str | None:
    labels = doc.rules.common["case_number_labels"]
    for *_, value in doc.labelled(labels, doc.letterhead):
        if found := read_case_number(value, doc.rules.case_number):
            return found
    return None

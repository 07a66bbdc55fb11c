"""Synthetic identity numbers (valid by date and Luhn, like real ones) and real text for them."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

# The forms numbers are written in: 12 digits with and without hyphen, 10 with and without,
# and YYMMDD+NNNN for someone over 100.
FORMS = ("long-hyphen", "short-hyphen", "short-bare", "long-bare", "plus")


def luhn_digit(nine: str) -> int:
    total = 0
    for i, ch in enumerate(nine):
        v = int(ch) * (2 - i % 2)
        total += v - 9 if v > 9 else v
    return (10 - total % 10) % 10


def identity(rng: random.Random, form: str, *, coordination: bool = False) -> tuple[str, str]:
    """(the number as written in `form`, its 12 digits)."""
    today = dt.date.today()
    if form == "plus":
        born = dt.date(rng.randint(today.year - 118, today.year - 101), rng.randint(1, 12), 1)
    else:
        born = dt.date(rng.randint(1930, 2019), rng.randint(1, 12), 1)
    born += dt.timedelta(days=rng.randint(0, 27))
    day = born.day + (60 if coordination else 0)
    yymmdd = f"{born.year % 100:02d}{born.month:02d}{day:02d}"
    serial = f"{rng.randint(1, 999):03d}"
    last = str(luhn_digit(yymmdd + serial))
    digits12 = f"{born.year}{born.month:02d}{day:02d}{serial}{last}"
    written = {
        "long-hyphen": f"{digits12[:8]}-{digits12[8:]}",
        "short-hyphen": f"{yymmdd}-{serial}{last}",
        "short-bare": f"{yymmdd}{serial}{last}",
        "long-bare": digits12,
        "plus": f"{yymmdd}+{serial}{last}",
    }[form]
    return written, digits12


def corpus_paragraphs(shared: Path, count: int) -> list[str]:
    """Paragraphs of real municipal text (Markdown policy documents and protocols)."""
    paragraphs: list[str] = []
    for path in sorted((shared / "corpus").glob("*/*.md")) + sorted(
        (shared / "corpus").glob("goteborg/protokoll/*.txt")
    ):
        for block in path.read_text("utf-8").split("\n\n"):
            block = block.strip()
            if len(block) > 200 and not block.startswith(("#", "|")):
                paragraphs.append(block)
    return paragraphs[:: max(1, len(paragraphs) // count)][:count]

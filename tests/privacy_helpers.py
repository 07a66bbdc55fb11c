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


class Planted:
    """A test archive of real text with synthetic identity numbers in every form."""

    def __init__(self, root: Path, shared: Path, tmp: Path) -> None:
        rng = random.Random(1214)
        self.root = root
        self.numbers: list[str] = []  # every way each planted number could be printed
        self.files: dict[str, list[str]] = {}
        paragraphs = corpus_paragraphs(shared, 12)
        sources = tmp / "in"
        sources.mkdir()
        for i in range(6):
            written = []
            for j, form in enumerate(FORMS):
                number, digits = identity(rng, form, coordination=(i + j) % 4 == 0)
                written.append(number)
                self.numbers += [number, digits, digits[2:], f"{digits[2:8]}-{digits[8:]}"]
            body = "\n\n".join(
                [
                    f"Uppföljning av ekonomiskt bistånd {i}",
                    paragraphs[2 * i],
                    f"Sökande: {written[0]} och medsökande {written[1]}.",
                    f"Barn: {written[2]}, {written[3]}. Förmyndare {written[4]}.",
                    paragraphs[2 * i + 1],
                    f"Ärende SN 2021/{i:04d}, beslut 2021-03-0{i + 1}, belopp 12 345 kr.",
                ]
            )
            (sources / f"uppfoljning-{i}.txt").write_text(body, "utf-8")
            self.files[f"uppfoljning-{i}.txt"] = written
        self.sources = sources

    def assert_hidden(self, output: str, what: str) -> None:
        leaked = [n for n in self.numbers if n in output]
        assert not leaked, f"{what} shows {leaked[:3]}"

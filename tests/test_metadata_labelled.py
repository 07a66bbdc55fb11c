"""Metadata on documents of municipalities the rules were not written for, and no regressions.

`../shared/labelled` holds 54 first pages of 43 municipalities with what a registrar would record
(`python -m tests.metadata_report` prints every miss); the seeds and the older corpus keep every
value the rules read right before (`tests/data/metadata_regression.json`, checked by eye: only
values that are right are in it).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.extract import extract
from archive.metadata.reading import read_metadata
from archive.model import Extraction, Page
from tests.metadata_report import FIELDS, evaluate

REGRESSION = Path(__file__).parent / "data" / "metadata_regression.json"
LEAST = 0.9


@pytest.fixture(scope="module")
def labelled(shared_dir: Path):
    root = shared_dir / "labelled"
    if not (root / "labels.json").is_file():
        pytest.skip("../shared/labelled is not beside this checkout")
    return evaluate(root)


@pytest.mark.parametrize("field", FIELDS)
def test_each_field_is_read_right_on_nine_in_ten_labelled_documents(field: str, labelled) -> None:
    scores, misses = labelled
    right, total = scores[field]
    assert total == 54
    shown = "\n".join(
        f"{m.document}: want {m.want!r}, got {m.got!r}" for m in misses if m.field == field
    )
    assert right / total >= LEAST, f"{field}: {right}/{total}\n{shown}"


def test_seeds_and_corpus_lose_no_value_read_right_before(shared_dir: Path) -> None:
    expected: dict[str, dict[str, str]] = json.loads(REGRESSION.read_text("utf-8"))
    lost = []
    for name, values in expected.items():
        metadata = read_metadata(extract(shared_dir / name)).to_dict()
        lost += [
            f"{name}: {k} was {v!r}, now {metadata[k]!r}"
            for k, v in values.items()
            if metadata[k] != v
        ]
    assert not lost, "\n".join(lost)


def _read(text: str):
    return read_metadata(Extraction(format="txt", pages=[Page(1, text)]))


# A protocol's front page run into one line, as web copies have it, lacking one field at a time.
FRONT = (
    "SAMMANTRÄDESPROTOKOLL {board} Sammanträdesdatum {date} Plats och tid {place}, kl 13.00 "
    "Beslutande Anna Berg (S), ordförande Utses att justera Per Ek Justeringens plats och tid "
    "Kansliet Paragrafer 1-12 ANSLAG/BEVIS Protokollet är justerat."
)


def test_a_flat_protocol_front_page_is_read() -> None:
    metadata = _read(
        FRONT.format(board="Kommunstyrelsen", date="2019-05-14", place="Ljungby kommunhus, Ljungby")
    )
    assert (metadata.kind, metadata.date, metadata.board) == (
        "protokoll",
        "2019-05-14",
        "Kommunstyrelsen",
    )
    assert metadata.municipality == "Ljungby" and metadata.case_number is None
    assert metadata.title == "Sammanträdesprotokoll Kommunstyrelsen 2019-05-14"


@pytest.mark.parametrize("missing", ["board", "date", "place"])
def test_a_value_the_front_page_lacks_stays_empty(missing: str) -> None:
    values = {
        "board": "Kommunstyrelsen",
        "date": "2019-05-14",
        "place": "Ljungby kommunhus, Ljungby",
    }
    values[missing] = {"board": "", "date": "", "place": "Sessionssalen"}[missing]
    metadata = _read(FRONT.format(**values))
    field = {"board": "board", "date": "date", "place": "municipality"}[missing]
    assert getattr(metadata, field) is None
    assert metadata.kind == "protokoll"


@pytest.mark.parametrize(
    "text",
    [
        # An audit dated by its month only, a period's end in the title: no date.
        "Revisionsrapport KPMG AB November 2014 Granskning av delårsrapport per 31 augusti 2014",
        # A period, not a date: "1 januari - 31 mars 2011".
        "Kvartalsrapport för perioden 1 januari 31 mars 2011\n\nVerksamheten under kvartalet.",
        # A date the text cites ("beslut den 27 januari 2010") is not the document's.
        "Yttrande över kritiken\n\nFörslag till beslut\n\n"
        "Kommunstyrelsen beslutade den 27 januari 2010.",
    ],
)
def test_no_date_is_guessed(text: str) -> None:
    assert _read(text).date is None


def test_no_case_number_board_or_municipality_is_guessed() -> None:
    text = (
        "Remissvar betänkandet SOU 2020:8 Starkare kommuner\n\n"
        "Finansdepartementet Fi2020/00647/K\n\n"
        "Sammanfattning\n\nUtredningen om kommunerna i Sverige avvisas. Ärendet Dnr KS 2019/12 "
        "behandlades tidigare av kommunstyrelsen.\n"
    )
    metadata = _read(text)
    assert metadata.kind == "yttrande"
    assert (metadata.case_number, metadata.board, metadata.municipality) == (None, None, None)

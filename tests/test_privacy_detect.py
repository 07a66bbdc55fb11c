"""Finding personal data: each form of identity number in real text, and no lookalike."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pypdfium2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.errors import DiariumError
from archive.extract import extract
from archive.privacy import (
    IDENTITY_KINDS,
    KINDS,
    find,
    identity_number,
    mask_spans,
    mask_string,
    masked_kinds,
)
from tests.privacy_helpers import FORMS, corpus_paragraphs, identity

# What stands near identity numbers in a social services document and must not be taken for one.
LOOKALIKES = [
    "KS 2019/0123",
    "SN 2021-0456",
    "Dnr 2020.1234",
    "2019-01-23",
    "den 23 januari 2019",
    "1 234 567 kr",
    "12 345,50 kronor",
    "0322-61 60 00",
    "070-123 45 67",
    "08-508 290 00",
    "+46 31 365 00 00",
    "212000-1355",  # a municipality's organisation number: month 20 is no date
    "556677-8899",  # a company's
    "§ 123",
    "2021:4",
    "20210123",
]


def test_every_form_in_real_text_is_found_and_lookalikes_are_not(shared_dir: Path) -> None:
    rng = random.Random(14)
    paragraphs = corpus_paragraphs(shared_dir, 40)
    assert len(paragraphs) >= 30
    planted = 0
    for i, paragraph in enumerate(paragraphs):
        form = FORMS[i % len(FORMS)]
        coordination = i % 3 == 0
        written, digits = identity(rng, form, coordination=coordination)
        cut = paragraph.find(" ", len(paragraph) // 2)
        text = (
            f"{paragraph[:cut]} (ärende {LOOKALIKES[i % len(LOOKALIKES)]}, personnummer "
            f"{written}, {LOOKALIKES[(i + 5) % len(LOOKALIKES)]}){paragraph[cut:]}"
        )
        found = [s for s in find(text) if s.kind in IDENTITY_KINDS]
        assert [text[s.start : s.end] for s in found] == [written], (form, text)
        kind = "samordningsnummer" if coordination else "personnummer"
        assert found[0].kind == kind
        assert identity_number(written) == (kind, digits)
        assert written not in mask_string(text, IDENTITY_KINDS)
        assert f"[{kind}]" in mask_string(text, IDENTITY_KINDS)
        planted += 1
    assert planted == len(paragraphs)


def test_no_identity_number_in_the_whole_corpus(shared_dir: Path) -> None:
    """The corpus has none: every number in it that looks like one must fail the check. The
    PDFs are read raw (headers and footers too), the rest as ingest reads them."""
    corpus = shared_dir / "corpus"
    files = [p for p in sorted(corpus.rglob("*")) if p.is_file() and p.suffix != ".tsv"]
    taken = []
    for path in files:
        if path.suffix == ".pdf":
            pdf = pypdfium2.PdfDocument(path)
            texts = [page.get_textpage().get_text_bounded() for page in pdf]
            pdf.close()
        elif path.suffix == ".docx":
            texts = [page.text for page in extract(path).pages]
        else:
            texts = [path.read_text("utf-8", errors="replace")]
        for text in texts:
            taken += [
                (path.name, text[s.start : s.end]) for s in find(text) if s.kind in IDENTITY_KINDS
            ]
    assert len(files) > 50
    assert taken == []


def test_the_other_kinds() -> None:
    text = (
        "Handläggare Eva Ek, tel 031-365 00 00, eva.ek@goteborg.se. Klienten bor på "
        "Storgatan 12, 441 30 Alingsås och nås på 070-123 45 67. Svar till Box 2141, "
        "403 13 Göteborg."
    )
    found = {(s.kind, text[s.start : s.end]) for s in find(text)}
    assert found == {
        ("telefonnummer", "031-365 00 00"),
        ("e-post", "eva.ek@goteborg.se"),
        ("adress", "Storgatan 12, 441 30 Alingsås"),
        ("telefonnummer", "070-123 45 67"),
        ("adress", "Box 2141, \n403 13 Göteborg".replace(" \n", " ")),
    }


# Values two finders read: an e-mail address whose first part ends a postal address (the
# e-mail, found first, keeps it), a phone number beside a personnummer, kinds side by side.
OVERLAPS = [
    "Kontakt: Box 12, 111 22 Sollentuna.se@x.se",
    "Skriv till Box 2141, 403 13 Göteborg eller eva.ek@goteborg.se, tel 031-365 00 00.",
    "Sökande 19811218-9876 (tfn 070-123 45 67), Stora torget 1 B, 441 30 Alingsås.",
]


def _mobile_and_personnummer() -> str:
    """A number that is both a valid personnummer and a Swedish mobile number."""
    rng = random.Random(7)
    while True:
        written, _ = identity(rng, "short-bare")
        if written.startswith("07") and written[2] in "02369":
            return written


def test_asking_for_some_kinds_finds_exactly_those_that_all_finders_find(
    shared_dir: Path,
) -> None:
    """find(text, kinds) leaves later finders out: it must find what find(text) finds of those
    kinds, to the character, or a masked title could show what the whole scan would hide."""
    rng = random.Random(31)
    both = _mobile_and_personnummer()
    texts = [*OVERLAPS, *LOOKALIKES, f"Barnet, {both}, går i skolan", f"Mobil: {both}"]
    for paragraph in corpus_paragraphs(shared_dir, 30):
        written, _ = identity(rng, FORMS[len(texts) % len(FORMS)], coordination=len(texts) % 3 == 0)
        texts.append(
            f"{paragraph} Sökande {written}, tel 08-508 290 00, Box 12, 111 22 Sollentuna."
        )
    subsets = [
        frozenset(c) for r in range(len(KINDS) + 1) for c in itertools.combinations(KINDS, r)
    ]
    for text in texts:
        every = find(text)
        assert {s.kind for s in every} <= set(KINDS)
        for kinds in subsets:
            assert find(text, kinds) == [s for s in every if s.kind in kinds], (kinds, text)
            assert mask_string(text, IDENTITY_KINDS | kinds) == mask_spans(
                text, every, IDENTITY_KINDS | kinds
            )
    assert {s.kind for text in texts for s in find(text)} == set(KINDS)


def test_a_bare_mobile_number_is_a_phone_number_after_a_phone_word() -> None:
    written = _mobile_and_personnummer()
    assert [s.kind for s in find(f"Mobil: {written}")] == ["telefonnummer"]
    assert [s.kind for s in find(f"Barnet, {written}, går i skolan")] == ["personnummer"]


def test_the_setting_adds_kinds_but_never_removes_identity_numbers() -> None:
    assert masked_kinds({}) == IDENTITY_KINDS
    assert masked_kinds({"privacy": {"mask": ["adress"]}}) == IDENTITY_KINDS | {"adress"}
    with pytest.raises(DiariumError, match="okänd sorts personuppgift"):
        masked_kinds({"privacy": {"mask": ["skostorlek"]}})


@settings(max_examples=200, deadline=None, database=None)
@given(seed=st.integers(0, 10**9), form=st.sampled_from(FORMS), coordination=st.booleans())
def test_any_valid_number_is_found_in_any_form(seed: int, form: str, coordination: bool) -> None:
    written, digits = identity(random.Random(seed), form, coordination=coordination)
    text = f"Beslut i ärende SN 2021/0456 om {written}: bifall."
    spans = find(text)
    assert [(s.kind in IDENTITY_KINDS, text[s.start : s.end]) for s in spans] == [(True, written)]
    assert identity_number(written)[1] == digits

"""One ingest pipeline for every format: text and Markdown are cleaned as a PDF is."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import Archive
from archive.errors import ExtractionError
from archive.extract import REGISTRY, read, supported
from archive.pipeline import Batch, clean, extract

# pdftotext output: a page counter at each page's foot, a word broken at a line's end, form feeds.
PDFTOTEXT = (
    "Tjänsteskrivelse\n\nUppföljning av bostadsbolaget\n\nFörslag till beslut\n\n"
    "Styrelsen för bo-\nlagets verksamhet följs upp varje år.\n\nSida 1 av 2\n\f"
    "Ärendet\n\nBolaget redovisar sitt resultat.\n\nSida 2 av 2\n\f"
)
MARKDOWN = "# Kostpolicy för skolorna\n\n<!-- sida 12 -->\nMaten lagas i skolans kök.\n"


def test_text_is_cleaned_like_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "brev.txt"
    path.write_text(PDFTOTEXT, encoding="utf-8")
    raw = extract(path)
    assert "Sida 1 av 2" in raw.pages[0].text and "bo-\nlagets" in raw.pages[0].text
    cleaned = clean(raw, Batch(str(tmp_path)).profiles(), None)
    assert "Sida" not in cleaned.pages[0].text + cleaned.pages[1].text
    assert "bolagets" in cleaned.pages[0].text


def test_ingest_runs_the_cleaning_for_text_and_markdown(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "brev.txt").write_text(PDFTOTEXT, encoding="utf-8")
    (folder / "policy.md").write_text(MARKDOWN, encoding="utf-8")
    archive = Archive(tmp_path / "arkiv")
    report = archive.ingest([folder], jobs=1)
    by_name = {d.source: d for d in report.added}
    letter = archive.text(by_name["brev.txt"].id)
    assert "bolagets verksamhet" in letter and "Sida 2 av 2" not in letter
    policy = archive.text(by_name["policy.md"].id)
    assert "sida 12" not in policy and "Maten lagas" in policy
    assert by_name["policy.md"].title == "Kostpolicy för skolorna"


def test_extractors_are_found_by_format(tmp_path: Path) -> None:
    assert supported()[".pdf"] == "pdf" and supported()[".markdown"] == "md"
    assert REGISTRY[".docx"].reader().__name__ == "extract_docx"
    odd = tmp_path / "gammal.doc"
    odd.write_bytes(b"x")
    with pytest.raises(ExtractionError, match="spara som .docx"):
        read(odd)

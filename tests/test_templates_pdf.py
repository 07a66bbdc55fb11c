"""PDF/A-2b through LibreOffice, and the round trip through the archive's own rules.

LibreOffice starts once for the whole module: every example and the escaping document are
converted in one batch, as `diarium generate --pdf` and the benchmark do it.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from archive.extract import extract
from archive.metadata.reading import read_metadata
from cli.generate import COMMANDS
from cli.main import Diarium
from templates.pdf import to_pdf
from templates.render import Generated, render
from templates.schema import find_kind
from tests.templates_helpers import EXAMPLES, SLUGS, example, needs_libreoffice, pdf_pages

ROUND_TRIP_KEYS = ("kind", "date", "case_number", "board", "municipality", "title")
HOSTILE = {
    "rubrik": "Ekonomi & budget <2024> enligt § 16",
    "sammanfattning": "Rapporten ”Granskning av försörjningsstöd” visar {{ 7*7 }}.",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    """Every example and the escaping document as DOCX (no LibreOffice needed)."""
    out = tmp_path_factory.mktemp("generated")
    made = {slug: render(find_kind(slug), example(slug), out / f"{slug}.docx") for slug in SLUGS}
    hostile = example("tjansteskrivelse") | HOSTILE
    made["hostile"] = render(find_kind("tjansteskrivelse"), hostile, out / "hostile.docx")
    return made


@pytest.fixture(scope="module")
def pdfs(generated: dict[str, Generated]) -> dict[str, Path]:
    names = list(generated)
    made = to_pdf([generated[name].docx for name in names])
    return dict(zip(names, made, strict=True))


@pytest.mark.parametrize("slug", SLUGS)
def test_round_trip_docx(slug: str, generated: dict[str, Generated]) -> None:
    """The DOCX read as a stranger's document gives back what the data said."""
    document = generated[slug]
    read = read_metadata(extract(document.docx)).to_dict()
    expected = {key: document.metadata[key] for key in ROUND_TRIP_KEYS}
    assert {key: read[key] for key in ROUND_TRIP_KEYS} == expected


@pytest.mark.libreoffice
@needs_libreoffice
@pytest.mark.parametrize("slug", SLUGS)
def test_round_trip_pdf(slug: str, generated: dict[str, Generated], pdfs: dict[str, Path]) -> None:
    read = read_metadata(extract(pdfs[slug])).to_dict()
    expected = {key: generated[slug].metadata[key] for key in ROUND_TRIP_KEYS}
    assert {key: read[key] for key in ROUND_TRIP_KEYS} == expected


@pytest.mark.libreoffice
@needs_libreoffice
def test_pdf_is_pdfa2b_with_the_datas_properties(
    generated: dict[str, Generated], pdfs: dict[str, Path]
) -> None:
    for slug in SLUGS:
        path = pdfs[slug]
        assert path == generated[slug].docx.with_suffix(".pdf")
        raw = path.read_bytes()
        # PDF/A keeps its XMP metadata stream unfiltered, so the identification is plain text.
        assert re.search(rb"<pdfaid:part>2</pdfaid:part>|pdfaid:part=\"2\"", raw)
        assert re.search(
            rb"<pdfaid:conformance>B</pdfaid:conformance>|pdfaid:conformance=\"B\"", raw
        )
        assert b"python-docx" not in raw
        pdf = pdfium.PdfDocument(str(path))
        info = pdf.get_metadata_dict()
        pdf.close()
        data = example(slug)
        assert info["Title"] == data["rubrik"]
        assert info["Author"] == data["förvaltning"]
        assert info["Subject"] == data["diarienummer"]
        assert "python" not in (info.get("Creator", "") + info.get("Producer", "")).lower()


@pytest.mark.libreoffice
@needs_libreoffice
def test_every_pdf_page_carries_the_facts_and_its_page_number(pdfs: dict[str, Path]) -> None:
    data = example("svar-pa-revisionsrapport")
    pages = pdf_pages(pdfs["svar-pa-revisionsrapport"])
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        flat = " ".join(text.split())
        assert f"Sida {number} ({len(pages)})" in flat
        for fact in (data["kommun"], data["förvaltning"], "Svar på revisionsrapport",
                     str(data["datum"]), data["diarienummer"]):  # fmt: skip
            assert fact in flat, (number, fact)
    assert data["underskrifter"][0]["namn"] in pages[-1]


@pytest.mark.libreoffice
@needs_libreoffice
def test_values_survive_escaped_into_the_pdf_text(pdfs: dict[str, Path]) -> None:
    text = " ".join(" ".join(pdf_pages(pdfs["hostile"])).split())
    assert "Ekonomi & budget <2024> enligt § 16" in text
    assert "”Granskning av försörjningsstöd”" in text
    assert "{{ 7*7 }}" in text and "49" not in text


@pytest.mark.libreoffice
@needs_libreoffice
def test_parallel_batches_with_same_named_files_each_get_their_pdfs(tmp_path: Path) -> None:
    """Two processes' worth of conversions at once: private profiles keep them apart."""
    batches = []
    for run in ("a", "b"):
        docs = []
        for folder in ("x", "y"):
            target = tmp_path / run / folder / "skrivelse.docx"  # same name in both folders
            data = example("yttrande") | {"rubrik": f"Yttrande {run}{folder}"}
            docs.append(render(find_kind("yttrande"), data, target).docx)
        batches.append(docs)
    results: dict[int, list[Path]] = {}

    def convert(number: int) -> None:
        results[number] = to_pdf(batches[number])

    threads = [threading.Thread(target=convert, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for number, docs in enumerate(batches):
        assert results[number] == [d.with_suffix(".pdf") for d in docs]
        for doc, pdf in zip(docs, results[number], strict=True):
            run, folder = doc.parts[-3], doc.parts[-2]
            assert f"Yttrande {run}{folder}" in pdf_pages(pdf)[0]


@pytest.mark.libreoffice
@needs_libreoffice
def test_generate_pdf_file_archives_the_pdf(tmp_path: Path, archive_dir: Path) -> None:
    diarium = Diarium(name="diarium", commands={c.name: c for c in COMMANDS})
    target = tmp_path / "utdrag.docx"
    result = CliRunner().invoke(
        diarium,
        ["generate", "protokollsutdrag", str(EXAMPLES / "protokollsutdrag.yaml"), "-o",
         str(target), "--pdf", "--file"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert target.is_file() and target.with_suffix(".pdf").is_file()
    from archive import Archive

    (document,) = list(Archive(archive_dir).documents())
    assert document.format == "pdf"
    assert document.kind == "protokollsutdrag" and document.date == "2021-02-24"
    assert document.title == example("protokollsutdrag")["rubrik"]
    assert document.pages >= 1

"""Scans read by OCR: accuracy against the known text, quality marks, stored scans, failures.

The scans are made here (tests/scans.py) from documents whose text is known, so what OCR read is
compared word by word with the truth. OCR is slow, so the whole module reads eleven pages:
two clean 300-dpi pages of a generated tjänsteskrivelse, two soiled corpus pages beside a page
with a text layer, and the six pages of the Göteborg scan in ../shared.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image

from archive import Archive
from archive.extract import extract, ocr
from archive.extract.ocr import OcrSettings, text_is_usable, tidy
from archive.extract.pdf import pages_to_ocr, read_pdf
from archive.metadata.reading import read_metadata
from indexer.archive_sync import index_of, mark_ocr
from templates.pdf import to_pdf
from templates.render import render
from templates.schema import find_kind
from tests.scans import Soil, image_pdf, join, scan, word_accuracy
from tests.templates_helpers import example, needs_libreoffice

DIARIUM = str(Path(sys.executable).with_name("diarium"))
needs_ocr = pytest.mark.skipif(ocr.missing() is not None, reason=f"no OCR here: {ocr.missing()}")
METADATA = ("kind", "title", "date", "year", "case_number", "municipality", "board", "department")
CORPUS_TEXT_PDF = "Stadsrevisionens_rapportsammandrag_Granskning_av_arbetet_med_trygghet_*.pdf"
# Words a reader sees on each page of the Göteborg scan (it has no text layer to check against).
GOTEBORG_WORDS = {
    1: "Ransgård",
    2: "revisorsgruppens",
    3: "samhällsproblem",
    4: "Därutöver",
    5: "myndighetsutövande",
    6: "utvärdera",
}


def diarium(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DIARIUM, *args], capture_output=True, text=True, env=env or os.environ.copy(), check=False
    )


def record(archive: Path, doc_id: str) -> dict[str, Any]:
    result = diarium("--archive", str(archive), "show", doc_id, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def added(result: subprocess.CompletedProcess[str]) -> dict[str, dict[str, Any]]:
    assert result.returncode == 0, result.stderr
    return {d["source"]: d for d in json.loads(result.stdout)["added"]}


def is_pdfa(path: Path) -> bool:
    with pikepdf.open(path) as pdf:
        return pdf.open_metadata().pdfa_status.startswith("2")


# -- which pages need OCR ---------------------------------------------------------------------


def test_a_page_of_real_text_is_usable_and_garbage_or_a_stamp_is_not() -> None:
    page = "Kommunstyrelsen beslutar att godkänna rapporten om försörjningsstöd 2021."
    assert text_is_usable(page, drawn=False)
    assert text_is_usable(page, drawn=True)
    assert not text_is_usable("  \n ", drawn=True)  # a scan, or text drawn as outlines
    assert text_is_usable("", drawn=False)  # a blank page: nothing for OCR to find
    # a scanner's stamp over the page image, or a page number alone on a scan
    assert not text_is_usable("Inkom 2019-03-04", drawn=True)
    assert text_is_usable("3 (4)", drawn=False)  # a near-empty page of a text PDF
    # a font without a character map: symbols, private-use characters, consonant soup
    assert not text_is_usable("\ue000\ue013\ue021 \ue044\ue031 " * 20, drawn=False)
    assert not text_is_usable("Xqzr Bnvkt Gfrtw Pkldz Mnbvc Trwqz Vbnml Sdfgh " * 4, drawn=False)


def test_ocr_reads_scans_and_outlined_text_but_not_blank_or_text_pages(
    shared_dir: Path, tmp_path: Path
) -> None:
    source = next(shared_dir.glob(f"corpus/goteborg/revision/{CORPUS_TEXT_PDF}"))
    with_blank = join([(source, 1), (source, 2)], tmp_path / "med-tom-sida.pdf")
    with pikepdf.open(with_blank, allow_overwriting_input=True) as pdf:
        pdf.add_blank_page(page_size=(595, 842))
        pdf.save(with_blank)
    scanned = scan(source, [1], 100, Soil(), tmp_path / "skannad.pdf")
    outlined = next(shared_dir.glob("corpus/goteborg/revision/*hedersrelaterat*.pdf"))
    auto, always = OcrSettings(mode="auto"), OcrSettings(mode="always")
    assert pages_to_ocr(read_pdf(with_blank)[0], auto) == []
    assert pages_to_ocr(read_pdf(with_blank)[0], always) == [1, 2, 3]
    assert pages_to_ocr(read_pdf(scanned)[0], auto) == [1]
    assert pages_to_ocr(read_pdf(outlined)[0], auto) == [1, 2, 3, 4, 5, 6]  # text as outlines
    assert pages_to_ocr(read_pdf(outlined)[0], OcrSettings(mode="never")) == []


# -- clean scans of generated documents -------------------------------------------------------


@pytest.fixture(scope="module")
def generated_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    slug = "tjansteskrivelse"
    docx = render(find_kind(slug), example(slug), out / f"{slug}.docx").docx
    (pdf,) = to_pdf([docx])
    return pdf


@needs_ocr
@needs_libreoffice
def test_clean_300_dpi_scan_reads_back_the_text_and_the_metadata(
    generated_pdf: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "arkiv"
    scanned = scan(generated_pdf, [1, 2], 300, Soil(), tmp_path / "skannad.pdf")
    both = diarium("--archive", str(archive), "ingest", "--json", str(generated_pdf), str(scanned))
    docs = added(both)
    original, read = docs[generated_pdf.name], docs["skannad.pdf"]
    store = Archive(archive)
    truth, pages = store.pages(original["id"]), store.pages(read["id"])
    accuracy = [word_accuracy(p.text, t.text) for p, t in zip(pages, truth, strict=True)]
    print(f"\nOCR word accuracy, clean 300 dpi: {', '.join(f'{a:.1%}' for a in accuracy)}")
    assert min(accuracy) >= 0.97, accuracy
    theirs, ours = record(archive, original["id"]), record(archive, read["id"])
    assert {k: ours[k] for k in METADATA} == {k: theirs[k] for k in METADATA}
    assert ours["officers"] == theirs["officers"]
    assert [p["page"] for p in ours["ocr"]["pages"]] == [1, 2]
    assert all(not p["uncertain"] and p["confidence"] > 85 for p in ours["ocr"]["pages"])
    assert theirs["ocr"] is None and "no text layer" not in ours["flags"]


@needs_libreoffice
def test_dates_and_case_numbers_misread_by_ocr_are_read_as_printed(generated_pdf: Path) -> None:
    """Tesseract's O, o, l and I inside numbers: the rules still read the date and case number."""
    printed = extract(generated_pdf)
    truth = read_metadata(printed)
    assert truth.date and truth.case_number
    digits = str.maketrans("01", "Ol")
    misread = copy.deepcopy(printed)
    for page in misread.pages:
        for value in (truth.date, truth.case_number, *re.findall(r"\d{4}-\d\d-\d\d", page.text)):
            page.text = page.text.replace(value, value.translate(digits))
    assert truth.date.translate(digits) in misread.text
    assert read_metadata(misread).date != truth.date  # the misreading alone hides the date
    for page in misread.pages:
        page.text = tidy(page.text)
    again = read_metadata(misread)
    assert (again.date, again.case_number) == (truth.date, truth.case_number)
    assert tidy("e Punkt ett\nOlle IO 2O") == "• Punkt ett\nOlle IO 2O"  # words stay words


# -- a mixed PDF: a text page, a soiled and tilted scan, a page fed sideways ------------------


@needs_ocr
def test_mixed_pdf_keeps_its_text_page_and_reads_noisy_and_turned_pages(
    shared_dir: Path, tmp_path: Path
) -> None:
    source = next(shared_dir.glob(f"corpus/goteborg/revision/{CORPUS_TEXT_PDF}"))
    noisy = scan(source, [2], 200, Soil(noise=40, specks=0.01, tilt=1.5), tmp_path / "brus.pdf")
    turned = scan(source, [3], 300, Soil(noise=20, quarter_turn=True), tmp_path / "vriden.pdf")
    mixed = join([(source, 1), (noisy, 1), (turned, 1)], tmp_path / "blandad.pdf")
    store = Archive(tmp_path / "arkiv")
    store.root.mkdir()
    # A threshold between the soiled page's confidence and the clean turned page's.
    (store.root / "settings.yaml").write_text("ocr_threshold: 91\n", encoding="utf-8")
    report = store.ingest([source, mixed], jobs=1)
    assert report.failed == []
    by_name = {d.source: d for d in report.added}
    truth, pages = store.pages(by_name[source.name].id), store.pages(by_name["blandad.pdf"].id)
    doc = by_name["blandad.pdf"]
    assert pages[0].text == truth[0].text  # its own text layer, not read again
    assert [p["page"] for p in doc.ocr["pages"]] == [2, 3]
    accuracy = {n: word_accuracy(pages[n - 1].text, truth[n - 1].text) for n in (2, 3)}
    print(f"\nOCR word accuracy, 200 dpi soiled and tilted: {accuracy[2]:.1%}; "
          f"300 dpi turned 90°: {accuracy[3]:.1%}")  # fmt: skip
    assert min(accuracy.values()) >= 0.90, accuracy
    soiled, sideways = doc.ocr["pages"]
    assert soiled["confidence"] < sideways["confidence"]
    assert soiled["uncertain"] and not sideways["uncertain"]
    assert "ocr-osäker" in doc.flags
    assert store.original(doc.id).read_bytes() == mixed.read_bytes()
    assert is_pdfa(store.original(doc.id).with_name("archive.pdf"))
    assert store.stats()["ocr"] == {
        "documents": 1,
        "pages": 2,
        "uncertain_pages": 1,
        "mean_confidence": round((soiled["confidence"] + sideways["confidence"]) / 2, 1),
    }


# -- an archive's stored scan, read later with `diarium ocr` ----------------------------------


@needs_ocr
def test_stored_goteborg_scan_becomes_searchable_by_words_from_its_pages(
    shared_dir: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "arkiv"
    gbg = next(shared_dir.glob("corpus/goteborg/revision/*hedersrelaterat*.pdf"))
    stored = diarium("--archive", str(archive), "ingest", "--ocr=never", "--json", str(gbg))
    (doc,) = added(stored).values()
    assert doc["flags"] == ["no text layer"]
    before = record(archive, doc["id"])
    result = diarium("--archive", str(archive), "ocr")
    assert result.returncode == 0, result.stderr
    assert f"läst      {doc['id']}" in result.stdout and "6 sidor med OCR" in result.stdout
    after = record(archive, doc["id"])
    assert [p["page"] for p in after["ocr"]["pages"]] == [1, 2, 3, 4, 5, 6]
    assert "no text layer" not in after["flags"]
    assert after["kind"] == "revisionsrapport" and after["municipality"] == "Göteborg"
    assert {k: after[k] for k in ("id", "sha256", "added_at", "size")} == {
        k: before[k] for k in ("id", "sha256", "added_at", "size")
    }
    store = Archive(archive)
    assert store.original(doc["id"]).read_bytes() == gbg.read_bytes()
    assert is_pdfa(store.original(doc["id"]).with_name("archive.pdf"))
    pages = store.pages(doc["id"])
    index = index_of(store)
    for number, word in GOTEBORG_WORDS.items():
        assert word.casefold() in pages[number - 1].text.casefold(), (number, word)
        result = mark_ocr(store, index.search(word))
        (hit,) = [h for h in result.hits if h.id == doc["id"]]
        assert hit.ocr is not None and hit.ocr["confidence"] > 85  # its snippet's page is OCR
    shown = diarium("--archive", str(archive), "search", GOTEBORG_WORDS[3])
    assert "sida 3 (OCR, säkerhet" in shown.stdout, shown.stdout
    text = diarium("--archive", str(archive), "show", doc["id"], "--text").stdout
    assert "--- sida 6 (OCR, säkerhet" in text and "sidor lästa med OCR: 1 (säkerhet" in text
    again = diarium("--archive", str(archive), "ocr")
    assert again.returncode == 0 and "0 lästa" in again.stderr


# -- failures ---------------------------------------------------------------------------------


@needs_ocr
def test_a_page_tesseract_times_out_on_is_flagged_and_the_batch_goes_on(
    shared_dir: Path, tmp_path: Path
) -> None:
    source = next(shared_dir.glob(f"corpus/goteborg/revision/{CORPUS_TEXT_PDF}"))
    page = scan(source, [2], 150, Soil(), tmp_path / "skannad.pdf")
    mixed = join([(source, 1), (page, 1)], tmp_path / "blandad.pdf")
    store = Archive(tmp_path / "arkiv")
    store.root.mkdir()
    (store.root / "settings.yaml").write_text("ocr_timeout: 0.01\n", encoding="utf-8")
    report = store.ingest([mixed, source], jobs=1)
    assert report.failed == [] and len(report.added) == 2
    doc = next(d for d in report.added if d.source == "blandad.pdf")
    (read,) = doc.ocr["pages"]
    assert read["page"] == 2 and read["uncertain"] and "för lång tid" in read["error"]
    assert "ocr-misslyckad" in doc.flags
    assert "Rapportsammandrag" in store.pages(doc.id)[0].text  # the text page is kept


def test_missing_tesseract_is_one_line_and_the_scan_is_stored_flagged(tmp_path: Path) -> None:
    scanned = image_pdf([Image.new("L", (850, 1100), 255)], 100, tmp_path / "skannad.pdf")
    env = os.environ.copy()
    env["PATH"] = str(tmp_path)  # no tesseract, no gs
    archive = str(tmp_path / "arkiv")
    result = diarium("--archive", archive, "ingest", str(scanned), env=env)
    assert result.returncode == 0, result.stderr
    assert "[inget textlager]" in result.stdout
    lines = [line for line in result.stderr.splitlines() if "lästes inte" in line]
    assert len(lines) == 1 and "Tesseract saknas" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    later = diarium("--archive", archive, "ocr", env=env)
    assert later.returncode == 1
    assert later.stderr.strip().splitlines() == ["diarium: Tesseract saknas (apt-get install "
                                                 "tesseract-ocr tesseract-ocr-swe)"]  # fmt: skip

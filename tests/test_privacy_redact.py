"""`diarium redact`: the masked values are gone from the PDF, the rest of each page is there."""

from __future__ import annotations

import random
import re
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pypdfium2
from click.testing import CliRunner, Result

from archive import Archive
from cli.main import cli
from tests.privacy_helpers import FORMS, corpus_paragraphs, identity

REPORT = (
    "goteborg/revision/"
    "Stadsrevisionens_rapportsammandrag_Granskning_av_arbetet_med_trygghet_och_studiero_.pdf"
)
EMAIL = "stadsrevisionen@stadsrevisionen.goteborg.se"
ALSO = "studiero"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def pdftotext(path: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def pdfium_pages(path: Path) -> list[str]:
    pdf = pypdfium2.PdfDocument(path)
    try:
        # pdfium marks a word broken at a line end with U+0002 or U+FFFE in place of the hyphen
        texts = [p.get_textpage().get_text_bounded() for p in pdf]
        return [t.replace("\x02", "").replace("\ufffe", "") for t in texts]
    finally:
        pdf.close()


def squeeze(text: str) -> str:
    """No spacing, no hyphen at a line break, one form of each letter: however laid out."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"-\s+", "", text)
    return re.sub(r"\s+", "", text).casefold()


def words(text: str) -> Counter[str]:
    """The words (runs of letters and digits) of a text, with how often each occurs."""
    text = unicodedata.normalize("NFKC", text)
    return Counter(re.findall(r"\w+", re.sub(r"-\s+", "", text)))


def assert_rest_kept(original: str, redacted: str, masked: list[str]) -> None:
    """Every word of the original page outside the masked values is on the redacted page."""
    rest = unicodedata.normalize("NFKC", original)
    for value in masked:
        pattern = r"(?:-?\s*)".join(re.escape(c) for c in value if not c.isspace())
        rest = re.sub(pattern, " ", rest, flags=re.IGNORECASE)
    missing = words(rest) - words(redacted)
    assert not missing, missing.most_common(10)


def log_entries(log: Path) -> list[tuple[int, str]]:
    rows = re.findall(r"^(\d+)\s+(\S+(?: sidan)?)\s+OSL", log.read_text("utf-8"), re.M)
    return [(int(page), kind) for page, kind in rows]


def test_a_real_pdf(archive_dir: Path, shared_dir: Path, tmp_path: Path) -> None:
    source = shared_dir / "corpus" / REPORT
    assert run("ingest", str(source)).exit_code == 0
    (archive_dir / "settings.yaml").write_text("privacy:\n  mask: [e-post, telefonnummer]\n")
    doc = next(Archive(archive_dir).documents())
    assert run("mark", doc.id, "--sekretess", "OSL 26:1", "--pages", "3").exit_code == 0
    output = tmp_path / "ut" / "utlamnande.pdf"
    result = run("redact", doc.id, "-o", str(output), "--also", ALSO)
    assert result.exit_code == 0, result.output
    log = output.with_name("utlamnande.maskeringslogg.txt")
    assert log.is_file() and str(log) in result.output

    masked = [EMAIL, ALSO]
    redacted_pdfium = pdfium_pages(output)
    assert len(redacted_pdfium) == 4
    expected: list[tuple[int, str]] = []
    for page in range(1, 5):
        before = pdftotext(source, page)
        after = pdftotext(output, page)
        for text in (after, redacted_pdfium[page - 1]):
            assert not any(squeeze(value) in squeeze(text) for value in masked), page
        if page == 3:
            assert squeeze(after) == ""  # the marked page: nothing of it is left
            assert ALSO in squeeze(before)
            expected.append((3, "hela sidan"))
            continue
        assert_rest_kept(before, after, masked)
        assert_rest_kept(before, redacted_pdfium[page - 1], masked)
        flat = squeeze(before)
        expected += [(page, "e-post")] * flat.count(squeeze(EMAIL))
        expected += [(page, "fritext")] * flat.replace(squeeze(EMAIL), "").count(ALSO)
    assert sorted(log_entries(log)) == sorted(expected)
    assert ("e-post" in [k for _, k in expected]) and ("fritext" in [k for _, k in expected])
    text = log.read_text("utf-8")
    assert EMAIL not in text and ALSO not in text.replace("studiero_", "")


def test_a_text_original_is_rendered_and_masked(
    archive_dir: Path, shared_dir: Path, tmp_path: Path
) -> None:
    rng = random.Random(99)
    numbers = [identity(rng, form, coordination=i == 2)[0] for i, form in enumerate(FORMS)]
    paragraphs = corpus_paragraphs(shared_dir, 4)
    body = "\n\n".join(
        [
            "Utredning om ekonomiskt bistånd",
            paragraphs[0],
            "Sökande " + ", ".join(numbers[:3]) + " i ärende SN 2021/0456.",
            paragraphs[1],
            "Medsökande " + " och ".join(numbers[3:]) + ", beslut 2021-03-04.",
        ]
    )
    source = tmp_path / "utredning.txt"
    source.write_text(body, "utf-8")
    assert run("ingest", str(source)).exit_code == 0
    doc = next(Archive(archive_dir).documents())
    output = tmp_path / "kopia.pdf"
    result = run("redact", doc.id, "-o", str(output))
    assert result.exit_code == 0, result.output
    pages = pdfium_pages(output)
    poppler = [pdftotext(output, n) for n in range(1, len(pages) + 1)]
    for text in pages + poppler:
        assert not any(squeeze(n) in squeeze(text) for n in numbers)
        assert not any(re.sub(r"\D", "", n)[-10:] in re.sub(r"\D", "", text) for n in numbers)
    assert_rest_kept(body, "\n".join(poppler), numbers)
    assert_rest_kept(body, "\n".join(pages), numbers)
    kinds = sorted(kind for _, kind in log_entries(output.with_name("kopia.maskeringslogg.txt")))
    assert kinds == sorted(["personnummer"] * 4 + ["samordningsnummer"])


def test_nothing_is_written_for_an_unknown_document(archive_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("Beslut.", "utf-8")
    run("ingest", str(source))
    result = run("redact", "ffff", "-o", str(tmp_path / "x.pdf"))
    assert result.exit_code == 1 and "ffff" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_a_value_is_found_however_it_is_laid_out() -> None:
    from archive.privacy.redact import _pattern

    assert _pattern("Anna Svensson", loose_case=True).fullmatch("anna Svens-\nson")
    assert _pattern("811218-9876", loose_case=False).fullmatch("811218 - 98\n76")
    assert not _pattern("811218-9876", loose_case=False).search("811218-9875")

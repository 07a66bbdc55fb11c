"""One batch full of bad files: each is named with its reason, the good ones go in, exit code 1.

The extractors' own tests check each reason in detail; this checks what a registrar sees when
a folder of old files is taken in through the command line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archive import Archive
from tests.fixtures import docx_to_pdf, soffice, text_to_docx

REPO = Path(__file__).resolve().parents[1]

GOOD_TEXT = """Tjänsteskrivelse

Datum: 2019-03-14
Diarienummer: KS 2019/77

Översyn av försörjningsstödet

Förslag till beslut

Kommunstyrelsen godkänner översynen.
"""


@pytest.fixture(scope="module")
def good_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed; `make system` installs it")
    folder = tmp_path_factory.mktemp("pdf")
    docx = text_to_docx(GOOD_TEXT, folder / "oversyn.docx")
    (pdf,) = docx_to_pdf([docx], folder)
    return pdf


def run_without_override(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run diarium so that a mode-000 file is unreadable, also for root (as in CI).

    Root reads everything through its capabilities; `setpriv` drops the two that override
    file permissions, so the run meets the file as any clerk's account would.
    """
    env = {**os.environ, "DIARIUM_ARCHIVE": str(archive)}
    command = [sys.executable, "-m", "cli", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip(
                "running as root without util-linux's setpriv: cannot make a file unreadable"
            )
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]
    return subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_bad_batch(tmp_path: Path, good_pdf: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    data = good_pdf.read_bytes()
    (batch / "bra.pdf").write_bytes(data)
    (batch / "avklippt.pdf").write_bytes(data[: len(data) // 3])
    (batch / "trasig.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    subprocess.run(
        ["qpdf", "--encrypt", "hemligt", "hemligt", "256", "--", good_pdf, batch / "låst.pdf"],
        check=True,
    )
    subprocess.run(["qpdf", "--empty", batch / "nollsidor.pdf"], check=True)
    (batch / "tom.txt").write_bytes(b"")
    (batch / "egentligen-text.pdf").write_text("Protokoll fört vid sammanträde.\n", "utf-8")
    (batch / "inte-zip.docx").write_text("Det här är ingen Word-fil.\n", "utf-8")
    (batch / "kalkyl.xlsx").write_bytes(b"PK\x03\x04 not really")
    (batch / "gammal.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    (batch / "latin1.txt").write_bytes(GOOD_TEXT.replace("2019/77", "2019/78").encode("cp1252"))
    secret = batch / "hemlig.txt"
    secret.write_text("Sekretess.\n", "utf-8")
    secret.chmod(0)
    archive = tmp_path / "archive"

    result = run_without_override(archive, "ingest", str(batch), "--json")

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    report = json.loads(result.stdout)
    failed = {Path(f["path"]).name: f["error"] for f in report["failed"]}
    assert failed == {
        "avklippt.pdf": "skadad eller avkortad PDF",
        "trasig.pdf": "skadad eller avkortad PDF",
        "låst.pdf": "lösenordsskyddad PDF",
        "nollsidor.pdf": "PDF-filen har inga sidor",
        "tom.txt": "tom fil",
        "egentligen-text.pdf": "ingen PDF: filen är vanlig text",
        "inte-zip.docx": "ingen giltig DOCX (ingen zip-fil)",
        "kalkyl.xlsx": "formatet .xlsx stöds inte: diarium tar emot .docx, .markdown, .md, .pdf, "
        ".text, .txt",
        "gammal.doc": "gamla Word-filer (.doc) tas inte emot: spara som .docx",
        "hemlig.txt": "filen går inte att läsa: åtkomst nekad",
    }
    for name, reason in failed.items():
        assert f"{name}: {reason}" in result.stderr  # one line a person reads, file and reason
    added = {d["source"] for d in report["added"]}
    assert added == {"bra.pdf", "latin1.txt"}

    store = Archive(archive)
    (latin,) = [d for d in store.documents() if d.source == "latin1.txt"]
    assert latin.case_number == "KS 2019/78"
    assert "Översyn av försörjningsstödet" in store.text(latin.id)
    (pdf,) = [d for d in store.documents() if d.source == "bra.pdf"]
    assert pdf.date == "2019-03-14" and pdf.case_number == "KS 2019/77"


def test_scan_without_ocr_is_stored_and_flagged(shared_dir: Path, archive_dir: Path) -> None:
    """With OCR off (or not installed) a scan still goes in, flagged; tests/test_ocr.py reads it."""
    scan = next((shared_dir / "corpus" / "goteborg" / "revision").glob("*hedersrelaterat*.pdf"))
    report = Archive(archive_dir).ingest([scan], ocr="never")
    (doc,) = report.added
    assert doc.flags == ["no text layer"]
    assert doc.pages == 6
    assert Archive(archive_dir).original(doc.id).read_bytes() == scan.read_bytes()


def test_whole_shared_collection_goes_in(shared_dir: Path, archive_dir: Path) -> None:
    """Every seed and corpus document is taken in without a failure, on all cores."""
    documents = [
        p
        for p in sorted(shared_dir.rglob("*"))
        if p.suffix in {".pdf", ".docx", ".txt", ".md"}
        and p.name != "README.md"
        and "lang" not in p.parts
    ]
    assert len(documents) >= 54  # 5 seeds + 49 corpus documents
    # The one scan among them is read by OCR in tests/test_ocr.py; here it would cost minutes.
    report = Archive(archive_dir).ingest(documents, jobs=2, ocr="never")
    assert report.failed == []
    assert len(report.added) == len(documents)

"""DOCX to PDF/A-2b with LibreOffice headless: one start for a whole batch, a private profile each.

LibreOffice refuses a second instance on the same user profile, so every call gets its own profile
in a temporary folder; parallel runs (two terminals, a CI matrix) never meet. Starting LibreOffice
costs seconds and converting a document a fraction of one, so a batch goes to a single process.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from archive.errors import DiariumError
from archive.files import readable_as_new

SOFFICE_ENV = "DIARIUM_SOFFICE"  # a LibreOffice outside PATH, e.g. /opt/libreoffice/program/soffice
# writer_pdf_Export with SelectPdfVersion 2 writes PDF/A-2b (fonts embedded, XMP metadata).
PDFA2_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
STARTUP_SECONDS = 120
SECONDS_PER_DOCUMENT = 30


class LibreOfficeMissing(DiariumError):
    """--pdf was asked for on a machine without LibreOffice."""


class PdfError(DiariumError):
    """LibreOffice ran but did not produce a PDF."""


def find_soffice() -> str:
    """The LibreOffice program, or a message saying how to get it."""
    configured = os.environ.get(SOFFICE_ENV)
    if configured:
        if shutil.which(configured):
            return configured
        raise LibreOfficeMissing(f"${SOFFICE_ENV} är {configured!r}, som inte är något program")
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise LibreOfficeMissing(
        "LibreOffice är inte installerat, och --pdf behöver det: installera det (Debian/Ubuntu: "
        f"apt-get install libreoffice-writer) eller sätt ${SOFFICE_ENV} till dess soffice-program"
    )


def to_pdf(documents: Sequence[Path]) -> list[Path]:
    """Write `X.pdf` (PDF/A-2b) beside every `X.docx`; all of them with one LibreOffice start.

    Each PDF appears under its name only when complete (written aside, then renamed).
    """
    if not documents:
        return []
    program = find_soffice()
    with tempfile.TemporaryDirectory(prefix="diarium-pdf-") as scratch:
        work = Path(scratch)
        inputs = work / "in"
        outputs = work / "out"
        inputs.mkdir()
        # Numbered copies: two documents may share a name in different folders, and
        # LibreOffice names each PDF after its input.
        staged = []
        for number, document in enumerate(documents):
            copy = inputs / f"{number}{document.suffix.lower() or '.docx'}"
            shutil.copyfile(document, copy)
            staged.append(copy)
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            PDFA2_FILTER,
            "--outdir",
            str(outputs),
            *map(str, staged),
        ]
        _run(command, STARTUP_SECONDS + SECONDS_PER_DOCUMENT * len(documents))
        results = []
        for document, copy in zip(documents, staged, strict=True):
            produced = outputs / f"{copy.stem}.pdf"
            if not produced.is_file() or produced.stat().st_size == 0:
                raise PdfError(f"{document}: LibreOffice konverterade den inte till PDF")
            target = document.with_suffix(".pdf")
            handle, name = tempfile.mkstemp(prefix=".diarium-", suffix=".pdf", dir=target.parent)
            os.close(handle)
            try:
                shutil.copyfile(produced, name)
                _keep_keywords(document, Path(name))
                readable_as_new(name)
                os.replace(name, target)
            finally:
                Path(name).unlink(missing_ok=True)
            results.append(target)
        return results


CORE_PROPERTIES = "docProps/core.xml"
KEYWORDS = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords"


def _keep_keywords(docx: Path, pdf: Path) -> None:
    """The PDF's keywords exactly as the DOCX has them ("Alingsås kommun, Socialnämnden").

    LibreOffice splits a document's keywords at every space ("Alingsås, kommun, Socialnämnden");
    pikepdf writes them back into the document information and the XMP metadata together, as
    PDF/A requires the two to agree.
    """
    import pikepdf

    try:
        with zipfile.ZipFile(docx) as package:
            core = etree.fromstring(package.read(CORE_PROPERTIES))
    except (KeyError, OSError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return
    element = core.find(KEYWORDS)
    keywords = (element.text or "").strip() if element is not None else ""
    if not keywords:
        return
    with pikepdf.open(pdf, allow_overwriting_input=True) as document:
        with document.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdf:Keywords"] = keywords
        document.save(pdf)


def _run(command: list[str], timeout: float) -> None:
    # A session of its own, so a hung LibreOffice (soffice and its soffice.bin child) can be
    # stopped as a group without touching any other LibreOffice on the machine.
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise PdfError(f"LibreOffice blev inte klart inom {timeout:.0f} s") from None
    if process.returncode != 0:
        reason = " ".join(err.decode(errors="replace").split())[-300:]
        raise PdfError(f"LibreOffice misslyckades (slutkod {process.returncode}): {reason}")

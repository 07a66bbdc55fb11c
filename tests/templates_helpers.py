"""What the template tests share: example data, reading a DOCX back, editing a template copy."""

from __future__ import annotations

import copy
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from templates.render import load_data
from templates.schema import BUILTIN_DIR, SHARED_FIELDS_FILE, Kind, load_kind_folder

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "templates" / "examples"
SLUGS = (
    "tjansteskrivelse",
    "yttrande",
    "svar-pa-revisionsrapport",
    "verksamhetsuppfoljning",
    "protokollsutdrag",
)

needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)


def example(slug: str) -> dict[str, Any]:
    return load_data(EXAMPLES / f"{slug}.yaml")


def docx_text(path: Path) -> str:
    """Everything a reader sees, read with python-docx (not with the code under test)."""
    doc = Document(str(path))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_footer):
            lines += [p.text for p in part.paragraphs]
    return "\n".join(lines)


def pdf_pages(path: Path) -> list[str]:
    """Each page's text, read with pypdfium2 (not with the archive's extractor)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def docx_bytes_contain(path: Path, needle: str) -> list[str]:
    """The parts of the DOCX package whose raw bytes contain `needle`."""
    with zipfile.ZipFile(path) as package:
        return [n for n in package.namelist() if needle.encode() in package.read(n)]


def kind_copy(tmp_path: Path, slug: str) -> Path:
    """A municipality's own copy of one built-in kind, as `templates init` lays it out."""
    root = tmp_path / "mallar"
    root.mkdir(exist_ok=True)
    shutil.copytree(BUILTIN_DIR / slug, root / slug)
    shutil.copyfile(BUILTIN_DIR / SHARED_FIELDS_FILE, root / SHARED_FIELDS_FILE)
    return root / slug


def edit_template(folder: Path, edit: Any) -> Kind:
    """Open the copy's template.docx in python-docx, let `edit(doc)` change it, save, reload."""
    path = folder / "template.docx"
    doc = Document(str(path))
    edit(doc)
    doc.save(str(path))
    return load_kind_folder(folder)


def paragraph_with(doc: Any, text: str) -> Any:
    for paragraph in doc.paragraphs:
        if text in paragraph.text:
            return paragraph
    raise AssertionError(f"no paragraph with {text!r}")


def add_paragraph_after(paragraph: Any, text: str) -> None:
    new = copy.deepcopy(paragraph._p)
    for run in new.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}r"):
        new.remove(run)
    paragraph._p.addnext(new)
    from docx.text.paragraph import Paragraph

    Paragraph(new, paragraph._parent).add_run(text)

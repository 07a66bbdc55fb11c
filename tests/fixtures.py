"""Word and PDF renderings of document texts, made by the tests themselves.

The seeds are plain text; the archive takes Word and PDF files. These helpers lay a text out the
way a municipal Word template does (headings as Heading styles, tab-separated rows as a table,
letterhead lines in the page header, the postal-address footer in the page footer) and let
LibreOffice print that to PDF, so the same facts can be checked from all three formats.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.text.paragraph import Paragraph

_HEADING = re.compile(r"^(#{1,6})\s*(.+?)\s*$")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_INLINE = re.compile(r"(\*\*.+?\*\*|<b>.+?</b>|(?<!\*)\*[^*\s][^*]*\*(?!\*))")
_TAGS = re.compile(r"</?[a-z]+>")
SOFFICE_TIMEOUT = 240  # seconds; a cold LibreOffice start alone can take 20 s on a slow machine


def text_to_docx(
    text: str,
    path: Path,
    *,
    header_lines: int = 0,
    footer_patterns: Sequence[str] = (),
    title: str | None = None,
) -> Path:
    """Write `text` as a Word document the way a person would have typed it into a template.

    The first `header_lines` non-empty lines go into the page header; lines matching one of
    `footer_patterns` go into the page footer instead of the body.
    """
    document = Document()
    lines = text.replace("\r\n", "\n").split("\n")
    footers = [re.compile(p) for p in footer_patterns]
    header: list[str] = []
    footer: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if len(header) < header_lines:
            header.append(line.strip())
            i += 1
            continue
        if any(p.search(line) for p in footers):
            footer.append(_TAGS.sub("", line.strip()))
            i += 1
            continue
        if "\t" in line:
            rows = []
            while i < len(lines) and "\t" in lines[i]:
                rows.append([_TAGS.sub("", c).strip() for c in lines[i].split("\t")])
                i += 1
            width = max(len(r) for r in rows)
            table = document.add_table(rows=len(rows), cols=width)
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
            continue
        if heading := _HEADING.match(line):
            level = min(len(heading.group(1)), 9)
            paragraph = document.add_heading("", level=level)
            _add_runs(paragraph, heading.group(2))
        elif bullet := _BULLET.match(line):
            _add_runs(document.add_paragraph(style="List Bullet"), bullet.group(1))
        elif numbered := _NUMBERED.match(line):
            _add_runs(document.add_paragraph(style="List Number"), numbered.group(1))
        else:
            _add_runs(document.add_paragraph(), line.strip())
        i += 1
    section = document.sections[0]
    for part, texts in ((section.header, header), (section.footer, footer)):
        for n, line in enumerate(texts):
            # A new header or footer holds one empty paragraph: fill it, then add more.
            if n == 0:
                part.paragraphs[0].text = line
            else:
                part.add_paragraph(line)
    if title:
        document.core_properties.title = title
    document.save(str(path))
    return path


def _add_runs(paragraph: Paragraph, text: str) -> None:
    for piece in _INLINE.split(text):
        if not piece:
            continue
        if piece.startswith("**") and piece.endswith("**"):
            paragraph.add_run(piece[2:-2]).bold = True
        elif piece.startswith("<b>"):
            paragraph.add_run(_TAGS.sub("", piece)).bold = True
        elif piece.startswith("*") and piece.endswith("*") and len(piece) > 2:
            paragraph.add_run(piece[1:-1]).italic = True
        else:
            paragraph.add_run(_TAGS.sub("", piece))


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(paths: Sequence[Path], out_dir: Path) -> list[Path]:
    """Print Word files to PDF with LibreOffice, in one run, with a private profile.

    The private profile keeps the run independent of a user's LibreOffice (and of another
    LibreOffice running at the same time, which would otherwise take the job and exit).
    """
    program = soffice()
    if program is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="diarium-lo-") as profile:
        result = subprocess.run(
            [
                program,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                *map(str, paths),
            ],
            capture_output=True,
            text=True,
            timeout=SOFFICE_TIMEOUT,
            check=False,
        )
    pdfs = [out_dir / f"{p.stem}.pdf" for p in paths]
    missing = [p.name for p in pdfs if not p.is_file()]
    if missing:
        raise RuntimeError(f"LibreOffice made no PDF of {missing}: {result.stderr.strip()}")
    return pdfs

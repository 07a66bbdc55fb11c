"""Word documents: body text with heading levels, tables, and the page header and footer apart.

python-docx opens the package and gives styles, sections and core properties; the text of each
paragraph is read from the XML here, because python-docx's `Paragraph.text` leaves out content
controls, simple fields and text boxes, and municipal Word templates keep exactly the header
fields (Datum, Dnr, Handläggare) in those.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.document import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

from archive import messages as msg
from archive.errors import ExtractionError
from archive.limits import DEFAULT, Limits, refuse
from archive.model import Extraction, Heading, Page, Table

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


P, TBL, TR, TC, SDT, SDT_CONTENT, CUSTOM_XML = (
    _w("p"),
    _w("tbl"),
    _w("tr"),
    _w("tc"),
    _w("sdt"),
    _w("sdtContent"),
    _w("customXml"),
)
TXBX_CONTENT = _w("txbxContent")
FALLBACK = f"{{{_MC}}}Fallback"
_VAL = _w("val")
_TEXT_OF = {_w("tab"): "\t", _w("br"): "\n", _w("cr"): "\n", _w("noBreakHyphen"): "-"}
# Skipped subtrees: deleted revisions, the VML copy of a drawing, text boxes (read on their own),
# and paragraph/run properties, which hold no text.
_SKIP = {_w("del"), _w("moveFrom"), FALLBACK, TXBX_CONTENT, _w("pPr"), _w("rPr")}
# Word's built-in heading styles are stored as "heading N" (shown as "Rubrik N" in Swedish Word);
# some documents carry the localised name itself. "Title"/"Rubrik" is the document title style.
_HEADING_STYLE = re.compile(r"^(?:heading|rubrik)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLE = re.compile(r"^(?:title|rubrik)$", re.IGNORECASE)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def extract_docx(path: Path, limits: Limits = DEFAULT) -> Extraction:
    document = _open(path, limits)
    styles = _StyleLevels(document.styles.element)
    lines: list[str] = []
    tables: list[Table] = []
    headings: list[Heading] = []
    for kind, element in _blocks(document.element.body):
        if kind == "p":
            text = _paragraph_text(element)
            level = styles.level_of(element)
            if level is not None and text.strip():
                headings.append(Heading(level=level, text=" ".join(text.split())))
            lines.append(text)
        else:
            rows = _table_rows(element)
            if any(any(cell for cell in row) for row in rows):
                tables.append(Table(page=1, rows=rows))
            lines.extend("\t".join(cell.replace("\n", " ") for cell in row) for row in rows)
    body = _tidy(lines)
    return Extraction(
        format="docx",
        pages=[Page(number=1, text=body)],
        tables=tables,
        headings=headings,
        header_text=_furniture_text(document, "header"),
        footer_text=_furniture_text(document, "footer"),
        flags=[] if body.strip() else ["no text"],
        properties=_properties(document),
    )


def _check_zip(path: Path, limits: Limits) -> None:
    """Refuse a zip bomb before python-docx unpacks it (a 3 MB file held 1.1 GB of XML).

    The sizes checked are the ones the zip declares; zipfile never hands out more than a part's
    declared size (it stops there and fails the CRC check), so what is read is bounded by them.
    """
    with zipfile.ZipFile(path) as package:
        parts = package.infolist()
    if len(parts) > limits.docx_parts:
        raise refuse(f"DOCX med {len(parts)} delar", "docx_parts", limits.docx_parts)
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.docx_unpacked_mb * 2**20:
        raise refuse(
            f"DOCX som packas upp till {unpacked // 2**20} MB",
            "docx_unpacked_mb",
            limits.docx_unpacked_mb,
            "MB",
        )
    xml = sum(p.file_size for p in parts if p.filename.lower().endswith((".xml", ".rels")))
    if xml > limits.docx_xml_mb * 2**20:
        raise refuse(f"DOCX med {xml // 2**20} MB XML", "docx_xml_mb", limits.docx_xml_mb, "MB")


def _open(path: Path, limits: Limits) -> WordDocument:
    try:
        with path.open("rb") as handle:
            magic = handle.read(8)
    except OSError as exc:
        raise ExtractionError(msg.CANNOT_READ.format(reason=msg.os_error(exc))) from None
    if not zipfile.is_zipfile(path):
        if magic == _OLE_MAGIC:
            raise ExtractionError(
                "ingen giltig DOCX (lösenordsskyddad, eller en gammal .doc-fil omdöpt till .docx)"
            )
        raise ExtractionError("ingen giltig DOCX (ingen zip-fil)")
    try:
        _check_zip(path, limits)
        return docx.Document(str(path))
    except PackageNotFoundError:
        raise ExtractionError("ingen giltig DOCX (inget Word-dokument i zip-filen)") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise ExtractionError(f"ingen giltig DOCX (skadad zip: {exc})") from None
    except OSError as exc:  # zipfile seeks to an offset a damaged directory gives
        raise ExtractionError(f"ingen giltig DOCX (skadad zip: {msg.os_error(exc)})") from None
    except KeyError as exc:  # zipfile: a part the package names is not in the zip
        named = re.search(r"'([^']+)'", str(exc))
        missing = named.group(1) if named else str(exc)
        raise ExtractionError(
            f"ingen giltig DOCX (inget Word-dokument i zip-filen: {missing} saknas)"
        ) from None
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"ingen giltig DOCX (skadad XML: {exc})") from None
    except ValueError as exc:  # python-docx: the main part is not a Word document
        raise ExtractionError(f"ingen giltig DOCX ({exc})") from None


def _blocks(container: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """Paragraphs and tables in reading order, looking through content controls and one-cell
    tables.

    Text boxes anchored in a paragraph follow that paragraph.
    """
    for child in container:
        if child.tag == P:
            yield "p", child
            for box in _text_boxes(child):
                yield from _blocks(box)
        elif child.tag == TBL:
            cells = [c for row in _children(child, TR) for c in _children(row, TC)]
            if len(cells) == 1:
                # A one-cell table is layout (a box, a block kept on one page), not data.
                yield from _blocks(cells[0])
            else:
                yield "tbl", child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _blocks(content)
        elif child.tag == CUSTOM_XML:
            yield from _blocks(child)


def _text_boxes(element: etree._Element) -> Iterator[etree._Element]:
    for child in element:
        if child.tag == TXBX_CONTENT:
            yield child
        elif child.tag != FALLBACK:
            yield from _text_boxes(child)


def _paragraph_text(element: etree._Element) -> str:
    parts: list[str] = []
    _collect(element, parts)
    return "".join(parts)


def _collect(element: etree._Element, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag in _SKIP or not isinstance(tag, str):
            continue
        if tag == _w("t"):
            parts.append(child.text or "")
        elif tag in _TEXT_OF:
            parts.append(_TEXT_OF[tag])
        else:
            _collect(child, parts)


def _table_rows(table: etree._Element) -> list[list[str]]:
    """Rows of cell text; a merged cell appears once, not once per grid column it spans."""
    rows: list[list[str]] = []
    for row in _children(table, TR):
        cells: list[str] = []
        for cell in _children(row, TC):
            lines: list[str] = []
            for kind, element in _blocks(cell):
                if kind == "p":
                    lines.append(_paragraph_text(element))
                else:
                    lines.extend("\t".join(r) for r in _table_rows(element))
            cells.append(_tidy(lines))
        rows.append(cells)
    return rows


def _children(element: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Direct children with that tag, also where Word wrapped them in a content control."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in (SDT, CUSTOM_XML):
            inner = child.find(SDT_CONTENT) if child.tag == SDT else child
            if inner is not None:
                yield from _children(inner, tag)


def _tidy(lines: list[str]) -> str:
    """Join lines, trimming line ends and keeping at most one blank line in a row."""
    out: list[str] = []
    for line in "\n".join(lines).split("\n"):
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


def _furniture_text(document: WordDocument, which: str) -> str:
    """Text of every distinct page header (or footer) of every section, first page and even."""
    seen: list[str] = []
    for section in document.sections:
        for variant in ("", "first_page_", "even_page_"):
            part = getattr(section, f"{variant}{which}")
            # A linked header has no definition of its own; reading it would create one.
            if part.is_linked_to_previous:
                continue
            lines: list[str] = []
            for kind, element in _blocks(part._element):
                if kind == "p":
                    lines.append(_paragraph_text(element))
                else:
                    lines.extend("\t".join(r) for r in _table_rows(element))
            text = _tidy(lines)
            if text and text not in seen:
                seen.append(text)
    return "\n".join(seen)


def _properties(document: WordDocument) -> dict[str, str]:
    core = document.core_properties
    values = {"title": core.title, "subject": core.subject, "author": core.author}
    return {key: value.strip() for key, value in values.items() if value and value.strip()}


class _StyleLevels:
    """Heading level of a paragraph from its style chain or its own outline level."""

    def __init__(self, styles: etree._Element) -> None:
        self._styles: dict[str, tuple[str, int | None, str | None]] = {}
        for style in styles.iter(_w("style")):
            style_id = style.get(_w("styleId"))
            if not style_id:
                continue
            name = style.find(_w("name"))
            based = style.find(_w("basedOn"))
            self._styles[style_id] = (
                name.get(_VAL) if name is not None else style_id,
                _outline(style.find(_w("pPr"))),
                based.get(_VAL) if based is not None else None,
            )

    def level_of(self, paragraph: etree._Element) -> int | None:
        props = paragraph.find(_w("pPr"))
        own = _outline(props)
        if own is not None:
            return own
        style = props.find(_w("pStyle")) if props is not None else None
        style_id = style.get(_VAL) if style is not None else None
        seen: set[str] = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            name, outline, based = self._styles[style_id]
            heading = _HEADING_STYLE.match(name) or _HEADING_STYLE.match(style_id)
            if heading:
                return int(heading.group(1))
            if _TITLE_STYLE.match(name):
                return 1
            if outline is not None:
                return outline
            style_id = based
        return None


def _outline(props: etree._Element | None) -> int | None:
    """Word's outline level is 0-based, 9 meaning body text."""
    if props is None:
        return None
    outline = props.find(_w("outlineLvl"))
    if outline is None:
        return None
    try:
        level = int(outline.get(_VAL, "9"))
    except ValueError:
        return None
    return level + 1 if 0 <= level < 9 else None

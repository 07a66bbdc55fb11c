"""PDF text, page by page, with tables as rows of cells, at bulk-import speed.

Design (a municipality's first import is its whole back catalogue, a million pages):

- pdfium (pypdfium2, C++) reads every page's text. It is ~50x faster than pdfplumber's pure-
  Python parser (pdfminer) and keeps content-stream order, which reads two-column pages column
  by column where pdfplumber's line sorting interleaves the two columns.
- Tables use pdfplumber's table finder (the "lines" strategy: ruling lines and cell borders
  meeting in a grid), but fed with ruling lines read by pdfium from the page's path objects, and
  cells filled with pdfium's text in each cell box. So pdfplumber's layout analysis runs on
  exactly the pages that have lines, and costs geometry only: parsing a page with pdfminer is
  what makes pdfplumber cost ~100 ms a page; finding a table in a few hundred edges costs ~1 ms.
- Every pdfium page and text page is closed as soon as it is read, so memory stays flat however
  long the document is.

Hyphenation and page furniture are handled by the format-independent modules beside this one.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber.table import Table as PlumberTable
from pdfplumber.table import (
    TableSettings,
    cells_to_tables,
    edges_to_intersections,
    intersections_to_cells,
    merge_edges,
)
from pdfplumber.utils import filter_edges

from archive import messages as msg
from archive.errors import DiariumError, ExtractionError
from archive.extract.cleaning import clean
from archive.extract.hyphenation import join_hyphenated
from archive.extract.ocr import (
    ARCHIVE_COPY,
    FAILED,
    OcrSettings,
    OcrUnavailable,
    run_ocr,
    text_is_usable,
    tidy,
)
from archive.limits import DEFAULT, Limits, refuse
from archive.model import Extraction, Page, Table

NO_TEXT_LAYER = "no text layer"

_TABLES = TableSettings.resolve(None)
# Only a page with less text than this is asked whether it is drawn (a scan with a stamp on it,
# text drawn as outlines): a page with more text is read by its text layer whatever it shows.
_LITTLE_TEXT = 200
# Running headers and footers sit in the top and bottom tenth of the page (A4: 84 pt, 3 cm);
# Word's default page margin is 2.5 cm, and body text starts at or below it.
MARGIN = 0.1
# Control characters pdfium passes through from odd fonts; line breaks, tabs and its hyphen
# marker are kept (the marker is resolved by join_hyphenated).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\uffff]")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_PROPERTIES = {"Title": "title", "Author": "author", "Subject": "subject", "Keywords": "keywords"}

# How much of each end of a file is read to tell why pdfium refused it: the trailer (with any
# /Encrypt) is at the end, or at the start of a linearized file.
_SNIFF = 16384
_EMPTY_PAGE_TREE = re.compile(rb"/Count\s+0(?![\d.])")

# A path of at most this many segments is read from its bounds: a line (move, line) or a
# rectangle (move, three lines and a close, or "re"); longer paths are decoded segment by segment.
_SIMPLE_PATH = 5
_THIN = 2.0  # points: a box thinner than this is a rule, not a rectangle
# Tables are ruled with lines and rectangles. A page with more longer paths than this is vector
# artwork (a map, a chart, text drawn as outlines: the corpus scan has 3,000 a page), whose
# decoding would cost half a second a page for nothing.
_MAX_DRAWN = 300

Matrix = tuple[float, float, float, float, float, float]
Edge = dict[str, float | str]


@dataclass
class PdfPage:
    """One page as pdfium reads it: hyphenation resolved, page furniture still in."""

    number: int
    text: str
    margins: tuple[str, str]  # the text in the top and bottom margin bands
    tables: list[list[list[str]]]
    drawn: bool = False  # an image or much drawing on it (asked only of pages with little text)


def extract_pdf(
    path: Path,
    *,
    footer_patterns: Sequence[str] = (),
    ocr: OcrSettings | None = None,
    limits: Limits = DEFAULT,
) -> Extraction:
    """A PDF read and cleaned: what `archive.extract.extract` gives for a .pdf."""
    return clean(read_extraction(path, ocr=ocr, limits=limits), footer_patterns=footer_patterns)


def read_extraction(
    path: Path, *, ocr: OcrSettings | None = None, limits: Limits = DEFAULT
) -> Extraction:
    """Pages (1-based numbers kept), tables, the margin bands' text and flags of one PDF.

    `ocr`: how pages without a usable text layer are read (None: not at all); `limits`: pages
    and characters a page may have (archive.limits). The cleaning step
    (archive/extract/cleaning.py) then removes running headers and footers, keeping them once
    each in header_text/footer_text: a protocol's page header carries its board and meeting
    date."""
    read, properties = read_pdf(path, limits)
    flags: list[str] = []
    files: dict[str, bytes] = {}
    ocr_record = None
    wanted = pages_to_ocr(read, ocr)
    if wanted and ocr is not None:
        try:
            run = run_ocr(path, wanted, ocr)
        except OcrUnavailable:
            pass  # the scan is stored as before; ingest says once what is missing
        except DiariumError as exc:
            flags.append(FAILED)
            ocr_record = {"error": str(exc), "pages": []}
        else:
            copy = _read_document(pdfium.PdfDocument(run.copy), limits)
            for number in wanted:
                page = copy[number - 1]
                page.text = tidy(page.text)
                page.margins = (tidy(page.margins[0]), tidy(page.margins[1]))
                read[number - 1] = page
            flags += run.flags
            files[ARCHIVE_COPY] = run.copy
            ocr_record = run.record()
    pages = [Page(page.number, page.text) for page in read]
    if not any(page.text for page in pages):
        return Extraction(
            format="pdf",
            pages=pages,
            flags=[NO_TEXT_LAYER, *flags],
            properties=properties,
            ocr=ocr_record,
            files=files,
        )
    return Extraction(
        format="pdf",
        pages=pages,
        tables=[Table(page.number, rows) for page in read for rows in page.tables],
        flags=flags,
        properties=properties,
        ocr=ocr_record,
        files=files,
        margins=[page.margins for page in read],
    )


def pages_to_ocr(read: Sequence[PdfPage], ocr: OcrSettings | None) -> list[int]:
    """The pages OCR must read: every page with `always`, those without usable text with `auto`."""
    if ocr is None or ocr.mode == "never":
        return []
    if ocr.mode == "always":
        return [page.number for page in read]
    return [p.number for p in read if not text_is_usable(p.text, drawn=p.drawn)]


def read_pdf(path: Path, limits: Limits = DEFAULT) -> tuple[list[PdfPage], dict[str, str]]:
    """Every page, and the file's own title/author/subject/keywords."""
    pdf = _open(path)
    try:
        if len(pdf) == 0:
            raise ExtractionError("PDF-filen har inga sidor")
        if len(pdf) > limits.pdf_pages:
            raise refuse(f"PDF med {len(pdf)} sidor", "pdf_pages", limits.pdf_pages)
        pages = _read_document(pdf, limits, close=False)
        properties = {
            _PROPERTIES[k]: v.strip()
            for k, v in pdf.get_metadata_dict(skip_empty=True).items()
            if k in _PROPERTIES and v.strip()
        }
    finally:
        pdf.close()
    return pages, properties


def _read_document(
    pdf: pdfium.PdfDocument, limits: Limits = DEFAULT, *, close: bool = True
) -> list[PdfPage]:
    try:
        return [_read_page(pdf, index, limits) for index in range(len(pdf))]
    finally:
        if close:
            pdf.close()


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        with path.open("rb") as file:
            head = file.read(_SNIFF)
            file.seek(max(0, file.seek(0, 2) - _SNIFF))
            tail = file.read()
    except OSError as exc:
        raise ExtractionError(msg.CANNOT_READ.format(reason=msg.os_error(exc))) from exc
    if not head:
        raise ExtractionError("tom fil")
    if b"%PDF-" not in head[:1024]:
        raise ExtractionError(f"ingen PDF: {_what_it_is(head[:1024])}")
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        # pdfium's error code is the last one it set, possibly for an earlier file (it sets
        # none for an empty page tree), so the file's own trailer decides.
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD and b"/Encrypt" in head + tail:
            raise ExtractionError("lösenordsskyddad PDF") from exc
        if _EMPTY_PAGE_TREE.search(head + tail):
            raise ExtractionError("PDF-filen har inga sidor") from exc
        raise ExtractionError("skadad eller avkortad PDF") from exc


def _what_it_is(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "filen är ett zip-arkiv (en Word- eller OpenDocument-fil?)"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "filen är ett gammalt Office-dokument"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut in the middle of a UTF-8 sequence at the end of the sample is still text.
        if exc.start < len(head) - 3:
            return "filen börjar inte med %PDF"
    return "filen är vanlig text"


def _read_page(pdf: pdfium.PdfDocument, index: int, limits: Limits) -> PdfPage:
    try:
        page = pdf[index]
    except pdfium.PdfiumError as exc:
        raise ExtractionError(f"skadad PDF: sidan {index + 1} går inte att läsa") from exc
    try:
        try:
            textpage = page.get_textpage()
        except pdfium.PdfiumError as exc:
            raise ExtractionError(f"skadad PDF: sidan {index + 1} går inte att läsa") from exc
        try:
            chars = textpage.count_chars()
            if chars > limits.pdf_page_chars:
                raise refuse(
                    f"sidan {index + 1} har {chars} tecken",
                    "pdf_page_chars",
                    limits.pdf_page_chars,
                )
            text = _clean(textpage.get_text_range())
            drawn = len(text) < _LITTLE_TEXT and _drawn(page)
            if not text:
                return PdfPage(index + 1, "", ("", ""), [], drawn=drawn)
            left, bottom, right, top = page.get_bbox()
            band = MARGIN * (top - bottom)
            margins = (
                _clean(textpage.get_text_bounded(left, top - band, right, top)),
                _clean(textpage.get_text_bounded(left, bottom, right, bottom + band)),
            )
            tables = _find_tables(page, textpage)
        finally:
            textpage.close()
    finally:
        page.close()
    return PdfPage(
        index + 1,
        join_hyphenated(text),
        (join_hyphenated(margins[0]), join_hyphenated(margins[1])),
        tables,
        drawn,
    )


def _drawn(page: pdfium.PdfPage) -> bool:
    """An image on the page, or so many paths that they are text drawn as outlines."""
    paths = 0
    for obj in page.get_objects():
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            return True
        if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            paths += 1
            if paths > _MAX_DRAWN:
                return True
    return False


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return _TRAILING_SPACE.sub("\n", text).strip()


def _find_tables(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> list[list[list[str]]]:
    """pdfplumber's "lines" table finder on pdfium's ruling lines; rows of cell texts."""
    try:
        edges = list(_edges(page))
    except _Drawing:
        return []
    if len(edges) < 4:  # a grid needs two lines each way
        return []
    edges = filter_edges(edges, min_length=_TABLES.edge_min_length_prefilter)
    edges = merge_edges(
        edges,
        snap_x_tolerance=_TABLES.snap_x_tolerance,
        snap_y_tolerance=_TABLES.snap_y_tolerance,
        join_x_tolerance=_TABLES.join_x_tolerance,
        join_y_tolerance=_TABLES.join_y_tolerance,
    )
    edges = filter_edges(edges, min_length=_TABLES.edge_min_length)
    across = sum(1 for e in edges if e["orientation"] == "h")
    # Two cells need three lines one way and two the other; a lone box or rule is no table.
    if min(across, len(edges) - across) < 2 or max(across, len(edges) - across) < 3:
        return []
    intersections = edges_to_intersections(
        edges, _TABLES.intersection_x_tolerance, _TABLES.intersection_y_tolerance
    )
    found = cells_to_tables(intersections_to_cells(intersections))
    if not found:
        return []
    chars = _Chars(textpage)
    tables = []
    for cells in found:
        table = PlumberTable(None, cells)  # type: ignore[arg-type]  # only its geometry is used
        in_table = chars.within(table.bbox, chars.all)
        rows = []
        for row in table.rows:
            in_row = chars.within(row.bbox, in_table)
            rows.append([chars.text(chars.within(c, in_row)) if c else "" for c in row.cells])
        if any(any(row) for row in rows):
            tables.append(rows)
    return tables


class _Chars:
    """The page's characters with their centres, to fill cells the way pdfplumber does: a
    character belongs to the cell its centre is in. (pdfium's own `get_text_bounded` takes
    every character that touches the box, which pulls stray letters in from the next cell.)"""

    def __init__(self, textpage: pdfium.PdfTextPage) -> None:
        self.page_text = textpage.get_text_range()
        count = textpage.count_chars()
        self.all: list[tuple[int, float, float]] = []
        if len(self.page_text) != count:  # characters outside the BMP: indexes would not match
            return
        for i in range(count):
            if not self.page_text[i].isspace():
                left, bottom, right, top = textpage.get_charbox(i, loose=True)
                self.all.append((i, (left + right) / 2, -(bottom + top) / 2))

    @staticmethod
    def within(
        box: tuple[float, float, float, float], chars: list[tuple[int, float, float]]
    ) -> list[tuple[int, float, float]]:
        x0, top, x1, bottom = box
        return [c for c in chars if x0 <= c[1] < x1 and top <= c[2] < bottom]

    def text(self, chars: list[tuple[int, float, float]]) -> str:
        """The characters in text order, a space where pdfium's text had white space between."""
        parts: list[str] = []
        previous = None
        for i, _, _ in chars:
            if previous is not None and i > previous + 1:
                gap = self.page_text[previous + 1 : i]
                if any(ch.isspace() for ch in gap):
                    parts.append(" ")
            parts.append(self.page_text[i])
            previous = i
        return " ".join(join_hyphenated(_clean("".join(parts))).split())


def _edges(page: pdfium.PdfPage) -> Iterator[Edge]:
    """Horizontal and vertical straight segments of the painted paths, in pdfplumber's edge form
    (x0, x1, top, bottom with top = -y, so sorting top-down works without the page height)."""
    yield from _container_edges(page.raw, None, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), [_MAX_DRAWN])


class _Drawing(Exception):
    """The page is a drawing (a map, vector artwork, outlined text), not a ruled table."""


def _container_edges(
    page_raw: object, form: object | None, outer: Matrix, budget: list[int]
) -> Iterator[Edge]:
    """`budget` counts down the curved or many-sided paths still worth decoding on the page."""
    if form is None:
        count = pdfium_c.FPDFPage_CountObjects(page_raw)
    else:
        count = pdfium_c.FPDFFormObj_CountObjects(form)
    matrix = pdfium_c.FS_MATRIX()
    for i in range(count):
        obj = (
            pdfium_c.FPDFPage_GetObject(page_raw, i)
            if form is None
            else pdfium_c.FPDFFormObj_GetObject(form, i)
        )
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind not in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM):
            continue
        if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(matrix)):
            continue
        own = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
        combined = _multiply(own, outer)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            yield from _container_edges(page_raw, obj, combined, budget)
        elif not _painted(obj):
            continue
        elif pdfium_c.FPDFPath_CountSegments(obj) <= _SIMPLE_PATH:
            yield from _box_edges(obj, outer)
        else:
            budget[0] -= 1
            if budget[0] < 0:
                raise _Drawing
            yield from _path_edges(obj, combined)


def _box_edges(path: object, outer: Matrix) -> Iterator[Edge]:
    """A line or a rectangle (what table rules and cell borders are drawn with) from its bounds,
    one pdfium call instead of a dozen: a thin box is one rule, any other box has four sides."""
    bounds = [ctypes.c_float() for _ in range(4)]
    if not pdfium_c.FPDFPageObj_GetBounds(path, *(ctypes.byref(b) for b in bounds)):
        return
    left, bottom, right, top = (b.value for b in bounds)
    corners = [_apply(outer, x, y) for x in (left, right) for y in (bottom, top)]
    xs = sorted(x for x, _ in corners)
    ys = sorted(y for _, y in corners)
    x0, x1, y0, y1 = xs[0], xs[-1], ys[0], ys[-1]
    if y1 - y0 < _THIN <= x1 - x0:
        yield from _segment_edge((x0, (y0 + y1) / 2), (x1, (y0 + y1) / 2))
    elif x1 - x0 < _THIN <= y1 - y0:
        yield from _segment_edge(((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1))
    elif x1 - x0 >= _THIN:
        for p, q in (((x0, y0), (x1, y0)), ((x0, y1), (x1, y1))):
            yield from _segment_edge(p, q)
        for p, q in (((x0, y0), (x0, y1)), ((x1, y0), (x1, y1))):
            yield from _segment_edge(p, q)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n, in PDF's row-vector convention."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _painted(path: object) -> bool:
    """A path neither filled nor stroked only clips; pdfminer (so pdfplumber) ignores those."""
    fill = ctypes.c_int()
    stroke = ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(path, ctypes.byref(fill), ctypes.byref(stroke)):
        return False
    return bool(stroke.value) or fill.value != pdfium_c.FPDF_FILLMODE_NONE


def _path_edges(path: object, m: Matrix) -> Iterator[Edge]:
    x = ctypes.c_float()
    y = ctypes.c_float()
    start: tuple[float, float] | None = None
    current: tuple[float, float] | None = None
    for i in range(pdfium_c.FPDFPath_CountSegments(path)):
        segment = pdfium_c.FPDFPath_GetPathSegment(path, i)
        pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y))
        point = (
            m[0] * x.value + m[2] * y.value + m[4],
            m[1] * x.value + m[3] * y.value + m[5],
        )
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or current is None:
            start = point
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            yield from _segment_edge(current, point)
        current = point
        if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
            yield from _segment_edge(current, start)
            current = start


def _segment_edge(p: tuple[float, float], q: tuple[float, float]) -> Iterator[Edge]:
    (x0, y0), (x1, y1) = p, q
    if abs(y0 - y1) < 0.01 and abs(x0 - x1) >= 0.01:
        top = -y0
        yield {
            "object_type": "line",
            "orientation": "h",
            "x0": min(x0, x1),
            "x1": max(x0, x1),
            "top": top,
            "bottom": top,
            "width": abs(x1 - x0),
            "height": 0.0,
        }
    elif abs(x0 - x1) < 0.01 and abs(y0 - y1) >= 0.01:
        yield {
            "object_type": "line",
            "orientation": "v",
            "x0": x0,
            "x1": x0,
            "top": -max(y0, y1),
            "bottom": -min(y0, y1),
            "width": 0.0,
            "height": abs(y1 - y0),
        }

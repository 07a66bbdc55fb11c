"""Plain text and Markdown, the form many older reports survive in after some conversion.

Such files come from many converters (pdftotext, Word "save as text", scripts that turn PDFs
into Markdown), so they are read leniently: the encoding is detected, form feeds that pdftotext
puts between pages become page breaks again, inline HTML left behind by a converter is dropped,
and rows of tab-separated cells become tables. Markdown headings, emphasis, links and tables are
read by a small line scanner rather than a Markdown library: the input is converted-document
Markdown (headings without the space after `#`, tab tables, stray `<b>`), which a CommonMark
parser would either reject or turn into HTML, and the archive needs plain lines, not HTML.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import yaml

from archive import messages as msg
from archive.errors import ExtractionError
from archive.model import Extraction, Heading, Page, Table
from archive.safeyaml import safe_load

# Inline HTML a converter leaves in text ("<b>Totalt</b>"); a real report never means these
# literally, so they are removed from plain text as well as from Markdown.
_HTML_TAG = re.compile(
    r"</?(?:b|i|u|s|em|strong|span|font|p|div|sup|sub|small|mark|br|center)\b[^>\n]*>",
    re.IGNORECASE,
)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?!#)\s*(.*?)\s*#*\s*$")
_SETEXT_RULE = re.compile(r"^ {0,3}(=+|-+)\s*$")
_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_PIPE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_UNDERSCORE_EMPHASIS = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_CODE = re.compile(r"`([^`\n]+)`")
_MARKUP_CHAR = re.compile(r"[<*_\[`\\]")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")


def extract_text(path: Path) -> Extraction:
    """Read a .txt (format "txt") or .md/.markdown (format "md") file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractionError(msg.CANNOT_READ.format(reason=msg.os_error(exc))) from None
    if not data:
        raise ExtractionError("tom fil")
    text, encoding = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ExtractionError("tom fil (bara blanktecken)")
    markdown = path.suffix.lower() in (".md", ".markdown")
    properties: dict[str, str] = {}
    if encoding != "utf-8":
        properties["encoding"] = encoding
    if markdown:
        text, front = _front_matter(text)
        properties.update(front)
        # "<!-- sida 12 -->": a converter's note, never part of the document's text.
        text = _HTML_COMMENT.sub("", text)
    pages: list[Page] = []
    tables: list[Table] = []
    headings: list[Heading] = []
    # pdftotext ends every page with a form feed; the last one closes the final page.
    chunks = text.split("\f")
    if len(chunks) > 1 and not chunks[-1].strip():
        chunks.pop()
    for number, chunk in enumerate(chunks, start=1):
        if markdown:
            body, page_tables, page_headings = _read_markdown(chunk, number)
            headings.extend(page_headings)
        else:
            body, page_tables = _read_plain(chunk, number)
        tables.extend(page_tables)
        pages.append(Page(number=number, text=body))
    flags = [] if any(p.text.strip() for p in pages) else ["no text"]
    return Extraction(
        format="md" if markdown else "txt",
        pages=pages,
        tables=tables,
        headings=headings,
        flags=flags,
        properties=properties,
    )


def decode(data: bytes) -> tuple[str, str]:
    """Bytes to text and the encoding used: UTF-8/16 when marked or valid, else Windows-1252.

    Older Swedish files are mostly Windows-1252 ("ANSI"); the few bytes cp1252 leaves undefined
    are read as Latin-1 so that such a file still goes in rather than failing outright.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8) :], "utf-8"), "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16"), "utf-16"
    if b"\x00" in data:
        raise ExtractionError("ingen textfil (binärt innehåll)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ExtractionError(f"ogiltig {encoding.upper()}-text: {exc.reason}") from None


def _front_matter(text: str) -> tuple[str, dict[str, str]]:
    """YAML front matter (`---` ... `---`) is the file's own properties, not body text."""
    match = re.match(r"---[ \t]*\n(.*?)\n---[ \t]*(?:\n|$)", text, re.DOTALL)
    if not match:
        return text, {}
    try:
        values = safe_load(match.group(1))
    except yaml.YAMLError:
        return text, {}
    if not isinstance(values, dict):
        return text, {}
    properties = {
        str(key): str(value).strip()
        for key, value in values.items()
        if isinstance(value, str | int | float) and str(value).strip()
    }
    return text[match.end() :], properties


def strip_inline(line: str) -> str:
    """Markdown inline markup and stray HTML off a line, so the indexed text reads as prose."""
    if not _MARKUP_CHAR.search(line):
        return line  # most lines: no markup at all, and this runs on every line of an import
    line = _HTML_TAG.sub("", line)
    line = _IMAGE.sub(r"\1", line)
    line = _LINK.sub(r"\1", line)
    line = _CODE.sub(r"\1", line)
    line = _STRONG.sub(r"\2", line)
    line = _EMPHASIS.sub(r"\1", line)
    line = _UNDERSCORE_EMPHASIS.sub(r"\1", line)
    return _ESCAPE.sub(r"\1", line)


def _tab_cells(line: str) -> list[str] | None:
    if "\t" not in line:
        return None
    cells = [c.strip() for c in line.split("\t")]
    return cells if sum(1 for c in cells if c) >= 2 else None


def _pipe_cells(line: str) -> list[str] | None:
    stripped = line.strip()
    if "|" not in stripped:
        return None
    stripped = stripped.removeprefix("|").removesuffix("|")
    return [c.strip() for c in stripped.split("|")]


def _read_plain(chunk: str, page: int) -> tuple[str, list[Table]]:
    lines = [_HTML_TAG.sub("", line).rstrip() for line in chunk.split("\n")]
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        rows: list[list[str]] = []
        j = i
        while j < len(lines) and (cells := _tab_cells(lines[j])) is not None:
            rows.append(cells)
            j += 1
        if len(rows) >= 2:
            tables.append(Table(page=page, rows=rows))
        i = max(j, i + 1)
    return "\n".join(lines).strip("\n"), tables


def _read_markdown(chunk: str, page: int) -> tuple[str, list[Table], list[Heading]]:
    raw = chunk.split("\n")
    out: list[str] = []
    tables: list[Table] = []
    headings: list[Heading] = []
    i = 0
    while i < len(raw):
        line = raw[i]
        # A pipe table: header row, separator row, body rows.
        if i + 1 < len(raw) and "|" in line and _PIPE_SEPARATOR.match(raw[i + 1]):
            rows = [[strip_inline(c) for c in _pipe_cells(line) or []]]
            i += 2
            while i < len(raw) and raw[i].strip() and "|" in raw[i]:
                rows.append([strip_inline(c) for c in _pipe_cells(raw[i]) or []])
                i += 1
            tables.append(Table(page=page, rows=rows))
            out.extend("\t".join(row) for row in rows)
            continue
        if _tab_cells(line) is not None:
            rows = []
            while i < len(raw) and (cells := _tab_cells(raw[i])) is not None:
                rows.append([strip_inline(c) for c in cells])
                i += 1
            if len(rows) >= 2:
                tables.append(Table(page=page, rows=rows))
            out.extend("\t".join(row) for row in rows)
            continue
        atx = _ATX_HEADING.match(line)
        if atx and atx.group(2):
            text = strip_inline(atx.group(2)).strip()
            if text:
                headings.append(Heading(level=len(atx.group(1)), text=text))
                out.append(text)
            i += 1
            continue
        if (
            i + 1 < len(raw)
            and line.strip()
            and not _THEMATIC_BREAK.match(line)
            and (setext := _SETEXT_RULE.match(raw[i + 1]))
            and not re.match(r"^\s*([-*+]|\d+[.)])\s", line)
        ):
            text = strip_inline(line).strip()
            headings.append(Heading(level=1 if setext.group(1)[0] == "=" else 2, text=text))
            out.append(text)
            i += 2
            continue
        if _THEMATIC_BREAK.match(line):
            out.append("")
            i += 1
            continue
        out.append(strip_inline(line).rstrip())
        i += 1
    return "\n".join(out).strip("\n"), tables, headings

"""A copy for release (utlämnande) with the secret parts really gone, and a log of each mask.

How the text is removed, and why this way:

- PyMuPDF does true redaction (add_redact_annot + apply_redactions), but it is AGPL-licensed
  and diarium is MIT: as a dependency it would bind every deployment (the web app serves over
  a network, which is what the AGPL reaches), and as an optional extra the one feature that
  must never fail quietly would depend on what is installed.
- Editing the content streams (with pikepdf) to drop the glyphs of a value keeps vector text,
  but needs a complete interpreter of fonts and encodings (Type0 CMaps, Type3, form
  XObjects, text split into single glyphs or drawn as paths), and whatever it misreads stays
  in the file: the failure is a leak nobody sees.
- So a page with anything to mask is redrawn: rendered to an image by pdfium, the masked
  places painted over with the legal ground printed in each, and the page's other text put
  back as an invisible text layer built only from the characters outside every mask (fpdf2,
  LGPL, with an embedded Unicode font), so the copy is still searchable and copyable.
  Nothing of the old page goes into the new one: no text, no font, no annotation, no
  metadata. Pages without anything to mask are copied as they are, less their annotations
  (a mailto link holds an address). The written copy is then read back with pdfium and
  refused if any masked value can still be extracted from it.

DOCX and text originals are rendered to PDF first (by the caller's `render`, LibreOffice),
then masked the same way.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.errors import DiariumError
from archive.privacy.detect import find
from archive.privacy.masking import SETTING, mask_string, masked_kinds
from archive.privacy.secrecy import describe, secret_pages, who

if TYPE_CHECKING:
    import pdfplumber.page

    from archive.store import Archive

DEFAULT_GROUND = "OSL 26:1"  # social services' secrecy; `privacy: ground:` in settings.yaml
DPI = 150
ALSO = "fritext"
WHOLE_PAGE = "hela sidan"
# A box a little larger than the glyphs, so no antialiased edge of a digit is left to read.
PAD = 1.5
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)

Render = Callable[[Sequence[Path]], list[Path]]
Box = tuple[float, float, float, float]  # x0, top, x1, bottom in points from the top left


class RedactError(DiariumError):
    """No safe copy could be made."""


@dataclass
class Masked:
    """One masked place: what kind of value, on what legal ground, where."""

    page: int
    kind: str
    ground: str
    boxes: list[Box] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "kind": self.kind,
            "ground": self.ground,
            "boxes": [[round(v, 1) for v in box] for box in self.boxes],
            "note": self.note,
        }


@dataclass
class RedactReport:
    output: Path
    log: Path
    masked: list[Masked]
    pages: int
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": str(self.output),
            "log": str(self.log),
            "pages": self.pages,
            "masked": [m.to_dict() for m in self.masked],
            "warnings": self.warnings,
        }


def log_path(output: Path) -> Path:
    return output.with_name(output.stem + ".maskeringslogg.txt")


def redact(
    archive: Archive,
    doc_id: str,
    output: Path,
    *,
    also: Iterable[str] = (),
    ground: str | None = None,
    render: Render | None = None,
) -> RedactReport:
    """Write a masked copy of a stored document to `output` and its log beside it.

    Masked: every value of a kind the archive masks (found in the stored text and in the
    PDF's own text, page headers included), every secret-marked page, every `also` text.
    `ground`: printed where personal data and `also` texts were masked (default: the
    setting `privacy: ground:`, else OSL 26:1). `render(paths)` turns DOCX/text into PDFs.
    """
    import pdfplumber

    doc = archive.get(doc_id)
    settings = archive.settings
    kinds = masked_kinds(settings)
    ground = ground or str((settings.get(SETTING) or {}).get("ground") or DEFAULT_GROUND)
    also = [" ".join(text.split()) for text in also if text.strip()]
    with tempfile.TemporaryDirectory(prefix="diarium-redact-") as scratch:
        source = _as_pdf(archive.original(doc.id), doc.format, Path(scratch), render)
        stored = [p.text for p in archive.pages(doc.id)]
        values = {text[s.start : s.end] for text in stored for s in find(text, kinds)}
        marks = secret_pages(doc.secrecy, doc.pages)
        masked: list[Masked] = []
        warnings: list[str] = []
        with pdfplumber.open(source) as pdf:
            count = len(pdf.pages)
            if doc.format != "pdf" and marks:
                # The stored text of a DOCX or text file is one page: its mark covers them all.
                marks = dict.fromkeys(range(1, count + 1), next(iter(marks.values())))
            plans: dict[int, list[Masked]] = {}
            for number, page in enumerate(pdf.pages, start=1):
                if number in marks:
                    plans[number] = [Masked(number, WHOLE_PAGE, marks[number], note="sekretess")]
                else:
                    plan = _plan_page(page, number, values, kinds, also, ground)
                    if plan:
                        plans[number] = plan
                    if not page.chars and page.images:
                        warnings.append(
                            f"sida {number} är en bild utan textlager: granska den för hand"
                        )
                page.close()
            _write(source, output, plans, pdf)
        unmasked = _still_readable(output, values | set(also))
        if unmasked:
            output.unlink(missing_ok=True)
            raise RedactError(
                f"{output}: maskeringen kunde inte kontrolleras (text finns kvar på sidorna "
                f"{', '.join(map(str, sorted(unmasked)))}); ingen kopia skrevs"
            )
        for plan in plans.values():
            masked += plan
    log = log_path(output)
    _write_log(log, doc, output, masked, warnings, count, kinds)
    return RedactReport(output, log, masked, count, warnings)


def _as_pdf(original: Path, fmt: str, scratch: Path, render: Render | None) -> Path:
    if fmt == "pdf":
        return original
    if render is None:
        raise RedactError(f"{original.name}: en {fmt}-fil måste göras om till PDF först")
    suffix = ".docx" if fmt == "docx" else ".txt"
    copy = scratch / f"original{suffix}"
    shutil.copyfile(original, copy)
    return render([copy])[0]


def _pattern(value: str, *, loose_case: bool) -> re.Pattern[str]:
    """The value as it may be laid out on a page: any spacing between its characters, and a
    word broken over two lines with a hyphen."""
    chars = [re.escape(c) for c in value if not c.isspace()]
    return re.compile(_BREAK.join(chars), re.IGNORECASE if loose_case else 0)


_BREAK = r"(?:[-\u00ad\u2010]?\s+|\s*)"


def _plan_page(
    page: pdfplumber.page.Page,
    number: int,
    values: set[str],
    kinds: frozenset[str],
    also: list[str],
    ground: str,
) -> list[Masked]:
    """Where on this page each value stands; the page's own text (headers too) is searched."""
    own = page.extract_text() or ""
    wanted: list[tuple[str, str, bool]] = [(v, "", False) for v in values]
    wanted += [(own[s.start : s.end], s.kind, False) for s in find(own, kinds)]
    wanted += [(text, ALSO, True) for text in also]
    plan: list[Masked] = []
    seen: set[tuple[int, int]] = set()
    for value, kind, loose in wanted:
        for match in page.search(_pattern(value, loose_case=loose), return_groups=False):
            chars = match["chars"]
            key = (round(chars[0]["x0"]), round(chars[0]["top"]))
            if key in seen:
                continue
            seen.add(key)
            found = kind or next((s.kind for s in find(value)), "personuppgift")
            plan.append(Masked(number, found, ground, _line_boxes(chars)))
    return plan


def _line_boxes(chars: list[dict[str, Any]]) -> list[Box]:
    """One box per line a match runs over (a value may wrap)."""
    lines: dict[int, list[dict[str, Any]]] = {}
    for char in chars:
        lines.setdefault(round(char["bottom"]), []).append(char)
    return [
        (
            min(c["x0"] for c in line) - PAD,
            min(c["top"] for c in line) - PAD,
            max(c["x1"] for c in line) + PAD,
            max(c["bottom"] for c in line) + PAD,
        )
        for line in lines.values()
    ]


def _inside(char: dict[str, Any], boxes: list[Box]) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _write(source: Path, output: Path, plans: dict[int, list[Masked]], pdf: Any) -> None:
    import pikepdf
    import pypdfium2

    rendered = pypdfium2.PdfDocument(source)
    try:
        with pikepdf.open(source) as original, pikepdf.new() as copy:
            for index, page in enumerate(original.pages):
                plan = plans.get(index + 1)
                if plan is None:
                    copy.pages.append(page)
                    kept = copy.pages[-1]
                    for key in ("/Annots", "/Metadata", "/PieceInfo"):
                        if key in kept.obj:
                            del kept.obj[key]
                    continue
                redrawn = _redraw(rendered[index], pdf.pages[index], plan)
                with pikepdf.open(io.BytesIO(redrawn)) as single:
                    copy.pages.append(single.pages[0])
            output.parent.mkdir(parents=True, exist_ok=True)
            temporary = output.with_name(f".{output.name}.tmp")
            copy.save(temporary)
            temporary.replace(output)
    finally:
        rendered.close()


def _redraw(rendered: Any, page: pdfplumber.page.Page, plan: list[Masked]) -> bytes:
    """The page as an image with the masks burnt in, and its kept words as invisible text."""
    from fpdf import FPDF
    from fpdf.enums import TextMode
    from PIL import ImageDraw

    width, height = float(page.width), float(page.height)
    scale = DPI / 72
    image = rendered.render(scale=scale).to_pil().convert("RGB")
    draw = ImageDraw.Draw(image)
    whole = any(m.kind == WHOLE_PAGE for m in plan)
    boxes = [(0.0, 0.0, width, height)] if whole else [b for m in plan for b in m.boxes]
    font_file = _font_file()
    if whole:
        draw.rectangle((0, 0, image.width, image.height), fill="white")
        ground = plan[0].ground
        _label(
            draw,
            font_file,
            f"Sekretess enligt {ground}: sidan utelämnad",
            scale,
            (36.0, height / 2 - 12, width - 36.0, height / 2 + 12),
            fill="black",
        )
    else:
        for masked in plan:
            for box in masked.boxes:
                x0, top, x1, bottom = (v * scale for v in box)
                draw.rectangle((x0, top, x1, bottom), fill="black")
                _label(draw, font_file, masked.ground, scale, box, fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    buffer.seek(0)

    out = FPDF(unit="pt", format=(width, height))
    out.set_auto_page_break(False)
    out.set_margins(0, 0, 0)
    out.add_page()
    out.image(buffer, x=0, y=0, w=width, h=height)
    if not whole:
        out.add_font("text", fname=str(font_file))
        out.text_mode = TextMode.INVISIBLE
        kept = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
        for word in kept.extract_words(keep_blank_chars=False, use_text_flow=True):
            size = max(1.0, float(word["bottom"]) - float(word["top"]))
            out.set_font("text", size=size)
            out.set_stretching(100)
            natural = out.get_string_width(word["text"]) or 1.0
            out.set_stretching(max(10.0, min(1000.0, 100 * (word["x1"] - word["x0"]) / natural)))
            out.text(float(word["x0"]), float(word["bottom"]) - size * 0.2, word["text"])
    return bytes(out.output())


def _label(draw: Any, font_file: Path, text: str, scale: float, box: Box, *, fill: str) -> None:
    """The legal ground written inside a masked place, as large as the box allows."""
    from PIL import ImageFont

    x0, top, x1, bottom = (v * scale for v in box)
    size = max(4, int((bottom - top) * 0.75))
    while size > 4:
        font = ImageFont.truetype(str(font_file), size)
        left, upper, right, lower = draw.textbbox((0, 0), text, font=font)
        if right - left <= (x1 - x0) - 2:
            break
        size -= 1
    font = ImageFont.truetype(str(font_file), size)
    left, upper, right, lower = draw.textbbox((0, 0), text, font=font)
    x = x0 + ((x1 - x0) - (right - left)) / 2 - left
    y = top + ((bottom - top) - (lower - upper)) / 2 - upper
    draw.text((x, y), text, font=font, fill=fill)


def _font_file() -> Path:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "sans:lang=sv"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except OSError:
        found = ""
    if found.endswith((".ttf", ".otf")) and Path(found).is_file():
        return Path(found)
    raise RedactError("inget typsnitt för maskerade sidor hittades (installera fonts-dejavu-core)")


def _squeeze(text: str) -> str:
    """Text with no spacing and no line-break hyphens, to compare values however laid out."""
    text = re.sub(r"[-\u00ad\u2010\ufffe](?=\s)", "", text)
    return re.sub(r"[\s\ufffe\x02]+", "", text).casefold()


def _still_readable(output: Path, values: set[str]) -> set[int]:
    """Pages of the written copy from which pdfium still extracts a masked value."""
    import pypdfium2

    targets = [_squeeze(v) for v in values if _squeeze(v)]
    found: set[int] = set()
    pdf = pypdfium2.PdfDocument(output)
    try:
        for number, page in enumerate(pdf, start=1):
            text = _squeeze(page.get_textpage().get_text_bounded().replace("\ufffe", ""))
            if any(t in text for t in targets):
                found.add(number)
    finally:
        pdf.close()
    return found


def _write_log(
    log: Path,
    doc: Any,
    output: Path,
    masked: list[Masked],
    warnings: list[str],
    pages: int,
    kinds: frozenset[str],
) -> None:
    """What was masked where and why, to attach to the decision; it names no masked value."""
    from archive.store import now_iso

    title = mask_string(doc.title or doc.source, kinds)
    lines = [
        "Maskeringslogg för utlämnande av allmän handling",
        "",
        f"Handling:      {title}",
        f"Diarienummer:  {doc.case_number or '–'}",
        f"Arkivets id:   {doc.id}",
        f"Kopia:         {output.name} ({pages} sidor)",
        f"Framställd:    {now_iso()} av {who()}",
        "",
        f"{'Sida':<6}{'Vad':<20}{'Lagrum':<12}Plats (mm från sidans övre vänstra hörn)",
    ]
    for m in sorted(masked, key=lambda m: (m.page, m.boxes[:1] or [(0, 0, 0, 0)])):
        where = "hela sidan" if m.kind == WHOLE_PAGE else "; ".join(_mm(b) for b in m.boxes)
        lines.append(f"{m.page:<6}{m.kind:<20}{m.ground:<12}{where}")
    on = len({m.page for m in masked})
    lines += ["", f"Summa: {len(masked)} maskeringar på {on} av {pages} sidor."]
    if doc.secrecy:
        lines.append("Sekretessmarkeringar i arkivet:")
        lines += [f"  {describe(mark)}" for mark in doc.secrecy]
    lines += [f"Obs: {w}" for w in warnings]
    log.write_text("\n".join(lines) + "\n", "utf-8")


def _mm(box: Box) -> str:
    x0, top, x1, bottom = (v * 25.4 / 72 for v in box)
    return f"x {x0:.0f}–{x1:.0f}, y {top:.0f}–{bottom:.0f}"

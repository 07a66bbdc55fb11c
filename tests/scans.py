"""Scans made here from PDFs with a known text: rendered by pdftoppm, soiled, wrapped as images.

A scanner's output is an image-only PDF; these are made the same way from documents whose text
is known (the project's generated documents, corpus PDFs with a text layer), so OCR's reading
can be compared word by word with the text the PDF itself carries.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import img2pdf
import numpy as np
import pikepdf
from PIL import Image
from rapidfuzz.distance import Levenshtein

_WORDS = re.compile(r"\w+")


@dataclass
class Soil:
    """What the scanner and the paper did to a page: grain, specks, a tilt, a quarter turn."""

    noise: float = 0.0  # standard deviation of grey-level grain (0-255)
    specks: float = 0.0  # share of pixels turned black or white
    tilt: float = 0.0  # degrees, the page laid slightly askew
    quarter_turn: bool = False  # fed sideways: the page turned 90°
    seed: int = 13


def render(pdf: Path, page: int, dpi: int) -> Image.Image:
    """One page (1-based) as a grey image, by poppler's pdftoppm."""
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "page"
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", str(page), "-l", str(page),
             "-singlefile", str(pdf), str(prefix)],
            check=True,
        )  # fmt: skip
        with Image.open(prefix.with_suffix(".png")) as image:
            return image.convert("L")


def soil(image: Image.Image, how: Soil) -> Image.Image:
    rng = np.random.default_rng(how.seed)
    if how.tilt:
        bicubic = Image.Resampling.BICUBIC
        image = image.rotate(how.tilt, resample=bicubic, expand=True, fillcolor=255)
    pixels = np.asarray(image, dtype=np.float32)
    if how.noise:
        pixels = pixels + rng.normal(0, how.noise, pixels.shape)
    if how.specks:
        chosen = rng.random(pixels.shape)
        pixels[chosen < how.specks / 2] = 0
        pixels[chosen > 1 - how.specks / 2] = 255
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")
    if how.quarter_turn:
        image = image.transpose(Image.Transpose.ROTATE_90)
    return image


def image_pdf(images: list[Image.Image], dpi: int, path: Path) -> Path:
    """An image-only PDF as a scanner writes it: one image a page, no text layer."""
    blobs = []
    for image in images:
        out = io.BytesIO()
        image.save(out, format="PNG", dpi=(dpi, dpi))
        blobs.append(out.getvalue())
    path.write_bytes(img2pdf.convert(blobs))
    return path


def scan(pdf: Path, pages: list[int], dpi: int, how: Soil, path: Path) -> Path:
    return image_pdf([soil(render(pdf, n, dpi), how) for n in pages], dpi, path)


def join(parts: list[tuple[Path, int]], path: Path) -> Path:
    """A PDF of the given (file, 1-based page) pages in order: text pages beside scanned ones."""
    with pikepdf.new() as out:
        opened = {}
        for file, page in parts:
            if file not in opened:
                opened[file] = pikepdf.open(file)
            out.pages.append(opened[file].pages[page - 1])
        out.save(path)
        for pdf in opened.values():
            pdf.close()
    return path


def words(text: str) -> list[str]:
    return _WORDS.findall(text.casefold())


def word_accuracy(read: str, truth: str) -> float:
    """1 - word error rate: the words OCR read against the true text's, by edit distance."""
    expected = words(truth)
    if not expected:
        return 1.0
    return max(0.0, 1 - Levenshtein.distance(words(read), expected) / len(expected))

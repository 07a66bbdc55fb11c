"""Official decision documents from Word templates: the kinds, their data, DOCX and PDF/A.

from templates import find_kind, load_data, render, to_pdf
kind = find_kind("tjänsteskrivelse")
generated = render(kind, load_data(path), Path("ut.docx"))  # or GenerationRefused
to_pdf([generated.docx])  # PDF/A-2b beside it; one LibreOffice start per call
"""

from templates.pdf import LibreOfficeMissing, PdfError, to_pdf
from templates.render import (
    DataError,
    Generated,
    GenerationRefused,
    archive_metadata,
    check_template,
    default_output,
    load_data,
    render,
)
from templates.schema import Field, Kind, SchemaError, UnknownKind, find_kind, load_kinds
from templates.validate import Problem, validate

__all__ = [
    "DataError",
    "Field",
    "Generated",
    "GenerationRefused",
    "Kind",
    "LibreOfficeMissing",
    "PdfError",
    "Problem",
    "SchemaError",
    "UnknownKind",
    "archive_metadata",
    "check_template",
    "default_output",
    "find_kind",
    "load_data",
    "load_kinds",
    "render",
    "to_pdf",
    "validate",
]

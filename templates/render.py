"""Turn a kind's data into a finished DOCX, or refuse and say every reason why.

Order matters: the data is validated and the template's placeholders are checked before rendering;
the rendered document goes to a temporary file beside the target, is scanned for template leftovers
and only then renamed into place, so a refused document never appears under its name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import multiprocessing
import os
import re
import tempfile
import zipfile
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docxtpl import DocxTemplate
from jinja2 import (
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
    meta,
    nodes,
)
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from lxml import etree

from archive import messages as msg
from archive.errors import DiariumError
from archive.files import readable_as_new
from archive.limits import DEFAULT as DEFAULT_LIMITS
from archive.limits import Limits
from archive.metadata.profiles import load as load_profiles
from archive.processes import die_with_parent
from archive.safeyaml import read_text
from archive.written import load_json, load_yaml
from templates.schema import Field, Kind
from templates.validate import WORD_PROMPT, Problem, validate

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Jinja's delimiters: any left in the finished text mean a placeholder was not rendered.
TEMPLATE_MARKERS = ("{{", "}}", "{%", "%}", "{#", "#}")
# Parts of a DOCX whose text a reader sees (body, headers, footers, notes, comments).
TEXT_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml")
APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


class DataError(DiariumError):
    """A data file that cannot be read as YAML or JSON."""


class GenerationRefused(DiariumError):
    """The document was not written; `problems` holds every reason, one line each."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


@dataclass(frozen=True)
class Generated:
    docx: Path
    kind: Kind
    values: dict[str, Any]  # the validated data, as rendered
    metadata: dict[str, Any]  # the archive's keys, for Archive.store_generated

    def fingerprint(self, filed: Path) -> str:
        """What the filed document was made from: kind, template, data and file format.

        Rendering stamps the time into DOCX and PDF, so the same data made twice gives new
        bytes; the archive files a second document with this fingerprint as the first.
        """
        template = self.kind.template
        made_from = {
            "kind": self.kind.kind,
            "template": hashlib.sha256(
                _template_bytes(template, template.stat().st_mtime_ns)
            ).hexdigest(),
            "values": self.values,
            "format": filed.suffix.lower(),
        }
        text = json.dumps(made_from, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def load_data(path: Path) -> dict[str, Any]:
    """A data file: JSON when it ends in .json, YAML otherwise (YAML also reads JSON).

    Every value is read as the text written (`archive.written`): the kind's schema, not YAML,
    says which field is a date, a case number or a telephone number.
    """
    try:
        text = read_text(path)
    except FileNotFoundError:
        raise DataError(f"{path}: filen finns inte") from None
    except OSError as exc:
        raise DataError(f"{path}: går inte att läsa: {msg.os_error(exc)}") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: går inte att läsa: ingen UTF-8-text") from None
    except yaml.YAMLError as exc:  # over the size limit (archive.safeyaml)
        raise DataError(f"{path}: {msg.yaml_error(exc)}") from None
    try:
        data = load_json(text) if path.suffix.lower() == ".json" else load_yaml(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: {msg.json_error(exc)}") from None
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: {msg.yaml_error(exc)}") from None
    if not isinstance(data, dict):
        raise DataError(f"{path}: måste vara en mappning fält: värde")
    return data


class _OutputTooLarge(TemplateError):
    pass


class _BoundedTemplate(Template):
    """Renders piece by piece and stops at the environment's output limit, so a template that
    writes gigabytes fails at the limit instead of filling the memory first."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        limit = getattr(self.environment, "output_limit", None)
        if limit is None:
            return super().render(*args, **kwargs)
        pieces: list[str] = []
        size = 0
        for piece in self.generate(*args, **kwargs):
            size += len(piece)
            if size > limit:
                raise _OutputTooLarge(msg.TEMPLATE_TOO_BIG.format(limit=limit // 2**20))
            pieces.append(piece)
        return "".join(pieces)


class _Sandbox(SandboxedEnvironment):
    """The sandbox, compiling each distinct template source once per process.

    docxtpl hands the same XML to `from_string` on every render and Jinja keeps no cache for
    string templates; compiling is most of a render's time, so a batch would pay it per document.
    """

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=True)
        self._compiled: OrderedDict[str, Template] = OrderedDict()
        self.template_class = _BoundedTemplate
        self.output_limit = DEFAULT_LIMITS.template_output_mb * 2**20

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            template = self._compiled[source] = super().from_string(source)
            if len(self._compiled) > COMPILED_TEMPLATES:
                self._compiled.popitem(last=False)
        return template


COMPILED_TEMPLATES = 256
# Templates render sandboxed: a municipality's template is edited by many hands.
_ENV = _Sandbox()


@lru_cache(maxsize=32)
def _template_bytes(path: Path, mtime_ns: int) -> bytes:
    del mtime_ns  # part of the cache key only: an edited template is read again
    return path.read_bytes()


def _template_source(path: Path, mtime_ns: int) -> str:
    """The Jinja source docxtpl renders: body, headers and footers with Word's run splits mended."""
    template = DocxTemplate(io.BytesIO(_template_bytes(path, mtime_ns)))
    template.init_docx()
    docx = template.docx
    parts = [template.patch_xml(template.xml_to_string(docx.element.body))]
    for rel in docx.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER):
            parts.append(template.patch_xml(template.get_part_xml(rel.target_part)))
    return "\n".join(parts)


@dataclass(frozen=True)
class _Analysis:
    """What a template version needs checked, worked out once per version."""

    unclosed: tuple[Problem, ...]
    variables: frozenset[str]  # top-level names read: fields, not loop variables or globals
    record_fields: tuple[tuple[str, str, str], ...]  # (loop variable, list field, attribute)


@lru_cache(maxsize=32)
def _analyse(path: Path, mtime_ns: int) -> _Analysis:
    """Raises TemplateSyntaxError for a broken tag."""
    unclosed = _unclosed_tags(path)
    if unclosed:
        return _Analysis(unclosed, frozenset(), ())
    ast = _ENV.parse(_template_source(path, mtime_ns))
    variables = frozenset(meta.find_undeclared_variables(ast) - set(_ENV.globals))
    record_fields = []
    for loop in ast.find_all(nodes.For):
        if isinstance(loop.target, nodes.Name) and isinstance(loop.iter, nodes.Name):
            for body in loop.body:
                for access in body.find_all(nodes.Getattr):
                    node = access.node
                    if isinstance(node, nodes.Name) and node.name == loop.target.name:
                        record_fields.append((node.name, loop.iter.name, access.attr))
    return _Analysis((), variables, tuple(dict.fromkeys(record_fields)))


def template_variables(path: Path) -> frozenset[str]:
    """The top-level names a template reads (fields, not loop variables or Jinja's globals)."""
    return _analyse(path, path.stat().st_mtime_ns).variables


def _template_problems(path: Path, kind: Kind, names: frozenset[str] | set[str]) -> list[Problem]:
    """Unclosed tags, placeholders that are no field in `names`, unknown sub-fields of records."""
    analysis = _analyse(path, path.stat().st_mtime_ns)
    if analysis.unclosed:
        return list(analysis.unclosed)
    problems = [
        Problem("template", f"platshållaren {{{{ {name} }}}} är inget fält i {kind.slug}")
        for name in sorted(analysis.variables - set(names))
    ]
    # `{{ h.telefonnr }}` inside `{% for h in handläggare %}` names no sub-field of handläggare.
    for variable, list_field, attribute in analysis.record_fields:
        spec = kind.fields.get(list_field)
        if spec is not None and isinstance(spec.item, dict) and attribute not in spec.item:
            problems.append(
                Problem(
                    "template",
                    f"platshållaren {{{{ {variable}.{attribute} }}}}: "
                    f"{list_field} har inget fält {attribute!r}",
                )
            )
    return problems


def _unclosed_tags(path: Path) -> tuple[Problem, ...]:
    """Placeholders not closed within their paragraph, e.g. `{{ rubrik` typed without `}}`.

    docxtpl's clean-up joins text up to the next `}}` anywhere, so one such typo silently swallows
    the paragraphs in between; every real placeholder opens and closes in one paragraph.
    """
    problems = []
    for part, text in _paragraph_texts(path):
        expected = ""
        for token in re.findall(r"\{\{|\}\}|\{%|%\}|\{#|#\}", text):
            if token[0] == "{" and not expected:
                expected = {"{{": "}}", "{%": "%}", "{#": "#}"}[token]
            elif token == expected:
                expected = ""
            else:
                expected = "!"
                break
        if expected:
            problems.append(Problem(part, f"platshållaren stängs inte: {_excerpt(text)!r}"))
    return tuple(problems)


def check_template(path: Path, kind: Kind) -> list[Problem]:
    """What `diarium templates check` reports: a template that cannot render this kind's data."""
    try:
        problems = _template_problems(path, kind, frozenset(kind.fields))
        used = template_variables(path)
    except TemplateError as exc:
        return _render_problems(exc)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        return [Problem("template", f"inget Word-dokument: {exc}")]
    if any(p.where != "template" for p in problems):  # unclosed tags: nothing else is reliable
        return problems
    problems += [
        Problem("template", f"det obligatoriska fältet {name} visas aldrig")
        for name in kind.required
        if name not in used
    ]
    problems += [
        Problem("template", f"Words platshållartext: {_excerpt(text)!r}")
        for _, text in _paragraph_texts(path)
        if WORD_PROMPT.search(text)
    ]
    return problems


def _context(kind: Kind, values: Mapping[str, Any]) -> dict[str, Any]:
    """Values as docxtpl renders them: a blank line in a text block starts a new paragraph."""
    return {name: _for_template(kind.fields[name], value) for name, value in values.items()}


def _for_template(spec: Field, value: Any) -> Any:
    if spec.type == "textblock":
        # docxtpl turns "\a" into a new paragraph with the placeholder's style, "\n" into a break
        # Lines within a paragraph are wrapped source text (YAML `|`), as in Markdown.
        return "\a".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", value) if p.strip())
    if spec.type == "list" and isinstance(spec.item, dict):
        return [{k: _for_template(spec.item[k], v) for k, v in item.items()} for item in value]
    return value


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield from (line for line in re.split(r"[\n\a]", value) if line)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _paragraph_texts(docx: Path) -> Iterator[tuple[str, str]]:
    with zipfile.ZipFile(docx) as archive:
        for name in archive.namelist():
            if not TEXT_PARTS.fullmatch(name):
                continue
            root = etree.fromstring(archive.read(name))
            for paragraph in root.iter(f"{W}p"):
                yield name, "".join(t.text or "" for t in paragraph.iter(f"{W}t"))


def leftovers(docx: Path, values: Mapping[str, Any] | None = None) -> list[Problem]:
    """Template tags and Word prompts left in a finished document.

    Text that came from the data is taken out before looking for `{{`: a value is only data, so a
    user who writes `{{ 7*7 }}` in a field gets exactly that in the document.
    """
    data = sorted(set(_strings(values or {})), key=len, reverse=True)
    data = [s for s in data if any(m in s for m in TEMPLATE_MARKERS)]
    problems: list[Problem] = []
    for part, text in _paragraph_texts(docx):
        prompt = WORD_PROMPT.search(text)
        if prompt:
            problems.append(Problem(part, f"Words platshållartext finns kvar: {_excerpt(text)!r}"))
        own = text
        for value in data:
            own = own.replace(value, "")
        if any(marker in own for marker in TEMPLATE_MARKERS):
            problems.append(Problem(part, f"malltagg lämnad ofylld: {_excerpt(text)!r}"))
    return problems


def _excerpt(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _set_properties(template: DocxTemplate, kind: Kind, values: Mapping[str, Any]) -> None:
    """Title, author and subject come from the data; nothing of the template's origin survives."""
    props = template.docx.core_properties
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props.title = str(values.get("rubrik") or kind.name)
    props.author = props.last_modified_by = str(values.get("förvaltning") or "")
    props.subject = str(values.get("diarienummer") or "")
    props.category = kind.kind
    props.keywords = ", ".join(v for v in (values.get("kommun"), values.get("nämnd")) if v)
    props.comments = props.content_status = props.identifier = props.version = ""
    props.language = "sv-SE"
    props.created = props.modified = now
    props.revision = 1
    for rel in template.docx.part.package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            app = etree.fromstring(rel.target_part.blob)
            application = app.find(f"{{{APP_NS}}}Application")
            if application is not None:
                application.text = "diarium"
                rel.target_part._blob = etree.tostring(app, xml_declaration=True, standalone=True)


def _render_problems(exc: Exception) -> list[Problem]:
    if isinstance(exc, _OutputTooLarge):
        return [Problem("template", str(exc))]
    if isinstance(exc, UndefinedError):
        return [Problem("template", f"platshållaren är inget fält: {exc.message}")]
    if isinstance(exc, TemplateSyntaxError):
        context = " ".join(" ".join(getattr(exc, "docx_context", [])).split())
        near = f" nära {_excerpt(context)!r}" if context else ""
        return [Problem("template", f"trasig platshållare: {exc.message}{near}")]
    if isinstance(exc, SecurityError):
        return [Problem("template", f"inte tillåtet i en mall: {exc}")]
    return [Problem("template", f"går inte att fylla i: {type(exc).__name__}: {exc}")]


def render(
    kind: Kind,
    data: Mapping[str, Any],
    output: Path,
    *,
    source: str = "",
    municipality_dirs: Sequence[Path] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> Generated:
    """Validate, render, scan and atomically write `output`; raise GenerationRefused otherwise.

    `municipality_dirs`: extra municipality YAML folders (case-number shapes, names);
    `limits`: the time a render may take and the size it may reach (archive.limits).
    """
    source = source or kind.slug
    values, problems = validate(kind, data, municipality_dirs=municipality_dirs)
    try:
        problems += _template_problems(kind.template, kind, frozenset(values))
    except TemplateError as exc:
        problems += _render_problems(exc)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DiariumError(f"{kind.template}: inget Word-dokument: {exc}") from None
    if problems:
        raise GenerationRefused(source, problems)
    template = DocxTemplate(
        io.BytesIO(_template_bytes(kind.template, kind.template.stat().st_mtime_ns))
    )
    template.init_docx()
    # docxtpl renders the core properties as templates too; ours are set from the data after.
    for prop in ("author", "comments", "identifier", "language", "subject", "title"):
        setattr(template.docx.core_properties, prop, "")
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".diarium-", suffix=".docx", dir=output.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        problems = _render_bounded(template, kind, values, temporary, limits)
        if problems:
            raise GenerationRefused(source, problems)
        left = leftovers(temporary, values)
        if left:
            raise GenerationRefused(source, left)
        readable_as_new(temporary)
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)
    metadata = archive_metadata(kind, values, municipality_dirs=municipality_dirs)
    return Generated(docx=output, kind=kind, values=values, metadata=metadata)


def _render_into(
    template: DocxTemplate, kind: Kind, values: Mapping[str, Any], target: Path, limits: Limits
) -> list[Problem]:
    """Render and save to `target`; the problems if the template cannot render."""
    _ENV.output_limit = limits.template_output_mb * 2**20
    try:
        template.render(_context(kind, values), jinja_env=_ENV, autoescape=True)
    except Exception as exc:  # noqa: BLE001 - a template is user content: 1/0, range(10**9), ...
        return _render_problems(exc)
    _set_properties(template, kind, values)
    template.save(target)
    size = target.stat().st_size
    if size > limits.template_output_mb * 2**20:
        return [_too_big(limits)]
    return []


def _too_big(limits: Limits) -> Problem:
    return Problem(
        "template",
        msg.TEMPLATE_TOO_BIG.format(limit=limits.template_output_mb),
    )


def _render_bounded(
    template: DocxTemplate, kind: Kind, values: Mapping[str, Any], target: Path, limits: Limits
) -> list[Problem]:
    """Render in a child process that is killed past `template_seconds`.

    A municipality's own template is edited by many hands, and a loop in a loop over a long
    range renders for ever without calling anything a sandbox could count, so only a process
    of its own can be stopped safely. The child is forked (the template is already read); where
    fork is missing the render runs here, bounded in output only.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return _render_into(template, kind, values, target, limits)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_render_child,
        args=(os.getpid(), send, template, kind, values, target, limits),
        daemon=True,
    )
    child.start()
    send.close()
    try:
        if receive.poll(limits.template_seconds):
            try:
                return receive.recv()
            except EOFError:  # died without an answer: out of memory, killed
                return [Problem("template", msg.TEMPLATE_RENDER_DIED)]
        timeout = msg.TEMPLATE_TIMEOUT.format(seconds=f"{limits.template_seconds:g}")
        return [Problem("template", timeout)]
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()


def _render_child(
    parent: int,
    send: Any,
    template: DocxTemplate,
    kind: Kind,
    values: Mapping[str, Any],
    target: Path,
    limits: Limits,
) -> None:
    die_with_parent(parent)
    try:
        problems = _render_into(template, kind, values, target, limits)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as the template's problem
        problems = [
            Problem(
                "template", msg.TEMPLATE_CANNOT_RENDER.format(error=f"{type(exc).__name__}: {exc}")
            )
        ]
    send.send(problems)
    send.close()


def default_output(kind: Kind, data: Mapping[str, Any], directory: Path) -> Path:
    """`2021-09-16 tjansteskrivelse 2021.004 KUN.docx`, safe on every file system."""
    parts = [str(data.get("datum") or ""), kind.slug, str(data.get("diarienummer") or "")]
    name = " ".join(p for p in parts if p)
    name = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', "-", name).strip(" .-") or kind.slug
    return directory / f"{name}.docx"


def archive_metadata(
    kind: Kind, values: Mapping[str, Any], *, municipality_dirs: Sequence[Path] = ()
) -> dict[str, Any]:
    """The archive's keys for a generated document, taken from the data, never re-read."""
    sections = []
    for name, spec in kind.fields.items():
        value = values.get(name)
        if not value or name in ("rubrik", "kommun", "förvaltning", "nämnd"):
            continue
        if spec.type == "textblock":
            sections.append({"heading": spec.label, "text": value})
        elif spec.type == "list" and spec.item == "text":
            sections.append({"heading": spec.label, "text": "\n".join(value)})
    municipality = values.get("kommun") or None
    if municipality:
        # The archive stores the short name the rules read: "Alingsås kommun" -> "Alingsås".
        municipality = load_profiles(municipality_dirs).canonical(municipality)
    return {
        "kind": kind.kind,
        "title": values.get("rubrik") or None,
        "date": values.get(kind.archive_date) or None,
        "case_number": values.get("diarienummer") or None,
        "municipality": municipality,
        "board": values.get("nämnd") or None,
        "department": values.get("förvaltning") or None,
        "officers": [h["namn"] for h in values.get("handläggare") or [] if h.get("namn")],
        "sections": sections,
    }

"""The pages. Each view is short: read the request, call the library, render a template; the
rules of who sees what are in `web.rights`, searching in `web.searching`."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import shutil
import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST

from archive import DiariumError, Document, NotFound
from archive.overrides import normalise
from indexer import Hit
from indexer.cases import decision as decision_of
from indexer.cases import find_case
from indexer.facets import UNKNOWN
from indexer.query import QueryError
from templates.pdf import to_pdf
from templates.render import GenerationRefused, default_output
from templates.render import render as render_docx
from templates.schema import UnknownKind, find_kind, load_kinds
from web import accounts, audit, config, generating, marking, rights, searching
from web.models import ROLES

EDITABLE = (
    ("kind", "Dokumenttyp"),
    ("title", "Titel"),
    ("date", "Datum (ÅÅÅÅ-MM-DD)"),
    ("case_number", "Diarienummer"),
    ("municipality", "Kommun"),
    ("board", "Nämnd"),
    ("department", "Förvaltning"),
    ("officers", "Handläggare (kommaseparerade)"),
)
LABELS = dict(EDITABLE) | {"date": "Datum", "officers": "Handläggare"}


def account_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "is_registrar": rights.is_registrar(user),
        "is_admin": rights.is_admin(user),
        "role": rights.role_of(user),
    }


def _refuse(request: HttpRequest, what: str) -> HttpResponse:
    audit.record(request.user, "refused", what, request=request)
    return forbidden(request)


def _requires(allowed: Callable[[Any], bool]) -> Callable[[Callable[..., HttpResponse]], Any]:
    """A view only for accounts `allowed` accepts; everyone else gets 403 and a log line."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not allowed(request.user):
                return _refuse(request, request.path)
            return view(request, *args, **kwargs)

        return checked

    return decorate


registrar_only = _requires(rights.is_registrar)
admin_only = _requires(rights.is_admin)


# -- errors ---------------------------------------------------------------------------------


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {
            "title": "Sidan finns inte",
            "text": "Det finns ingen sida eller inget dokument på den adressen.",
        },
        status=404,
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"title": "Åtkomst nekad", "text": "Ditt konto får inte göra detta."},
        status=403,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {
            "title": "Internt fel",
            "text": "Något gick fel i diarium. Försök igen eller kontakta förvaltaren.",
        },
        status=500,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {
            "title": "Formuläret nekades",
            "text": "Formuläret saknade en giltig säkerhetskod (CSRF). Ladda om sidan och "
            "försök igen.",
        },
        status=403,
    )


# -- login ----------------------------------------------------------------------------------


def login_page(request: HttpRequest) -> HttpResponse:
    error = ""
    name = ""
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    if request.method == "POST":
        name = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        if accounts.locked(name):
            error = (
                "Kontot är låst efter för många misslyckade inloggningar. "
                f"Försök igen om {config.LOCKOUT_SECONDS // 60} minuter."
            )
            audit.record(name, "login_failed", name, {"reason": "låst"}, request=request)
        else:
            user = authenticate(request, username=name, password=password)
            if user is None:
                accounts.note_failure(name)
                audit.record(name, "login_failed", name, request=request)
                error = "Fel kontonamn eller lösenord."
            else:
                accounts.clear_failures(name)
                login(request, user)
                audit.record(user, "login", name, request=request)
                return redirect(target)
    return render(
        request,
        "web/login.html",
        {"error": error, "name": name, "next": target},
        status=401 if error else 200,
    )


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    audit.record(request.user, "logout", request.user.username, request=request)
    logout(request)
    return redirect("/logga-in")


# -- search ---------------------------------------------------------------------------------


def _url_pairs(params: searching.SearchParams, **change: Any) -> list[tuple[str, Any]]:
    values: dict[str, Any] = {
        "q": params.q,
        "municipality": list(params.municipality),
        "board": params.board,
        "kind": params.kind,
        "year": params.year,
        "from": params.date_from,
        "to": params.date_to,
        "sort": params.sort if params.sort != "relevance" else "",
        "page": params.page if params.page > 1 else "",
    }
    values.update(change)
    pairs = []
    for key, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            if item not in ("", None):
                pairs.append((key, item))
    return pairs


def _url(params: searching.SearchParams, **change: Any) -> str:
    return "?" + urlencode(_url_pairs(params, **change))


def _choice(kind: str, name: str, key: str, value: str, count: int, checked: bool) -> str:
    """One filter value of the form: its box or button, and a label with its count."""
    shown = html.escape(value)
    return (
        f'<div><input type="{kind}" id="{key}" name="{name}" value="{shown}"'
        f'{" checked" if checked else ""}> <label class="inline" for="{key}">{shown} '
        f'<span class="meta">({count})</span></label></div>'
    )


def _facet_html(
    params: searching.SearchParams, counts: dict[str, dict[str, int]]
) -> dict[str, SafeString]:
    """The filters' values with their counts, as markup made here rather than by template tags:
    a search shows some sixty of them and the tags' cost was most of the page's rendering."""
    # "okänt år" / "okänd kommun" / "okänd nämnd" count documents without a value: nothing to
    # filter by.
    counts = {
        name: {v: n for v, n in values.items() if v not in UNKNOWN.values()}
        for name, values in counts.items()
    }
    chosen = {m.casefold() for m in params.municipality}
    municipalities = [
        _choice("checkbox", "municipality", f"m-{i}", v, n, v.casefold() in chosen)
        for i, (v, n) in enumerate(counts.get("municipality", {}).items(), start=1)
    ]
    if not municipalities:  # the chosen ones, none of them matched
        municipalities = [
            _choice("checkbox", "municipality", f"m0-{i}", m, 0, True)
            for i, m in enumerate(params.municipality, start=1)
        ] or ['<p class="meta">Inga värden.</p>']
    out = {"municipality": mark_safe("".join(municipalities))}
    for name, prefix, value in (("kind", "k", params.kind), ("board", "b", params.board)):
        items = [
            _choice("radio", name, f"{prefix}-{i}", v, n, v.casefold() == value.casefold())
            for i, (v, n) in enumerate(counts.get(name, {}).items(), start=1)
        ]
        if (
            name == "board"
            and value
            and not any(value.casefold() == v.casefold() for v in counts.get(name, {}))
        ):
            # a board typed into the URL that no match has: still shown, chosen, with its 0
            items.append(_choice("radio", name, "b-0", value, 0, True))
        out[name] = mark_safe("".join(items))
    # the search's URL encoded once, each year's link adding its year to it
    rest = urlencode(_url_pairs(params, year="", page=""))
    years = []
    for v, n in counts.get("year", {}).items():
        current = ' aria-current="true"' if v == params.year else ""
        url = html.escape(f"?{rest}&year={quote_plus(v)}" if rest else f"?year={quote_plus(v)}")
        years.append(
            f'<li><a href="{url}"{current}>{html.escape(v)}</a> '
            f'<span class="meta">({n})</span></li>'
        )
    out["year"] = mark_safe("".join(years))
    return out


def _shown(value: Any) -> str:
    """A value as the template's {{ value }} shows it (numbers in Swedish form, escaped)."""
    if isinstance(value, str):  # what localize() would return as it is
        return html.escape(value)
    return conditional_escape(localize(value))


def _hit_item(h: Hit, link_query: str) -> dict[str, Any]:
    """One hit's parts of the result list, made here rather than by template tags: a page shows
    20 of them and the template engine's per-tag cost was most of the page's rendering time.
    `link_query`: what the link to the document adds to its address ("?q=…" or "")."""
    meta = [_shown(h.kind)]
    meta += [f" · {_shown(v)}" for v in (h.municipality, h.board) if v]
    if h.date or h.year:
        meta.append(f" · {_shown(h.date or h.year)}")
    if h.case_number:
        meta.append(
            format_html(
                ' · <a href="/arende/{}">{}</a>', quote(h.case_number, safe=""), h.case_number
            )
        )
    page_note = ""
    if h.page:
        ocr = ""
        if h.ocr:
            confidence = h.ocr.get("confidence")
            ocr = (
                " (OCR"
                + (f", säkerhet {_shown(confidence)}" if confidence is not None else "")
                + (", osäker" if h.ocr.get("uncertain") else "")
                + ")"
            )
        page_note = f'<span class="meta">sida {_shown(h.page)}{ocr}:</span> '
    return {
        "hit": h,
        "title": h.title or h.source or h.id,
        "meta": mark_safe("".join(meta)),
        "page_note": mark_safe(page_note),
        "snippet": marking.snippet_html(h.snippet, h.highlights),
        "url": f"/dokument/{h.id}{link_query}" + (f"#sida-{h.page}" if h.page else ""),
    }


def search_page(request: HttpRequest) -> HttpResponse:
    params = searching.SearchParams.from_query(request.GET)
    year_from, _, year_to = (
        params.year.partition("..") if ".." in params.year else (params.year, "", params.year)
    )
    context: dict[str, Any] = {
        "params": params,
        "year_from": year_from,
        "year_to": year_to,
        "result": None,
        "error": "",
        "facets": _facet_html(params, {}),
    }
    archive = config.archive()
    if params.empty:
        context["nothing_yet"] = next(archive.ids(), None) is None
        return render(request, "web/search.html", context)
    try:
        result = searching.search(request.user, archive, params)
    except (QueryError, DiariumError, ValueError) as exc:
        context["error"] = str(exc)
        return render(request, "web/search.html", context, status=400)
    if not params.empty:
        audit.record(
            request.user,
            "search",
            params.q,
            params.describe() | {"total": result.total},
            request=request,
        )
    first = (params.page - 1) * params.limit + 1
    shown_query = result.corrected or params.q
    link_query = f"?{urlencode({'q': shown_query})}" if shown_query else ""
    pages = max(1, -(-result.total // params.limit))
    context.update(
        result=result,
        hits=[_hit_item(h, link_query) for h in result.hits],
        first=first,
        last=first + len(result.hits) - 1,
        facets=_facet_html(params, result.facets),
        previous_url=_url(params, page=params.page - 1) if params.page > 1 else "",
        next_url=_url(params, page=params.page + 1) if params.page < pages else "",
        pages=pages,
        csv_url="/export.csv" + _url(params, page=""),
        xlsx_url="/export.xlsx" + _url(params, page=""),
        relevance_url=_url(params, sort="", page=""),
        date_url=_url(params, sort="date", page=""),
        nothing_yet=not result.total and next(archive.ids(), None) is None,
    )
    return render(request, "web/search.html", context)


@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    params = searching.SearchParams.from_query(request.GET, limit=searching.EXPORT_LIMIT)
    try:
        result = searching.search(request.user, config.archive(), params, facets=False)
    except (QueryError, DiariumError, ValueError) as exc:
        return render(
            request,
            "web/error.html",
            {"title": "Sökningen gick inte att läsa", "text": str(exc)},
            status=400,
        )
    audit.record(
        request.user,
        "export",
        params.q,
        params.describe() | {"format": fmt, "rows": len(result.hits)},
        request=request,
    )
    header, rows = searching.export_rows(result)
    name = f"diarium-sokning-{dt.date.today().isoformat()}.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
        # With a byte-order mark, Excel reads the file as UTF-8 (å ä ö intact).
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Sökresultat")
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        data = io.BytesIO()
        book.save(data)
        response = HttpResponse(
            data.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- documents ------------------------------------------------------------------------------


def visible_record(request: HttpRequest, doc_id: str) -> tuple[Document, dict[str, Any]]:
    """The document and its raw record, or 404 when there is none or this account may not
    learn that it exists (the same answer for both)."""
    archive = config.archive()
    try:
        doc = archive.get(doc_id)
        record = searching.record_of(archive, doc.id)
    except NotFound:
        raise Http404 from None
    if record is None or not rights.may_see(request.user, record):
        if record is not None:
            audit.record(request.user, "refused", doc.id, request=request)
        raise Http404
    return doc, record


def _provenance(record: dict[str, Any], key: str) -> str:
    source = (record.get("provenance") or {}).get(key) or {}
    if source.get("source") == "hand":
        by = f" av {source['by']}" if source.get("by") else ""
        return f"satt för hand{by}"
    if source.get("source") == "template":
        return "från mallens data"
    if source.get("source") == "rule":
        return f"läst av regeln {source.get('rule', '')}".strip()
    if key in (record.get("manual") or []):
        return "satt för hand"
    return "läst ur dokumentet" if record.get(key) else ""


def document_page(request: HttpRequest, doc_id: str) -> HttpResponse:
    doc, record = visible_record(request, doc_id)
    archive = config.archive()
    user = request.user
    query = request.GET.get("q", "")
    terms = marking.query_terms(query) if query else frozenset()
    hidden = rights.hidden_pages(user, record)
    ocr = {p.get("page"): p for p in (record.get("ocr") or {}).get("pages", [])}
    pages = []
    for page in archive.pages(doc.id):
        if page.number in hidden:
            continue
        text = rights.mask(page.text, rights.masked_spans(user, record, page.number))
        pages.append(
            {
                "number": page.number,
                "html": marking.marked(text, terms),
                "ocr": ocr.get(page.number),
            }
        )
    found = decision_of(doc)
    decision = [found] if found else []
    others = [s for s in doc.sections if s["heading"] != (found or {}).get("heading")]
    fields = [
        {
            "label": label,
            "value": ", ".join(value) if isinstance(value, list) else value,
            "source": _provenance(record, key),
        }
        for key, label in (
            ("kind", "Dokumenttyp"),
            ("title", "Titel"),
            ("date", "Datum"),
            ("case_number", "Diarienummer"),
            ("municipality", "Kommun"),
            ("board", "Nämnd"),
            ("department", "Förvaltning"),
            ("officers", "Handläggare"),
        )
        if (value := getattr(doc, key))
    ]
    cleared = rights.is_cleared(user)
    may_download = cleared or not (hidden or record.get("personal_data"))
    audit.record(user, "view", doc.id, {"title": doc.title or doc.source}, request=request)
    return render(
        request,
        "web/document.html",
        {
            "doc": doc,
            "fields": fields,
            "decision": [_masked_section(user, record, s) for s in decision],
            "sections": [_masked_section(user, record, s) for s in others],
            "pages": pages,
            "query": query,
            "secrecy": record.get("secrecy") if cleared else None,
            "ocr_uncertain": "ocr-osäker" in doc.flags,
            "may_download": may_download,
            "is_pdf": doc.format == "pdf",
        },
    )


def _masked_section(user: Any, record: dict[str, Any], section: dict[str, str]) -> dict:
    """A section's text without the personal data this account sees masked."""
    if rights.is_cleared(user) or not record.get("personal_data"):
        return section
    text = section["text"]
    archive = config.archive()
    pages = {p.number: p.text for p in archive.pages(record["id"])}
    for word in rights.masked_words(user, record, pages):
        text = text.replace(word, rights.MASK * len(word))
    return {**section, "text": text}


def original(request: HttpRequest, doc_id: str) -> HttpResponse:
    doc, record = visible_record(request, doc_id)
    if not rights.is_cleared(request.user) and (
        rights.hidden_pages(request.user, record) or record.get("personal_data")
    ):
        return _refuse(request, f"original {doc.id}")
    path = config.archive().original(doc.id)
    audit.record(request.user, "download", doc.id, {"file": doc.source}, request=request)
    return FileResponse(path.open("rb"), as_attachment=False, filename=doc.source)


@registrar_only
def edit_metadata(request: HttpRequest, doc_id: str) -> HttpResponse:
    doc, _record = visible_record(request, doc_id)
    current = {key: getattr(doc, key) for key, _ in EDITABLE}
    values = {k: ", ".join(v) if isinstance(v, list) else (v or "") for k, v in current.items()}
    errors: dict[str, str] = {}
    if request.method == "POST":
        typed = {key: request.POST.get(key, "").strip() for key, _ in EDITABLE}
        values = typed
        changed: dict[str, Any] = {}
        for key, _ in EDITABLE:
            try:
                value = normalise({key: typed[key]}, origin=LABELS[key])[key]
            except DiariumError as exc:
                errors[key] = str(exc)
                continue
            if (value or None) != (current[key] or None):
                changed[key] = value
        if not errors and changed:
            change_record(request, doc.id, changed)
            messages.success(
                request,
                "Ändringarna är sparade: " + ", ".join(LABELS[k].lower() for k in changed) + ".",
            )
            return redirect(f"/dokument/{doc.id}")
        if not errors:
            messages.info(request, "Inget ändrades.")
            return redirect(f"/dokument/{doc.id}")
    return render(
        request,
        "web/metadata.html",
        {
            "doc": doc,
            "fields": [
                {"key": k, "label": label, "value": values.get(k, ""), "error": errors.get(k, "")}
                for k, label in EDITABLE
            ],
        },
        status=400 if errors else 200,
    )


def change_record(request: HttpRequest, doc_id: str, changed: dict[str, Any]) -> Document:
    """Set values by hand through `Archive.update_record`, recording who set them."""
    archive = config.archive()
    by = request.user.username
    at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")

    def change(record: dict[str, Any]) -> None:
        for key, value in changed.items():
            record[key] = value
            if key == "date":
                record["year"] = int(value[:4]) if value else None
        record["manual"] = sorted(set(record.get("manual") or []) | set(changed))
        provenance = record.setdefault("provenance", {})
        for key in changed:
            provenance[key] = {"source": "hand", "by": by, "at": at}

    doc = archive.update_record(doc_id, change)  # journalled: the index follows
    audit.record(
        request.user, "change", doc.id, {k: str(v) for k, v in changed.items()}, request=request
    )
    return doc


# -- case -----------------------------------------------------------------------------------


def case_page(request: HttpRequest, number: str) -> HttpResponse:
    archive = config.archive()
    user = request.user

    def visible(document: Document) -> bool:
        record = searching.record_of(archive, document.id)
        return record is not None and rights.may_see(user, record)

    try:
        case = find_case(
            archive, number, related=5, visible=visible, index=searching.index(archive)
        )
    except DiariumError as exc:
        return render(
            request, "web/error.html", {"title": "Inget ärende", "text": str(exc)}, status=404
        )
    related = [h for h in (searching.as_seen(user, archive, hit) for hit in case.related) if h]
    audit.record(
        user, "view", f"ärende {number}", {"documents": len(case.documents)}, request=request
    )
    return render(
        request,
        "web/case.html",
        {
            "number": number,
            "documents": [
                {
                    "doc": c.document,
                    "decision": c.decision
                    and _masked_section(
                        user, searching.record_of(archive, c.document.id) or {}, c.decision
                    ),
                }
                for c in case.documents
            ],
            "related": [
                {"hit": h, "snippet": marking.snippet_html(h.snippet, h.highlights)}
                for h in related
            ],
        },
    )


# -- upload ---------------------------------------------------------------------------------


@registrar_only
def upload(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    context: dict[str, Any] = {"report": None, "municipality": ""}
    if request.method == "POST":
        files = request.FILES.getlist("files")
        municipality = request.POST.get("municipality", "").strip() or None
        context["municipality"] = municipality or ""
        if not files:
            context["error"] = "Välj minst en fil att ladda upp."
            return render(request, "web/upload.html", context, status=400)
        archive = config.archive()
        with tempfile.TemporaryDirectory(prefix="diarium-upload-") as scratch:
            # The files side by side, as in a folder given to `ingest`: a sidecar NAME.meta.yaml
            # uploaded with its file applies to it. A second file of the same name goes in a
            # folder of its own, so both go in.
            taken: set[str] = set()
            for number, item in enumerate(files):
                name = Path(item.name).name or "fil"
                folder = Path(scratch) / (str(number) if name in taken else "")
                folder.mkdir(exist_ok=True)
                taken.add(name)
                with (folder / name).open("wb") as fh:
                    for chunk in item.chunks():
                        fh.write(chunk)
            report = archive.ingest([Path(scratch)], municipality=municipality, jobs=1)
        for failure in report.failed:  # the scratch folder means nothing to the person
            failure.path = Path(failure.path).name
        data = report.to_dict()
        audit.record(
            request.user,
            "upload",
            f"{len(files)} filer",
            {
                "added": [d["id"] for d in data["added"]],
                "unchanged": [d["id"] for d in data["unchanged"]],
                "failed": [f["path"] for f in data["failed"]],
            },
            request=request,
        )
        context["report"] = data
    return render(request, "web/upload.html", context)


# -- generate -------------------------------------------------------------------------------


def _templates_dir() -> Path | None:
    return config.archive().setting_path("templates")


@registrar_only
def generate_kinds(request: HttpRequest) -> HttpResponse:
    kinds = load_kinds(_templates_dir())
    return render(request, "web/generate_kinds.html", {"kinds": list(kinds.values())})


@registrar_only
def generate(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        kind = find_kind(slug, _templates_dir())
    except UnknownKind:
        raise Http404 from None
    values: dict[str, Any] = {}
    problems: list[Any] = []
    if request.method == "POST":
        values = generating.parse_form(kind, request.POST)
        action = request.POST.get("action", "docx")
        response = _generate(request, kind, values, action)
        if isinstance(response, HttpResponse):
            return response
        problems = response
    fields, general = generating.form_fields(kind, values, problems)
    return render(
        request,
        "web/generate.html",
        {
            "kind": kind,
            "fields": fields,
            "general": general,
            "problems": problems,
        },
        status=400 if problems else 200,
    )


def _generate(request: HttpRequest, kind: Any, values: dict[str, Any], action: str) -> Any:
    """The document as a download, or filed; the refusals when it cannot be written."""
    archive = config.archive()
    scratch = Path(tempfile.mkdtemp(prefix="diarium-generate-"))
    municipality_dirs = [p] if (p := archive.setting_path("municipalities")) else []
    try:
        target = default_output(kind, values, scratch)
        try:
            generated = render_docx(
                kind, values, target, source=kind.slug, municipality_dirs=municipality_dirs
            )
        except GenerationRefused as exc:
            return exc.problems
        made = generated.docx
        if action in ("pdf", "file-pdf"):
            (made,) = to_pdf([generated.docx])
        if action.startswith("file"):
            document, added = archive.store_generated(
                made, generated.metadata, made_from=generated.fingerprint(made)
            )
            audit.record(
                request.user,
                "file",
                document.id,
                {"kind": kind.kind, "added": added},
                request=request,
            )
            messages.success(
                request,
                ("Dokumentet är arkiverat." if added else "Dokumentet fanns redan i arkivet."),
            )
            return redirect(f"/dokument/{document.id}")
        audit.record(request.user, "generate", kind.kind, {"file": made.name}, request=request)
        data = made.read_bytes()
        response = HttpResponse(
            data,
            content_type=(
                "application/pdf"
                if made.suffix == ".pdf"
                else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            ),
        )
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(made.name)}"
        return response
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _quote(name: str) -> str:
    return quote(name)


# -- accounts and the audit log -------------------------------------------------------------


@admin_only
def accounts_page(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        try:
            accounts.add_user(
                name,
                request.POST.get("role", ""),
                request.POST.get("password", ""),
                clearance=bool(request.POST.get("clearance")),
            )
        except DiariumError as exc:
            error = str(exc)
        else:
            audit.record(
                request.user,
                "account",
                name,
                {"made": True, "role": request.POST.get("role")},
                request=request,
            )
            messages.success(request, f"Kontot {name} är skapat.")
            return redirect("/konton")
    return render(
        request,
        "web/accounts.html",
        {"accounts": accounts.accounts(), "roles": ROLES, "error": error},
        status=400 if error else 200,
    )


@admin_only
@require_POST
def account_page(request: HttpRequest, name: str) -> HttpResponse:
    try:
        accounts.change_user(
            name,
            role=request.POST.get("role") or None,
            clearance=bool(request.POST.get("clearance")),
            active=bool(request.POST.get("active")),
            password=request.POST.get("password") or None,
        )
    except DiariumError as exc:
        messages.error(request, str(exc))
    else:
        audit.record(
            request.user,
            "account",
            name,
            {
                "role": request.POST.get("role"),
                "clearance": bool(request.POST.get("clearance")),
                "active": bool(request.POST.get("active")),
                "password": bool(request.POST.get("password")),
            },
            request=request,
        )
        messages.success(request, f"Kontot {name} är ändrat.")
    return redirect("/konton")


@admin_only
def audit_page(request: HttpRequest) -> HttpResponse:
    account = request.GET.get("account") or None
    action = request.GET.get("action") or None
    items = audit.events(account=account, action=action, limit=500)
    rows = [{"event": e, "label": audit.ACTIONS.get(e.action, e.action)} for e in items]
    return render(
        request,
        "web/audit.html",
        {
            "rows": rows,
            "actions": audit.ACTIONS,
            "account": account or "",
            "action": action or "",
        },
    )


@admin_only
def audit_export(request: HttpRequest) -> HttpResponse:
    items = audit.events(
        account=request.GET.get("account") or None, action=request.GET.get("action") or None
    )
    audit.record(request.user, "export", "granskningslogg", {"rows": len(items)}, request=request)
    response = HttpResponse("\ufeff" + audit.to_csv(items), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="diarium-logg.csv"'
    return response

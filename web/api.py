"""The JSON API for scripts: the same JSON as `diarium search --json` and `diarium show
--json` (the same functions make it), under the same rights as the pages, with a token per
account (`Authorization: Bearer TOKEN`, made by `diarium users token NAME`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from archive import DiariumError, NotFound
from archive.show import show_data
from indexer.query import QueryError
from web import accounts, audit, config, rights, searching


def _json(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, ensure_ascii=False),  # not indented: that takes Python's slow encoder
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _error(status: int, message: str) -> HttpResponse:
    response = _json({"error": message}, status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="diarium"'
    return response


def token_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        user = accounts.user_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            return _error(401, "en giltig API-nyckel krävs: Authorization: Bearer NYCKEL")
        request.user = user
        return view(request, *args, **kwargs)

    return checked


@require_GET
@token_required
def search(request: HttpRequest) -> HttpResponse:
    try:
        limit = min(max(int(request.GET.get("limit") or 10), 1), 1000)
    except ValueError:
        return _error(400, "limit ska vara ett heltal")
    params = searching.SearchParams.from_query(request.GET, limit=limit)
    try:
        result = searching.search(
            request.user, config.archive(), params, facets=bool(request.GET.get("facets"))
        )
    except (QueryError, DiariumError, ValueError) as exc:
        return _error(400, str(exc))
    audit.record(
        request.user, "search", params.q, params.describe() | {"api": True}, request=request
    )
    return _json(result.to_dict())


@require_GET
@token_required
def document(request: HttpRequest, doc_id: str) -> HttpResponse:
    archive = config.archive()
    try:
        full_id = archive.resolve(doc_id)
        record = searching.record_of(archive, full_id)
        if record is None or not rights.may_see(request.user, record):
            raise NotFound(doc_id)
        # Unmasked here: rights.show_data masks it as this account may see it.
        data = show_data(archive, full_id, with_text=bool(request.GET.get("text")), unmasked=True)
    except NotFound:
        return _error(404, f"inget dokument {doc_id!r}")
    audit.record(request.user, "view", full_id, {"api": True}, request=request)
    return _json(rights.show_data(request.user, record, data))

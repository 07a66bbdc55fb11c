"""Every page needs a logged-in account; the API answers for itself (token) with 401."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

OPEN_PATHS = ("/logga-in",)


class LoginRequired:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        path = request.path
        if path in OPEN_PATHS or path.startswith("/api/") or request.user.is_authenticated:
            return self.get_response(request)
        return redirect(f"{settings.LOGIN_URL}?next={request.get_full_path()}")

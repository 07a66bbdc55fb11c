"""Every page needs a logged-in account; the API answers for itself (token) with 401. A session
ends when idle for SESSION_SECONDS, renewed at most once a SESSION_REFRESH_SECONDS."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from web.config import SESSION_REFRESH_SECONDS

OPEN_PATHS = ("/logga-in",)
REFRESHED_KEY = "diarium_refreshed"  # when the session's expiry was last pushed on (epoch s)


class LoginRequired:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        path = request.path
        if path in OPEN_PATHS or path.startswith("/api/") or request.user.is_authenticated:
            return self.get_response(request)
        return redirect(f"{settings.LOGIN_URL}?next={request.get_full_path()}")


class SessionRefresh:
    """Push a session's expiry on (a database write) only when SESSION_REFRESH_SECONDS have
    passed since it was last pushed, instead of on every request: an idle session then ends
    between SESSION_SECONDS - SESSION_REFRESH_SECONDS and SESSION_SECONDS after its last
    request, never later. Sits after SessionMiddleware, which saves a modified session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None:
            return response
        refreshed = session.get(REFRESHED_KEY, 0)  # loads it: an expired one is empty now
        now = int(time.time())
        if not session.is_empty() and (
            session.modified or now - refreshed >= SESSION_REFRESH_SECONDS
        ):
            session[REFRESHED_KEY] = now
        return response

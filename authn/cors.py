"""Which browser origins may call the API (django-cors-headers' `check_request_enabled` hook).

The API reads bearer tokens only, never cookies, and CORS never allows
credentials here: a page on an allowed origin can do no more than a script
holding a token could do from anywhere. API_CORS_ALLOWED_ORIGINS lists the
origins; `*` allows every origin (the default, like the scenario's Node API),
an empty value none (same-origin pages only, such as the PWA).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest


def api_cors_allowed(sender, request: HttpRequest, **kwargs) -> bool:
    if not re.match(settings.API_CORS_URLS_REGEX, request.path_info):
        return False
    allowed = settings.API_CORS_ALLOWED_ORIGINS
    if "*" in allowed:
        return True
    return request.headers.get("origin", "") in allowed

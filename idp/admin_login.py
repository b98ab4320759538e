"""Django's admin sign-in behind the same sign-in limits as /authorize (idp/throttle.py).

The password check itself is throttled by `ThrottledModelBackend`; this form and
view only say so: the throttling message instead of "wrong password", and 429.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

THROTTLED_MESSAGE = "Too many failed sign-in attempts. Wait a few minutes, then try again."


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "idp_throttled", False):
                raise ValidationError(THROTTLED_MESSAGE, code="throttled") from None
            raise


def install() -> None:
    admin.site.login_form = ThrottledAdminAuthenticationForm


def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """The admin site's own login view (with the throttled form, see `install`); 429 while a limit holds."""
    response = admin.site.login(request, extra_context)
    if getattr(request, "idp_throttled", False):
        response.status_code = 429
    return response

"""The token endpoint reads form bodies and, as Auth0's does, JSON bodies."""

from __future__ import annotations

from oauth2_provider.oauth2_backends import OAuthLibCore


class FormOrJSONOAuthLibCore(OAuthLibCore):
    """Form parameters, or the JSON object the view already parsed into `request.idp_json_params`."""

    def extract_body(self, request):
        params = getattr(request, "idp_json_params", None)
        if params is not None:
            return params
        return super().extract_body(request)

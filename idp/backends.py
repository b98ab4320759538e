"""The token endpoint reads form bodies and, as Auth0's does, JSON bodies."""

from __future__ import annotations

from oauth2_provider.oauth2_backends import OAuthLibCore

# Non-secret parameters taken from the query string when the body lacks them. Swagger UI
# appends its additionalQueryStringParams (our `audience`) to the token URL as well.
QUERY_PARAMETERS_ACCEPTED = ("audience",)


class FormOrJSONOAuthLibCore(OAuthLibCore):
    """Form parameters, or the JSON object the view already parsed into `request.idp_json_params`."""

    def _get_escaped_full_path(self, request) -> str:
        # oauthlib refuses any query string at the token endpoint; the accepted
        # parameters are moved into the body below, the rest is ignored.
        return super()._get_escaped_full_path(request).split("?", 1)[0]

    def extract_body(self, request):
        params = getattr(request, "idp_json_params", None)
        params = list(params) if params is not None else list(super().extract_body(request))
        present = {key for key, _ in params}
        for key in QUERY_PARAMETERS_ACCEPTED:
            if key not in present and request.GET.get(key):
                params.append((key, request.GET[key]))
        return params

"""oauthlib's OpenID Connect server, with two of Auth0's rules oauthlib leaves to us.

- Access-token lifetime comes from the API the token is for.
- Refresh tokens only when `offline_access` was granted (oauthlib would issue
  one on every authorization-code exchange).
- Only the grants the issuer serves: oauthlib's server also wires in the password
  grant and the device grant (RFC 8628, which has no device endpoint here); both
  answer `unsupported_grant_type`.
"""

from __future__ import annotations

from oauthlib.openid import Server as OpenIDServer

from idp.tokens import access_token_lifetime

GRANT_TYPES_SERVED = ("authorization_code", "client_credentials", "refresh_token")


def drop_refresh_token_without_offline_access(token: dict, token_handler, request) -> dict:
    if "offline_access" not in (request.scopes or []):
        token.pop("refresh_token", None)
    return token


class Server(OpenIDServer):
    def __init__(self, request_validator, *args, **kwargs) -> None:
        kwargs["token_expires_in"] = access_token_lifetime
        super().__init__(request_validator, *args, **kwargs)
        for grant in (self.auth_grant, self.openid_connect_auth, self.refresh_grant):
            grant.register_token_modifier(drop_refresh_token_without_offline_access)
        self._grant_types = {name: self._grant_types[name] for name in GRANT_TYPES_SERVED}

"""oauthlib's OpenID Connect server, with two of Auth0's rules oauthlib leaves to us.

- Access-token lifetime comes from the API the token is for.
- Refresh tokens only when `offline_access` was granted (oauthlib would issue
  one on every authorization-code exchange).
- PKCE values of RFC 7636's length and alphabet.
- Only the grants the issuer serves: oauthlib's server also wires in the password
  grant and the device grant (RFC 8628, which has no device endpoint here); both
  answer `unsupported_grant_type`.
"""

from __future__ import annotations

import re

from oauthlib.oauth2.rfc6749.errors import InvalidRequestError
from oauthlib.openid import Server as OpenIDServer

from idp.tokens import access_token_lifetime

GRANT_TYPES_SERVED = ("authorization_code", "client_credentials", "refresh_token")
# RFC 7636 4.1 and 4.2: 43 to 128 characters of the unreserved set (an S256 challenge is 43).
PKCE_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def check_code_challenge(request) -> dict:
    challenge = request.code_challenge
    if challenge is not None and not PKCE_VALUE.fullmatch(challenge):
        raise InvalidRequestError(
            description="code_challenge must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_', '~'.",
            request=request,
        )
    return {}


def check_code_verifier(request) -> None:
    verifier = request.code_verifier
    if verifier is not None and not PKCE_VALUE.fullmatch(verifier):
        raise InvalidRequestError(
            description="code_verifier must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_', '~'.",
            request=request,
        )


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
        # The OpenID Connect code grant delegates to the OAuth one; both run these.
        for grant in (self.auth_grant, self.openid_connect_auth.proxy_target):
            grant.custom_validators.post_auth.append(check_code_challenge)
            grant.custom_validators.post_token.append(check_code_verifier)

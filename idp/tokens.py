"""Access tokens: JWTs shaped like Auth0's.

DOT calls `access_token_generator` (OAUTH2_PROVIDER["ACCESS_TOKEN_GENERATOR"])
after oauthlib validated the request; the validator has put the requested API
on `request.idp_api` by then (from `audience`, the authorization code or the
refresh token). Tokens are signed with the tenant's active RSA key, named by
the same `kid` as in JWKS, or with the API's own secret when it uses HS256.
"""

from __future__ import annotations

import json
import time
import uuid

from django.conf import settings
from jwcrypto import jwk, jwt
from jwcrypto.common import base64url_encode

from idp import keys
from idp.models import Api, SigningAlgorithm
from idp.scopes import api_scope_values

# Without an API (no audience) the token is only good for /userinfo.
USERINFO_ONLY_LIFETIME = 600


def access_token_lifetime(request) -> int:
    api: Api | None = getattr(request, "idp_api", None)
    return api.token_lifetime if api is not None else USERINFO_ONLY_LIFETIME


def access_token_claims(request) -> dict:
    api: Api | None = getattr(request, "idp_api", None)
    issuer = settings.TOKEN_ISSUER
    scopes = [scope for scope in (request.scopes or []) if scope]
    client_id = request.client.client_id
    now = int(time.time())

    audiences = [api.identifier] if api is not None else []
    if "openid" in scopes or api is None:
        audiences.append(f"{issuer}userinfo")
    claims: dict = {
        "iss": issuer,
        "aud": audiences[0] if len(audiences) == 1 else audiences,
        "iat": now,
        "exp": now + int(request.expires_in),
        "azp": client_id,
        "scope": " ".join(scopes),
        # A random id per token: two tokens minted in the same second must differ
        # (DOT stores each under a unique checksum).
        "jti": uuid.uuid4().hex,
    }
    if api is not None:
        api_scopes = api_scope_values(api)
        claims["permissions"] = [scope for scope in scopes if scope in api_scopes]
    if request.grant_type == "client_credentials":
        claims["sub"] = f"{client_id}@clients"
        claims["gty"] = "client-credentials"
    else:
        user = request.user
        claims["sub"] = user.sub
        if user.email:
            claims[settings.AUTH0_EMAIL_CLAIM] = user.email
    return claims


def sign(claims: dict, api: Api | None) -> str:
    if api is not None and api.signing_algorithm == SigningAlgorithm.HS256:
        header = {"alg": "HS256", "typ": "JWT"}
        key = jwk.JWK(kty="oct", k=base64url_encode(api.signing_secret.encode()))
    else:
        signing_key = keys.active_key()
        header = {"alg": "RS256", "typ": "JWT", "kid": signing_key.kid}
        key = keys.jwk_for(signing_key)
    token = jwt.JWT(header=json.dumps(header, separators=(",", ":")), claims=json.dumps(claims, separators=(",", ":")))
    token.make_signed_token(key)
    return token.serialize()


def access_token_generator(request) -> str:
    return sign(access_token_claims(request), getattr(request, "idp_api", None))

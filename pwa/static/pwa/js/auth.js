// Sign-in for a public client: OAuth 2.0 Authorization Code + PKCE (S256) with
// state and nonce, against whatever issuer the server configures. Every endpoint
// comes from the issuer's OIDC discovery document, so the same code works with
// the embedded issuer, an Auth0 tenant or any other OIDC provider.
//
// The access token lives in memory only. The refresh token lives in IndexedDB
// and is replaced on every rotation; it renews the access token before expiry
// and once after a 401.
import { clearAll, keys, kv } from "./db.js";

export class AuthError extends Error {}
export class SignInRequired extends Error {}
export class OfflineError extends Error {}

const SIGN_IN_REQUEST = "abc.signin";
const SESSION_ENDED = "Your session has ended. Please sign in again.";
const RENEW_MARGIN_SECONDS = 60;
const CLOCK_SKEW_SECONDS = 120;
const SIGNATURE_ALGORITHMS = {
  RS256: { key: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, verify: { name: "RSASSA-PKCS1-v1_5" } },
  PS256: { key: { name: "RSA-PSS", hash: "SHA-256" }, verify: { name: "RSA-PSS", saltLength: 32 } },
  ES256: { key: { name: "ECDSA", namedCurve: "P-256" }, verify: { name: "ECDSA", hash: "SHA-256" } },
};

let config = null;
let discovery = null;
let access = null; // { token, expiresAt } — never persisted
let session = null; // { issuer, clientId, sub, profile, scope, idToken } — persisted, holds no credential for the API
let renewTimer = 0;
let refreshing = null;
const listeners = new Set();

const utf8 = new TextEncoder();

export function base64url(bytes) {
  let binary = "";
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function base64urlDecode(text) {
  const padded = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
}

const randomToken = (bytes = 32) => base64url(crypto.getRandomValues(new Uint8Array(bytes)));
const sha256 = (text) => crypto.subtle.digest("SHA-256", utf8.encode(text));

export async function init(appConfig) {
  config = appConfig;
  const saved = await kv.get(keys.session);
  if (saved && saved.issuer === config.issuer && saved.clientId === config.client_id) session = saved;
}

/** The signed-in person, or the one whose session ended (see sessionEnded): queued work stays theirs. */
export const currentSession = () => session;
export const isSignedIn = () => session !== null && !session.ended;
/**
 * The issuer refused to renew (expired, revoked): nobody can call the API until a new
 * sign-in, but the app still knows who was here, keeps their queue and says why.
 */
export const sessionEnded = () => session?.ended === true;
export const hasScope = (scope) => session !== null && session.scope.split(" ").includes(scope);
export const grantedScopes = () => (session ? session.scope.split(" ").filter(Boolean) : []);
export const onSessionChange = (listener) => listeners.add(listener);
const notify = () => listeners.forEach((listener) => listener(session));

/** The JSON body of a successful answer; an AuthError naming what failed otherwise. */
async function jsonOf(response, what) {
  if (!response.ok) throw new AuthError(`${what} failed: the identity provider answered ${response.status}.`);
  try {
    return await response.json();
  } catch {
    throw new AuthError(`${what} failed: the identity provider's answer is not JSON.`);
  }
}

async function getDiscovery() {
  if (discovery) return discovery;
  const cacheKey = keys.discovery(config.issuer);
  let response;
  try {
    response = await fetch(`${config.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`, {
      headers: { Accept: "application/json" },
    });
  } catch {
    // Offline: the copy from the last visit is enough to find the token endpoint later.
    discovery = (await kv.get(cacheKey)) ?? null;
    if (!discovery) throw new OfflineError("The identity provider cannot be reached.");
    return discovery;
  }
  const document = await jsonOf(response, `Loading the sign-in settings of ${config.issuer}`);
  if (!document || document.issuer !== config.issuer || !document.authorization_endpoint || !document.token_endpoint) {
    throw new AuthError(`The identity provider at ${config.issuer} has no usable discovery document.`);
  }
  discovery = document;
  await kv.set(cacheKey, document);
  return discovery;
}

/** Leave for the issuer's login page; the answer comes back to /callback. */
export async function signIn(returnTo = "#/week") {
  const endpoints = await getDiscovery();
  const request = {
    verifier: randomToken(32),
    state: randomToken(16),
    nonce: randomToken(16),
    returnTo: returnTo.startsWith("#/") ? returnTo : "#/week",
  };
  sessionStorage.setItem(SIGN_IN_REQUEST, JSON.stringify(request));
  const url = new URL(endpoints.authorization_endpoint);
  const params = {
    response_type: "code",
    client_id: config.client_id,
    redirect_uri: config.redirect_uri,
    scope: config.scope,
    state: request.state,
    nonce: request.nonce,
    code_challenge: base64url(await sha256(request.verifier)),
    code_challenge_method: "S256",
  };
  // Auth0 issues a JWT for the API only when told which API (its "audience").
  if (config.audience) params.audience = config.audience;
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  location.assign(url.href);
}

/** At /callback: check the response against the request, redeem the code. Returns where to go next. */
export async function completeSignIn() {
  const params = new URLSearchParams(location.search);
  const request = JSON.parse(sessionStorage.getItem(SIGN_IN_REQUEST) || "null");
  sessionStorage.removeItem(SIGN_IN_REQUEST);
  const returnTo = request?.returnTo ?? "#/week";
  // The code must not stay in the address bar or the history.
  history.replaceState(null, "", `/${returnTo}`);
  if (params.has("error")) throw new AuthError(params.get("error_description") || params.get("error"));
  if (!request || params.get("state") !== request.state) {
    throw new AuthError("This sign-in answer does not match a sign-in started on this device. Please sign in again.");
  }
  if (params.has("iss") && params.get("iss") !== config.issuer) {
    throw new AuthError("The sign-in answer came from an unexpected issuer.");
  }
  const code = params.get("code");
  if (!code) throw new AuthError("The sign-in answer carries no authorization code.");
  const tokens = await tokenRequest({
    grant_type: "authorization_code",
    code,
    redirect_uri: config.redirect_uri,
    code_verifier: request.verifier,
    client_id: config.client_id,
  });
  if (!tokens.id_token) throw new AuthError("The identity provider returned no ID token.");
  const claims = await validateIdToken(tokens.id_token, { nonce: request.nonce });
  session = null;
  await accept(tokens, claims);
  return returnTo;
}

async function tokenRequest(form) {
  const endpoints = await getDiscovery();
  let response;
  try {
    response = await fetch(endpoints.token_endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams(form),
    });
  } catch {
    throw new OfflineError("The identity provider cannot be reached.");
  }
  if (!response.ok) {
    // RFC 6749 §5.2 error bodies are JSON; a proxy's or a crashed server's page is not.
    const body = await response.json().catch(() => null);
    const reason = body?.error_description || body?.error;
    const error = new AuthError(reason || `The token request failed: the identity provider answered ${response.status}.`);
    error.status = response.status;
    throw error;
  }
  const body = await jsonOf(response, "The token request");
  if (!body || typeof body !== "object" || !body.access_token) throw new AuthError("The identity provider returned no access token.");
  return body;
}

function decodeJson(part) {
  return JSON.parse(new TextDecoder().decode(base64urlDecode(part)));
}

/** OIDC Core 3.1.3.7: signature (keys from the issuer's JWKS), iss, aud/azp, exp, nonce. */
export async function validateIdToken(idToken, { nonce, sub } = {}) {
  const parts = idToken.split(".");
  if (parts.length !== 3) throw new AuthError("The ID token is malformed.");
  let header;
  let claims;
  try {
    header = decodeJson(parts[0]);
    claims = decodeJson(parts[1]);
  } catch {
    throw new AuthError("The ID token is malformed.");
  }
  await verifySignature(header, `${parts[0]}.${parts[1]}`, base64urlDecode(parts[2]));
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const now = Date.now() / 1000;
  const problem =
    claims.iss !== config.issuer ? "it was issued by another issuer"
    : !audiences.includes(config.client_id) ? "it is meant for another application"
    : audiences.length > 1 && claims.azp !== undefined && claims.azp !== config.client_id ? "it was issued to another application"
    : typeof claims.exp !== "number" || claims.exp + CLOCK_SKEW_SECONDS < now ? "it has expired"
    : nonce !== undefined && claims.nonce !== nonce ? "its nonce does not match this sign-in"
    : !claims.sub || (sub !== undefined && claims.sub !== sub) ? "it names another user"
    : null;
  if (problem) throw new AuthError(`The ID token was refused: ${problem}.`);
  return claims;
}

async function verifySignature(header, signed, signature) {
  const algorithm = SIGNATURE_ALGORITHMS[header.alg];
  if (!algorithm) throw new AuthError(`ID tokens signed with ${header.alg} are not accepted.`);
  const endpoints = await getDiscovery();
  if (!endpoints.jwks_uri) throw new AuthError("The identity provider publishes no keys (no jwks_uri).");
  let response;
  try {
    response = await fetch(endpoints.jwks_uri, { headers: { Accept: "application/json" } });
  } catch {
    throw new OfflineError("The identity provider cannot be reached.");
  }
  const jwks = await jsonOf(response, "Loading the identity provider's keys");
  const published = Array.isArray(jwks?.keys) ? jwks.keys : [];
  const candidates = published.filter((key) => key.use !== "enc" && (header.kid === undefined || key.kid === header.kid));
  const jwk = candidates.find((key) => key.kty === (header.alg.startsWith("ES") ? "EC" : "RSA"));
  if (!jwk) throw new AuthError("The ID token is signed with a key the issuer does not publish.");
  const publicKey =
    jwk.kty === "RSA" ? { kty: "RSA", n: jwk.n, e: jwk.e, ext: true } : { kty: "EC", crv: jwk.crv, x: jwk.x, y: jwk.y, ext: true };
  const key = await crypto.subtle.importKey("jwk", publicKey, algorithm.key, false, ["verify"]);
  if (!(await crypto.subtle.verify(algorithm.verify, key, signature, utf8.encode(signed)))) {
    throw new AuthError("The ID token's signature is invalid.");
  }
}

function profileOf(claims) {
  const { name = "", nickname = "", email = "", picture = "" } = claims;
  return { name: name || nickname || email, email, picture };
}

async function accept(tokens, claims) {
  const lifetime = Number(tokens.expires_in) > 0 ? Number(tokens.expires_in) : 300;
  // Renew a minute before expiry (or after three quarters of a short lifetime).
  const renewIn = Math.max(lifetime - RENEW_MARGIN_SECONDS, lifetime * 0.75);
  access = { token: tokens.access_token, renewAt: Date.now() + renewIn * 1000 };
  session = {
    issuer: config.issuer,
    clientId: config.client_id,
    sub: claims ? claims.sub : session.sub,
    profile: claims ? profileOf(claims) : session.profile,
    idToken: tokens.id_token ?? session?.idToken ?? "",
    // RFC 6749 §5.1: no `scope` in the answer means the requested ones were granted.
    scope: tokens.scope ?? session?.scope ?? config.scope,
  };
  // Rotation: each answer may carry a new refresh token; the old one is now spent.
  if (tokens.refresh_token) await kv.set(keys.refreshToken, tokens.refresh_token);
  await kv.set(keys.session, session);
  clearTimeout(renewTimer);
  renewTimer = setTimeout(() => refresh().catch(() => {}), renewIn * 1000);
  notify();
}

/** A valid access token: the one in memory, or a renewed one. */
export async function accessToken() {
  if (sessionEnded()) throw new SignInRequired(SESSION_ENDED);
  // Timers sleep in background tabs: the time is checked here too, not only by the timer.
  if (access && Date.now() < access.renewAt) return access.token;
  return refresh();
}

/** Renew with the refresh token. One renewal at a time, across tabs too (a rotated token works once). */
export function refresh() {
  refreshing ??= (navigator.locks ? navigator.locks.request("abc-timesheets-refresh", renew) : renew()).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function renew() {
  const refreshToken = await kv.get(keys.refreshToken);
  if (!session) throw new SignInRequired("Please sign in.");
  if (session.ended) throw new SignInRequired(SESSION_ENDED);
  if (!refreshToken) {
    await endSession();
    throw new SignInRequired(SESSION_ENDED);
  }
  let tokens;
  try {
    tokens = await tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: config.client_id });
  } catch (error) {
    if (error instanceof AuthError && error.status >= 400 && error.status < 500) {
      // Expired, revoked or reused: only a new sign-in helps.
      await endSession();
      throw new SignInRequired(SESSION_ENDED);
    }
    throw error;
  }
  const claims = tokens.id_token ? await validateIdToken(tokens.id_token, { sub: session.sub }) : null;
  await accept(tokens, claims);
  return access.token;
}

/** No more credentials; the session record stays, marked ended, until someone signs in. */
async function endSession() {
  clearTimeout(renewTimer);
  access = null;
  session = { ...session, ended: true, idToken: "" };
  await kv.delete(keys.refreshToken);
  await kv.set(keys.session, session);
  notify();
}

/** Forget everything on this device, then end the session at the issuer. */
export async function signOut() {
  const endpoints = discovery ?? (await kv.get(keys.discovery(config.issuer)));
  const idToken = session?.idToken;
  const refreshToken = await kv.get(keys.refreshToken);
  clearTimeout(renewTimer);
  access = null;
  session = null;
  sessionStorage.removeItem(SIGN_IN_REQUEST);
  await clearAll();
  if (refreshToken && endpoints?.revocation_endpoint) {
    await fetch(endpoints.revocation_endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: refreshToken, token_type_hint: "refresh_token", client_id: config.client_id }),
      signal: AbortSignal.timeout(3000),
    }).catch(() => {});
  }
  if (!endpoints?.end_session_endpoint) {
    location.assign(config.post_logout_redirect_uri);
    return;
  }
  const url = new URL(endpoints.end_session_endpoint);
  if (idToken) url.searchParams.set("id_token_hint", idToken);
  url.searchParams.set("client_id", config.client_id);
  url.searchParams.set("post_logout_redirect_uri", config.post_logout_redirect_uri);
  location.assign(url.href);
}

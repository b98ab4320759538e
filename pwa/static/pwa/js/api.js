// The Timesheets API client: bearer token from auth.js, one renewal and retry
// after a 401, errors as exceptions that carry the server's field messages.
import { OfflineError, SignInRequired, accessToken, refresh } from "./auth.js";
import { isIsoDay, parseDay } from "./dates.js";

const FIELD_LABELS = { date: "Date", project: "Project", hours: "Hours", notes: "Notes", non_field_errors: "" };

/** A calendar day as the app writes it: "Sun 13 Dec 2026". */
export const appDay = (text) =>
  isIsoDay(text) ? parseDay(text).toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric" }) : text;

/** The server's words made readable: ISO dates in the app's own format, a sentence's full stop. */
export const plain = (text) =>
  String(text ?? "")
    .trim()
    .replace(/\b\d{4}-\d{2}-\d{2}\b/g, appDay)
    .replace(/([^.!?])$/, "$1.");

export class ApiError extends Error {
  constructor(status, body) {
    super(plain(body?.error_description || body?.detail || `The server answered ${status}.`));
    this.status = status;
    this.code = body?.error ?? "";
    this.fields = body?.fields ?? {};
    /** A 412's entry as the server has it now. */
    this.current = body?.current ?? null;
  }

  /**
   * What went wrong in sentences a person reads: each field's messages after the
   * field's name ("Hours: at most 24 …"), never "Invalid input: hours.".
   */
  get sentence() {
    const parts = Object.entries(this.fields).flatMap(([name, messages]) =>
      [messages].flat().map((message) => {
        const label = FIELD_LABELS[name] ?? name.replace(/_/g, " ");
        return label ? `${label}: ${plain(message)}` : plain(message);
      }),
    );
    return parts.length ? parts.join(" ") : this.message;
  }

  /** The server refused this request as such: sending it again will not help. */
  get isRejection() {
    return this.status >= 400 && this.status < 500 && ![401, 408, 429].includes(this.status);
  }
}

let base = "/api";
export const setApiBase = (value) => {
  base = value;
};

async function send(method, path, body, token, signal, headers) {
  try {
    return await fetch(`${base}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    // Cancelled because the person left the screen: not a connection problem.
    if (signal?.aborted) throw error;
    throw new OfflineError("No connection to the server.");
  }
}

/**
 * One API call. `signal` cancels it (screens pass their view's signal for loads, never for writes);
 * `headers` adds request headers (If-Match).
 */
export async function api(method, path, body, { signal, headers = {} } = {}) {
  let response = await send(method, path, body, await accessToken(), signal, headers);
  if (response.status === 401) {
    // The token may have expired early (clock, revocation): renew once and retry.
    response = await send(method, path, body, await refresh(), signal, headers);
    if (response.status === 401) throw new SignInRequired("Please sign in again.");
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** Every page of a cursor-paginated list. */
export async function listAll(path, { signal } = {}) {
  const results = [];
  let next = path;
  while (next) {
    const page = await api("GET", next, undefined, { signal });
    results.push(...page.results);
    const url = page.next ? new URL(page.next, location.origin) : null;
    next = url && url.pathname.startsWith(base) ? url.pathname.slice(base.length) + url.search : null;
  }
  return results;
}

// The app's settings from /pwa/config.json, loaded once at start-up: sign-in
// settings, the entry limits the server enforces and the words for each scope.
// Nothing here is a copy of a server rule: the server sends its own values.
export const config = {};

export async function loadConfig(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`The app's settings could not be loaded (${response.status}).`);
  const loaded = await response.json();
  // A settings file from an older deploy (a phone's cache) lacks what the screens need.
  if (!loaded.limits || !loaded.scope_labels) throw new Error("The app's settings are out of date. Open the app once with a connection.");
  Object.assign(config, loaded);
  return config;
}

/** The entry limits: { max_hours_per_day, hours_step, max_notes_length, max_comment_length }. */
export const limits = () => config.limits;

/** What a granted scope lets the app do, in words; "" for scopes the server does not describe. */
export const scopeLabel = (scope) => config.scope_labels?.[scope] ?? "";

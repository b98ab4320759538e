// Start-up and navigation. Routes live in the URL fragment so the shell is one
// cached page: #/week[/YYYY-MM-DD], #/entry/new[?repeat=ID], #/entry/ID, #/queued/UUID, #/conflict/UUID,
// #/approvals, #/profile, #/timer/start.
import * as auth from "./auth.js";
import { setApiBase } from "./api.js";
import { loadConfig } from "./config.js";
import { sessionEndedScreen, signInScreen } from "./screens/signin.js";
import { weekScreen } from "./screens/week.js";
import { onQueueChange, replay } from "./sync.js";
import { onTimerChange } from "./timer.js";
import { StaleView, beginView, focusHeading, h } from "./ui.js";

const APPROVE = "approve:timesheets";
// Screens opened now and then load when first opened (the service worker has them for offline), so the
// shell's first load stays within its budget.
const later = (load, name) => async (args) => (await load())[name](args);
// The entry form and its project picker too: the week is the first screen, the form the first tap.
const loadEntry = () => import("./screens/entry.js");
const newEntryScreen = later(loadEntry, "newEntryScreen");
const editEntryScreen = later(loadEntry, "editEntryScreen");
const queuedEntryScreen = later(loadEntry, "queuedEntryScreen");
const approvalsScreen = later(() => import("./screens/approvals.js"), "approvalsScreen");
const profileScreen = later(() => import("./screens/profile.js"), "profileScreen");
const conflictScreen = later(() => import("./screens/conflict.js"), "conflictScreen");
const startTimerScreen = later(() => import("./screens/timer.js"), "startTimerScreen");
const ROUTES = [
  [/^#\/week(?:\/(?<date>[\d-]+))?$/, weekScreen, "week"],
  [/^#\/entry\/new$/, newEntryScreen, "add"],
  [/^#\/entry\/(?<id>\d+)$/, editEntryScreen, "week"],
  [/^#\/queued\/(?<uuid>[\w-]+)$/, queuedEntryScreen, "week"],
  [/^#\/conflict\/(?<uuid>[\w-]+)$/, conflictScreen, "week"],
  [/^#\/approvals$/, approvalsScreen, "approvals", APPROVE],
  [/^#\/profile$/, profileScreen, "profile"],
  [/^#\/timer\/start$/, startTimerScreen, "week"],
];
const TABS = [
  ["week", "#/week", "Week"],
  ["add", "#/entry/new", "Add time"],
  ["approvals", "#/approvals", "Approvals", APPROVE],
  ["profile", "#/profile", "Profile"],
];

let currentTab = "";

function parseHash() {
  const [path, query = ""] = (location.hash || "#/week").split("?");
  return { path, query: Object.fromEntries(new URLSearchParams(query)) };
}

const go = (hash) => {
  if (location.hash === hash) route();
  else location.hash = hash;
};

/**
 * Draw the screen the URL names. Each draw gets its own view (ui.js): once the
 * person moves on, the old screen's late answers can no longer draw, navigate
 * or keep loading. Screens never check this themselves.
 */
async function route({ focus = true } = {}) {
  const view = beginView();
  const { path, query } = parseHash();
  // A new screen starts at its top (a redraw of the same one keeps the place): the header's message is in view.
  if (focus) scrollTo(0, 0);
  const match = ROUTES.map(([pattern, screen, tab, scope]) => ({ found: pattern.exec(path), screen, tab, scope })).find(
    ({ found, scope }) => found && (!scope || auth.hasScope(scope)),
  );
  if (auth.sessionEnded()) {
    // The tabs stay: the person is still here, only the session needs renewing.
    renderTabs(match?.tab ?? "");
    await sessionEndedScreen({ view, returnTo: match ? location.hash : "#/week" });
    if (focus && view.isCurrent()) focusHeading();
    return;
  }
  if (!auth.isSignedIn()) {
    renderTabs("");
    signInScreen({ view, returnTo: path === "#/signin" ? "#/week" : location.hash || "#/week" });
    if (focus) focusHeading();
    return;
  }
  if (!match) return go("#/week");
  renderTabs(match.tab);
  // A screen that is no longer current neither navigates: a late save must not pull the person back.
  const goIfCurrent = (hash) => view.isCurrent() && go(hash);
  try {
    await match.screen({ params: { ...query, ...match.found.groups }, view, go: goIfCurrent });
  } catch (error) {
    // Whatever a screen the person left ran into (a refused draw, a cancelled load) is no longer news.
    if (!view.isCurrent() || error instanceof StaleView) return;
    if (error instanceof auth.SignInRequired && auth.sessionEnded()) {
      await sessionEndedScreen({ view, returnTo: location.hash });
    } else if (error instanceof auth.SignInRequired) {
      renderTabs("");
      signInScreen({ view, message: error.message, returnTo: location.hash });
    } else {
      view.show("Something went wrong", h("p", { class: "form-error", role: "alert" }, error.message), h("a", { class: "button secondary", href: "#/week" }, "Back to the week"));
    }
  }
  if (focus && view.isCurrent()) focusHeading();
}

function renderTabs(active) {
  currentTab = active;
  const nav = document.getElementById("tabs");
  nav.hidden = !auth.currentSession();
  nav.replaceChildren(
    h(
      "ul",
      {},
      TABS.filter(([, , , scope]) => !scope || auth.hasScope(scope)).map(([tab, href, label]) =>
        h("li", {}, h("a", { href, "aria-current": tab === active ? "page" : null, "data-tab": tab }, label)),
      ),
    ),
  );
}

// Screens that only show data may redraw on their own; forms never do (that would lose typing).
const onListScreen = () => /^#\/(week|approvals)/.test(parseHash().path);

function showNetwork() {
  document.getElementById("net").hidden = navigator.onLine;
}

function syncSoon() {
  if (auth.isSignedIn()) replay().catch(() => {});
}

async function start() {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  let config;
  try {
    config = await loadConfig(document.body.dataset.configUrl);
  } catch (error) {
    beginView().show("Cannot start", h("p", { class: "form-error", role: "alert" }, navigator.onLine ? error.message : "Open the app once with a connection."));
    return;
  }
  setApiBase(config.api_base);
  await auth.init(config);
  let signInProblem = "";
  if (location.pathname === "/callback") {
    try {
      await auth.completeSignIn();
    } catch (error) {
      signInProblem = error.message;
      history.replaceState(null, "", "/#/signin");
    }
  }
  showNetwork();
  addEventListener("online", () => {
    showNetwork();
    syncSoon();
    if (onListScreen()) route({ focus: false });
  });
  addEventListener("offline", showNetwork);
  addEventListener("hashchange", () => route());
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && syncSoon());
  auth.onSessionChange(() => renderTabs(currentTab));
  onQueueChange(() => {
    if (parseHash().path.startsWith("#/week")) route({ focus: false });
  });
  onTimerChange(() => {
    if (parseHash().path.startsWith("#/week")) route({ focus: false });
  });
  if (signInProblem) {
    renderTabs("");
    signInScreen({ view: beginView(), message: `Sign-in failed: ${signInProblem}` });
    focusHeading();
  } else {
    await route();
  }
  syncSoon();
}

start();

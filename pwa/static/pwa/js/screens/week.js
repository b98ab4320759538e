// The week: the caller's entries day by day with daily and weekly totals, plus
// entries still waiting on this device, and the week's state: submit it (after a
// summary), withdraw it while undecided; a submitted or approved week is read-only.
// The running timer, Copy last week, rejected hours apart from the total.
// Shows the saved copy when offline.
import { ApiError, api } from "../api.js";
import { OfflineError } from "../auth.js";
import { loadProjects, loadWeek, savedWeek } from "../data.js";
import { addDays, dayLabel, formatHours, isIsoDay, isoDay, longDay, mondayOf, parseDay, sumHours, today, weekLabel } from "../dates.js";
import { discard, queued } from "../sync.js";
import { refreshTimer, timerState } from "../timer.js";
import { announce, badge, confirmDialog, h } from "../ui.js";
import { timerPanel } from "./timer-panel.js";

const STATUS_TEXT = { pending: "Pending", approved: "Approved", rejected: "Rejected" };
export const WEEK_STATE_TEXT = { open: "Open", submitted: "Submitted", approved: "Approved", rejected: "Rejected" };
const isLocked = (week) => week?.state === "submitted" || week?.state === "approved";
// Copy last week's code loads on first use (the shell's size budget); its result is drawn from it afterwards.
let copying = null;
const loadCopying = async () => (copying ??= await import("./copy-week.js"));

export async function weekScreen({ params, view, go }) {
  const monday = mondayOf(isIsoDay(params.date) ? parseDay(params.date) : new Date());
  const saved = await savedWeek(monday);
  let entries = saved?.entries ?? null;
  let week = saved?.week ?? null;
  let problem = null;
  const redraw = () => go(location.hash || "#/week");
  const extras = { timer: await timerState(), copied: copying?.takeCopyResult(monday) };
  draw(view, monday, entries, week, await queued(), saved ? null : "Loading…", false, redraw, extras);
  try {
    // The project list comes along, so the form works offline later; the timer as the server has it.
    const { signal } = view;
    let timer;
    [{ entries, week }, , timer] = await Promise.all([loadWeek(monday, { signal }), loadProjects({ signal }), refreshTimer({ signal })]);
    extras.timer = timer ?? extras.timer;
  } catch (error) {
    if (!(error instanceof OfflineError)) throw error;
    const when = saved ? new Date(saved.savedAt).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }) : "";
    problem = saved
      ? `Offline: showing this week as saved on ${when}. New entries sync when you are back online.`
      : "Offline: this week has not been loaded on this device yet. New entries sync when you are back online.";
  }
  if (problem) extras.timer = await timerState();
  draw(view, monday, entries, week, await queued(), problem, !problem, redraw, extras);
}

function draw(view, monday, entries, week, waiting, notice, fresh, redraw, { timer, copied }) {
  const serverUuids = new Set((entries ?? []).map((entry) => entry.uuid));
  const days = Array.from({ length: 7 }, (_, index) => isoDay(addDays(monday, index)));
  const inWeek = (item) => item.date >= days[0] && item.date <= days[6];
  const local = waiting.filter((item) => inWeek(item) && !serverUuids.has(item.uuid));
  const counted = [...(entries ?? []).filter((entry) => entry.status !== "rejected"), ...local.filter((item) => item.state === "waiting")];
  const rejectedHours = sumHours((entries ?? []).filter((entry) => entry.status === "rejected"));
  const addDate = days.includes(today()) ? today() : days[0];
  const heading = view.show(
    "Week",
    h(
      "div",
      { class: "weeknav" },
      h("a", { class: "button secondary", href: `#/week/${isoDay(addDays(monday, -7))}`, "aria-label": "Previous week" }, "‹"),
      h("p", { class: "range", id: "week-range" }, weekLabel(monday)),
      h("a", { class: "button secondary", href: `#/week/${isoDay(addDays(monday, 7))}`, "aria-label": "Next week" }, "›"),
    ),
    h(
      "p",
      { class: "week-total", "data-testid": "week-total" },
      "Week total ",
      h("strong", {}, formatHours(sumHours(counted))),
      rejectedHours > 0 && h("span", { class: "rejected-hours", "data-testid": "rejected-hours" }, ` · ${formatHours(rejectedHours)} rejected`),
    ),
    notice && h("p", { class: "notice", role: "note" }, notice),
    weekPanel({ week, monday, hasTime: (entries ?? []).length > 0, fresh, redraw }),
    timerPanel(timer, { locked: false }),
    copied && copying.copyResultPanel(copied),
    !isLocked(week) && h("a", { class: "button primary add", href: `#/entry/new?date=${addDate}` }, "+ Add time"),
    fresh && !isLocked(week) && copyWeekButton({ monday, entries, redraw }),
    h(
      "div",
      { class: "days" },
      days.map((day) => daySection(day, (entries ?? []).filter((entry) => entry.date === day), local.filter((item) => item.date === day), isLocked(week))),
    ),
  );
  heading.dataset.state = fresh ? "fresh" : notice ? "notice" : "saved";
  heading.setAttribute("aria-describedby", "week-range");
}

/** The week's state, the manager's comment, and Submit week / Withdraw (online only). */
function weekPanel({ week, monday, hasTime, fresh, redraw }) {
  if (!week) return null;
  const error = h("p", { class: "form-error", role: "alert" });
  const who = week.decided_by?.name || week.decided_by?.email || "a manager";
  const buttons = [];
  async function send(action, done) {
    buttons.forEach((button) => { button.disabled = true; });
    try {
      await api("POST", `/weeks/${isoDay(monday)}/${action}`);
    } catch (problem) {
      buttons.forEach((button) => { button.disabled = false; });
      if (!(problem instanceof OfflineError || problem instanceof ApiError)) throw problem;
      error.textContent = problem.message;
      return;
    }
    announce(done);
    redraw();
  }
  async function submit() {
    const missing = week.days_without_time.map((day) => dayLabel(parseDay(day)));
    const ok = await confirmDialog({
      title: "Submit this week?",
      message: `Total ${formatHours(week.total_hours)}. ${missing.length ? `Days without time: ${missing.join(", ")}.` : "Every weekday has time."} Its entries are locked once you submit it.`,
      confirmLabel: "Submit week",
    });
    if (ok) await send("submit", "Week submitted.");
  }
  if (fresh && hasTime && (week.state === "open" || week.state === "rejected")) {
    buttons.push(h("button", { type: "button", class: "primary", onclick: submit }, "Submit week"));
  }
  if (fresh && week.state === "submitted") {
    buttons.push(h("button", { type: "button", class: "secondary", onclick: () => send("withdraw", "Week withdrawn: you can change it again.") }, "Withdraw"));
  }
  const notes = {
    submitted: "Waiting for a manager. Its entries are locked until the week is decided or you withdraw it.",
    approved: `Approved by ${who}. Its entries are locked.`,
    rejected: `Rejected by ${who}: ${week.comment}. Fix the entries and submit the week again.`,
  };
  return h(
    "div",
    { class: `week-panel ${week.state}`, "data-testid": "week-panel" },
    h("p", { class: "week-state" }, "This week: ", badge(week.state, WEEK_STATE_TEXT[week.state])),
    notes[week.state] && h("p", { class: week.state === "rejected" ? "reason" : "muted" }, notes[week.state]),
    buttons.length > 0 && h("div", { class: "row-actions" }, buttons),
    error,
  );
}

function daySection(day, entries, local, locked) {
  const headingId = `day-${day}`;
  const total = sumHours([...entries.filter((entry) => entry.status !== "rejected"), ...local.filter((item) => item.state === "waiting")]);
  const rejected = sumHours(entries.filter((entry) => entry.status === "rejected"));
  const isToday = day === today();
  return h(
    "section",
    { class: `day${isToday ? " today" : ""}`, "aria-labelledby": headingId, "data-date": day },
    h(
      "h2",
      { id: headingId },
      h("span", {}, dayLabel(parseDay(day)), isToday && h("span", { class: "sr-only" }, " (today)")),
      h("span", { class: "day-total", "data-testid": "day-total" }, formatHours(total), rejected > 0 && h("span", { class: "rejected-hours" }, ` · ${formatHours(rejected)} rejected`)),
    ),
    entries.length + local.length === 0
      ? h("p", { class: "empty" }, "No time logged")
      : h("ul", { class: "entries" }, entries.map((entry) => entryItem(entry, locked)), local.map(queuedItem)),
  );
}

// A change made on this phone and not yet on the server (data.js applies it to the entry).
const PENDING_TEXT = { update: "Change waiting to sync", delete: "Delete waiting to sync", conflict: "Changed elsewhere: choose", rejected: "Change not synced" };
const pendingBadge = (kind) => badge(kind === "conflict" || kind === "rejected" ? "refused" : "waiting", PENDING_TEXT[kind] ?? kind);

function entryItem(entry, locked) {
  // A submitted or approved week's entries cannot be changed: shown, not linked to the form.
  const rejected = entry.status === "rejected";
  return h(
    "li",
    { class: `entry${rejected ? " rejected" : ""}`, "data-uuid": entry.uuid },
    h(
      locked ? "div" : "a",
      locked
        ? { class: "locked" }
        : // Named by what it shows (project, hours, state, notes, the manager's comment, a change waiting): axe's label-content rule.
          { href: entry.pending_change === "conflict" ? `#/conflict/${entry.queue_uuid}` : `#/entry/${entry.id}` },
      h("span", { class: "project" }, entry.project_name),
      h("span", { class: "hours" }, formatHours(entry.hours)),
      badge(entry.status, STATUS_TEXT[entry.status] ?? entry.status),
      entry.notes && h("span", { class: "notes" }, entry.notes),
      rejected && h("span", { class: "notes reason" }, entry.decision_comment ? `Rejected: ${entry.decision_comment}` : "Rejected by a manager: not counted in the total."),
      entry.pending_change && pendingBadge(entry.pending_change),
    ),
  );
}

function queuedItem(item) {
  const rejected = item.state === "rejected";
  const reasons = rejected ? [item.error?.message, ...Object.values(item.error?.fields ?? {}).flat()].filter(Boolean) : [];
  return h(
    "li",
    { class: `entry queued${rejected ? " refused" : ""}`, "data-uuid": item.uuid },
    h(
      "div",
      { class: "queued-body" },
      h("span", { class: "project" }, item.project_name),
      h("span", { class: "hours" }, formatHours(item.hours)),
      rejected ? badge("refused", "Not synced") : badge("waiting", "Waiting to sync"),
      item.notes && h("span", { class: "notes" }, item.notes),
      rejected && h("span", { class: "notes reason" }, reasons.join(" ")),
    ),
    h(
      "div",
      { class: "row-actions" },
      rejected && h("a", { class: "button secondary small", href: `#/queued/${item.uuid}` }, "Fix"),
      h(
        "button",
        {
          class: "secondary small",
          type: "button",
          "aria-label": `Discard ${item.project_name} ${formatHours(item.hours)} on ${longDay(item.date)}`,
          onclick: async () => {
            const sure = await confirmDialog({
              title: "Discard this entry?",
              message: `${item.project_name}, ${formatHours(item.hours)} on ${longDay(item.date)} has not reached the server. Discarding removes it from this phone.`,
              confirmLabel: "Discard",
              danger: true,
            });
            if (!sure) return;
            await discard(item.uuid);
            announce("Discarded the unsynced entry.");
          },
        },
        "Discard",
      ),
    ),
  );
}

function copyWeekButton({ monday, entries, redraw }) {
  const error = h("p", { class: "form-error", role: "alert" });
  const button = h(
    "button",
    { type: "button", class: "secondary wide-inline", onclick: async () => (await loadCopying()).copyLastWeek({ monday, entries, redraw, button, error }) },
    "Copy last week",
  );
  return h("div", { class: "copy-week" }, button, error);
}

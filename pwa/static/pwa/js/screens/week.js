// The week: the caller's entries day by day with daily and weekly totals, plus
// entries still waiting on this device. Shows the saved copy when offline.
import { OfflineError } from "../auth.js";
import { loadProjects, loadWeek, savedWeek } from "../data.js";
import { addDays, dayLabel, formatHours, isIsoDay, isoDay, mondayOf, parseDay, sumHours, today, weekLabel } from "../dates.js";
import { discard, queued } from "../sync.js";
import { announce, badge, h } from "../ui.js";

const STATUS_TEXT = { pending: "Pending", approved: "Approved", rejected: "Rejected" };

export async function weekScreen({ params, view }) {
  const monday = mondayOf(isIsoDay(params.date) ? parseDay(params.date) : new Date());
  const saved = await savedWeek(monday);
  let entries = saved?.entries ?? null;
  let problem = null;
  draw(view, monday, entries, await queued(), saved ? null : "Loading…");
  try {
    // The project list comes along, so the form works offline later.
    const { signal } = view;
    [entries] = await Promise.all([loadWeek(monday, { signal }), loadProjects({ signal })]);
  } catch (error) {
    if (!(error instanceof OfflineError)) throw error;
    const when = saved ? new Date(saved.savedAt).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }) : "";
    problem = saved
      ? `Offline: showing this week as saved on ${when}. New entries sync when you are back online.`
      : "Offline: this week has not been loaded on this device yet. New entries sync when you are back online.";
  }
  draw(view, monday, entries, await queued(), problem, !problem);
}

function draw(view, monday, entries, waiting, notice, fresh = false) {
  const serverUuids = new Set((entries ?? []).map((entry) => entry.uuid));
  const days = Array.from({ length: 7 }, (_, index) => isoDay(addDays(monday, index)));
  const inWeek = (item) => item.date >= days[0] && item.date <= days[6];
  const local = waiting.filter((item) => inWeek(item) && !serverUuids.has(item.uuid));
  const counted = [...(entries ?? []), ...local.filter((item) => item.state === "waiting")];
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
    ),
    notice && h("p", { class: "notice", role: "note" }, notice),
    h("a", { class: "button primary add", href: `#/entry/new?date=${addDate}` }, "+ Add time"),
    days.map((day) => daySection(day, (entries ?? []).filter((entry) => entry.date === day), local.filter((item) => item.date === day))),
  );
  heading.dataset.state = fresh ? "fresh" : notice ? "notice" : "saved";
  heading.setAttribute("aria-describedby", "week-range");
}

function daySection(day, entries, local) {
  const headingId = `day-${day}`;
  const total = sumHours([...entries, ...local.filter((item) => item.state === "waiting")]);
  const isToday = day === today();
  return h(
    "section",
    { class: `day${isToday ? " today" : ""}`, "aria-labelledby": headingId, "data-date": day },
    h(
      "h2",
      { id: headingId },
      h("span", {}, dayLabel(parseDay(day)), isToday && h("span", { class: "sr-only" }, " (today)")),
      h("span", { class: "day-total", "data-testid": "day-total" }, formatHours(total)),
    ),
    entries.length + local.length === 0
      ? h("p", { class: "empty" }, "No time logged")
      : h("ul", { class: "entries" }, entries.map(entryItem), local.map(queuedItem)),
  );
}

function entryItem(entry) {
  return h(
    "li",
    { class: "entry", "data-uuid": entry.uuid },
    h(
      "a",
      { href: `#/entry/${entry.id}`, "aria-label": `${entry.project_name}, ${formatHours(entry.hours)}, ${STATUS_TEXT[entry.status]}. Open` },
      h("span", { class: "project" }, entry.project_name),
      h("span", { class: "hours" }, formatHours(entry.hours)),
      badge(entry.status, STATUS_TEXT[entry.status] ?? entry.status),
      entry.notes && h("span", { class: "notes" }, entry.notes),
      entry.status === "rejected" && entry.decision_comment && h("span", { class: "notes reason" }, `Rejected: ${entry.decision_comment}`),
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
          "aria-label": `Discard ${item.project_name} ${formatHours(item.hours)} on ${item.date}`,
          onclick: async () => {
            await discard(item.uuid);
            announce("Discarded the unsynced entry.");
          },
        },
        "Discard",
      ),
    ),
  );
}

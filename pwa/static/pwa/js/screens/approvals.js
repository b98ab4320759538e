// Approvals (managers only: shown when the token carries approve:timesheets):
// submitted weeks by person and week (day totals, approve in one tap, expand to
// the entries, reject with a comment), then other pending entries one by one.
import { ApiError, api, listAll } from "../api.js";
import { OfflineError } from "../auth.js";
import { formatHours, isoDay, longDay, mondayOf, parseDay, weekLabel } from "../dates.js";
import { limits } from "../config.js";
import { announce, focusHeading, h } from "../ui.js";

export async function approvalsScreen({ view }) {
  view.show("Approvals", h("p", {}, "Loading…"));
  let entries;
  let weeks;
  try {
    [weeks, entries] = await Promise.all([
      api("GET", "/approvals/weeks", undefined, { signal: view.signal }),
      listAll("/approvals?page_size=200", { signal: view.signal }),
    ]);
  } catch (error) {
    if (!(error instanceof OfflineError)) throw error;
    view.show("Approvals", h("p", { class: "notice" }, "Approvals need a connection. Try again when you are online."));
    return;
  }
  const lead = h("p", { class: "lead" });
  const empty = h("p", { class: "empty" }, "Nothing is waiting for your decision.");
  const weekList = h("ul", { class: "approvals weeks" });
  const list = h("ul", { class: "approvals" });
  // After a decision the card goes; the count and the empty note follow (on this screen's own elements).
  const recount = () => {
    const count = weekList.children.length + list.children.length;
    lead.textContent = `${count} waiting for a decision`;
    empty.hidden = count > 0;
  };
  // Entries of a submitted week are decided with their week (and shown inside its card).
  const inWeeks = new Set(weeks.map((week) => `${week.owner.id} ${week.monday}`));
  const single = entries.filter((entry) => !inWeeks.has(`${entry.owner.id} ${isoDay(mondayOf(parseDay(entry.date)))}`));
  weekList.append(...weeks.map((week) => weekCard(week, { view, recount })));
  list.append(...single.map((entry) => card(entry, { view, recount })));
  recount();
  view.show("Approvals", lead, empty, weekList, list);
}

/** The comment box and the error slot of a card, and the check that a rejection says why. */
function commentField(id) {
  const error = h("p", { class: "field-error", id: `${id}-error` });
  const comment = h("textarea", { id, rows: "2", maxlength: String(limits().max_comment_length), "aria-describedby": `${id}-error` });
  const wrapper = h("div", { class: "field" }, h("label", { for: id }, "Comment (needed to reject)"), comment, error);
  const explained = (status, what) => {
    error.textContent = "";
    comment.removeAttribute("aria-invalid");
    if (status !== "rejected" || comment.value.trim()) return true;
    error.textContent = `Say why the ${what} is rejected.`;
    comment.setAttribute("aria-invalid", "true");
    comment.focus();
    return false;
  };
  return { comment, error, wrapper, explained };
}

async function sendDecision(item, path, body, error) {
  const buttons = item.querySelectorAll("button");
  buttons.forEach((button) => { button.disabled = true; });
  try {
    await api("PUT", path, body);
    return true;
  } catch (problem) {
    buttons.forEach((button) => { button.disabled = false; });
    if (problem instanceof OfflineError || problem instanceof ApiError) {
      error.textContent = [problem.message, ...Object.values(problem.fields ?? {}).flat()].join(" ");
      return false;
    }
    throw problem;
  }
}

function weekCard(week, { view, recount }) {
  const who = week.owner.name || week.owner.email;
  const headingId = `week-approval-${week.id}`;
  const { comment, error, wrapper, explained } = commentField(`week-comment-${week.id}`);
  const item = h(
    "li",
    { class: "approval week-approval", "aria-labelledby": headingId, "data-week-id": String(week.id) },
    h("h2", { id: headingId }, `${who}: ${formatHours(week.total_hours)}`),
    h("p", {}, `Week ${weekLabel(parseDay(week.monday))}`),
    h(
      "ol",
      { class: "day-totals", "aria-label": "Hours per day" },
      week.days.map((day) =>
        h("li", {}, h("span", {}, parseDay(day.date).toLocaleDateString("en-GB", { weekday: "short" })), h("strong", {}, Number(day.hours) ? formatHours(day.hours) : "–")),
      ),
    ),
    h(
      "details",
      {},
      h("summary", {}, `${week.entries.length} entr${week.entries.length === 1 ? "y" : "ies"}`),
      h(
        "ul",
        { class: "week-entries" },
        week.entries.map((entry) => h("li", {}, `${longDay(entry.date)} · ${entry.project_name} · ${formatHours(entry.hours)}`, entry.notes && h("span", { class: "notes" }, ` — ${entry.notes}`))),
      ),
    ),
    wrapper,
    h(
      "div",
      { class: "row-actions" },
      h("button", { type: "button", class: "primary", "aria-describedby": headingId, onclick: () => decide("approved") }, "Approve week"),
      h("button", { type: "button", class: "danger", "aria-describedby": headingId, onclick: () => decide("rejected") }, "Reject week"),
    ),
  );

  async function decide(status) {
    if (!explained(status, "week")) return;
    if (!(await sendDecision(item, `/approvals/weeks/${week.id}`, { status, comment: comment.value.trim() }, error))) return;
    item.remove();
    recount();
    announce(`${status === "approved" ? "Approved" : "Rejected"}: ${who}, week of ${longDay(week.monday)}.`);
    if (view.isCurrent()) focusHeading();
  }
  return item;
}

function card(entry, { view, recount }) {
  const who = entry.owner.name || entry.owner.email;
  const headingId = `approval-${entry.id}`;
  const { comment, error, wrapper, explained } = commentField(`comment-${entry.id}`);
  const item = h(
    "li",
    { class: "approval", "aria-labelledby": headingId, "data-entry-id": String(entry.id) },
    h("h2", { id: headingId }, `${who}: ${formatHours(entry.hours)}`),
    h("p", {}, `${entry.project_name} · ${longDay(entry.date)}`),
    entry.notes && h("p", { class: "notes" }, entry.notes),
    wrapper,
    h(
      "div",
      { class: "row-actions" },
      h("button", { type: "button", class: "primary", "aria-describedby": headingId, onclick: () => decide("approved") }, "Approve"),
      h("button", { type: "button", class: "danger", "aria-describedby": headingId, onclick: () => decide("rejected") }, "Reject"),
    ),
  );

  async function decide(status) {
    if (!explained(status, "entry")) return;
    if (!(await sendDecision(item, `/approvals/${entry.id}`, { status, comment: comment.value.trim() }, error))) return;
    item.remove();
    recount();
    announce(`${status === "approved" ? "Approved" : "Rejected"}: ${who}, ${formatHours(entry.hours)} on ${longDay(entry.date)}.`);
    // Focus returns to the heading only if the person is still on this screen.
    if (view.isCurrent()) focusHeading();
  }
  return item;
}

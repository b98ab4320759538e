// Approvals (managers only: shown when the token carries approve:timesheets):
// other people's pending entries, approve or reject with a comment.
import { ApiError, api, listAll } from "../api.js";
import { OfflineError } from "../auth.js";
import { formatHours, longDay } from "../dates.js";
import { limits } from "../config.js";
import { announce, focusHeading, h } from "../ui.js";

export async function approvalsScreen({ view }) {
  view.show("Approvals", h("p", {}, "Loading…"));
  let entries;
  try {
    entries = await listAll("/approvals?page_size=200", { signal: view.signal });
  } catch (error) {
    if (!(error instanceof OfflineError)) throw error;
    view.show("Approvals", h("p", { class: "notice" }, "Approvals need a connection. Try again when you are online."));
    return;
  }
  const lead = h("p", { class: "lead" });
  const empty = h("p", { class: "empty" }, "Nothing is waiting for your decision.");
  const list = h("ul", { class: "approvals" });
  // After a decision the card goes; the count and the empty note follow (on this screen's own elements).
  const recount = () => {
    lead.textContent = `${list.children.length} waiting for a decision`;
    empty.hidden = list.children.length > 0;
  };
  list.append(...entries.map((entry) => card(entry, { view, recount })));
  recount();
  view.show("Approvals", lead, empty, list);
}

function card(entry, { view, recount }) {
  const who = entry.owner.name || entry.owner.email;
  const headingId = `approval-${entry.id}`;
  const commentId = `comment-${entry.id}`;
  const error = h("p", { class: "field-error", id: `${commentId}-error` });
  const comment = h("textarea", { id: commentId, rows: "2", maxlength: String(limits().max_comment_length), "aria-describedby": `${commentId}-error` });
  const item = h(
    "li",
    { class: "approval", "aria-labelledby": headingId, "data-entry-id": String(entry.id) },
    h("h2", { id: headingId }, `${who}: ${formatHours(entry.hours)}`),
    h("p", {}, `${entry.project_name} · ${longDay(entry.date)}`),
    entry.notes && h("p", { class: "notes" }, entry.notes),
    h("div", { class: "field" }, h("label", { for: commentId }, "Comment (needed to reject)"), comment, error),
    h(
      "div",
      { class: "row-actions" },
      h("button", { type: "button", class: "primary", "aria-describedby": headingId, onclick: () => decide("approved") }, "Approve"),
      h("button", { type: "button", class: "danger", "aria-describedby": headingId, onclick: () => decide("rejected") }, "Reject"),
    ),
  );

  async function decide(status) {
    error.textContent = "";
    comment.removeAttribute("aria-invalid");
    if (status === "rejected" && !comment.value.trim()) {
      error.textContent = "Say why the entry is rejected.";
      comment.setAttribute("aria-invalid", "true");
      comment.focus();
      return;
    }
    const buttons = item.querySelectorAll("button");
    buttons.forEach((button) => { button.disabled = true; });
    try {
      await api("PUT", `/approvals/${entry.id}`, { status, comment: comment.value.trim() });
    } catch (problem) {
      buttons.forEach((button) => { button.disabled = false; });
      if (problem instanceof OfflineError || problem instanceof ApiError) {
        error.textContent = [problem.message, ...Object.values(problem.fields ?? {}).flat()].join(" ");
        return;
      }
      throw problem;
    }
    item.remove();
    recount();
    announce(`${status === "approved" ? "Approved" : "Rejected"}: ${who}, ${formatHours(entry.hours)} on ${longDay(entry.date)}.`);
    // Focus returns to the heading only if the person is still on this screen.
    if (view.isCurrent()) focusHeading();
  }
  return item;
}

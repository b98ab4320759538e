// Approvals (managers only: shown when the token carries approve:timesheets):
// other people's pending entries, approve or reject with a comment.
import { ApiError, api, listAll } from "../api.js";
import { OfflineError } from "../auth.js";
import { formatHours, longDay } from "../dates.js";
import { limits } from "../config.js";
import { announce, h } from "../ui.js";

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
  const list = h("ul", { class: "approvals" }, entries.map((entry) => card(entry)));
  const empty = h("p", { class: "empty", hidden: entries.length > 0 }, "Nothing is waiting for your decision.");
  view.show("Approvals", h("p", { class: "lead" }, `${entries.length} waiting for a decision`), empty, list);
}

function card(entry) {
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
    const list = item.parentElement;
    item.remove();
    announce(`${status === "approved" ? "Approved" : "Rejected"}: ${who}, ${formatHours(entry.hours)} on ${longDay(entry.date)}.`);
    const lead = document.querySelector("#main .lead");
    if (lead) lead.textContent = `${list.children.length} waiting for a decision`;
    if (!list.children.length) document.querySelector("#main .empty")?.removeAttribute("hidden");
    document.querySelector("#main h1")?.focus();
  }
  return item;
}

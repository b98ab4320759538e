// A change made on this phone met a newer version on the server (412 on If-Match):
// both versions side by side, and the person chooses. Keep mine resends the change
// over the server's version (its etag); keep theirs drops the change. Exactly once.
import { appDay } from "../api.js";
import { formatHours } from "../dates.js";
import { keepMine, keepTheirs, queuedItem, replay } from "../sync.js";
import { announce, h } from "../ui.js";

const STATUS_TEXT = { pending: "Pending", approved: "Approved", rejected: "Rejected" };

function version(title, id, entry, { deleted = false } = {}) {
  const rows = deleted
    ? [h("p", {}, "Delete this entry.")]
    : [
        h(
          "dl",
          {},
          h("dt", {}, "Date"),
          h("dd", {}, appDay(entry.date)),
          h("dt", {}, "Project"),
          h("dd", {}, entry.project_name),
          h("dt", {}, "Hours"),
          h("dd", {}, formatHours(entry.hours)),
          h("dt", {}, "Notes"),
          h("dd", {}, entry.notes || "—"),
          entry.status && [h("dt", {}, "Status"), h("dd", {}, STATUS_TEXT[entry.status] ?? entry.status)],
          entry.decision_comment && [h("dt", {}, "Comment"), h("dd", {}, entry.decision_comment)],
        ),
      ];
  return h("section", { class: "version", "aria-labelledby": id, "data-testid": id }, h("h2", { id }, title), rows);
}

export async function conflictScreen({ params, view, go }) {
  let item = await queuedItem(params.uuid);
  // Just queued (the edit screen met the 412): let the queue find out what the server has.
  if (item?.state === "waiting") {
    await replay().catch(() => {});
    item = await queuedItem(params.uuid);
  }
  if (!item || item.state !== "conflict") {
    view.show("Nothing to resolve", h("p", {}, "This change has been settled."), h("a", { class: "button secondary wide", href: "#/week" }, "Back to the week"));
    return;
  }
  const deleting = item.kind === "delete";
  const problem = h("p", { class: "form-error", role: "alert" });
  const buttons = [];
  async function choose(mine) {
    if (mine && !navigator.onLine) {
      problem.textContent = "Keeping your version needs a connection. Try again when you are online.";
      return;
    }
    buttons.forEach((button) => { button.disabled = true; });
    try {
      if (!mine) {
        await keepTheirs(item.uuid);
        announce("Kept the version on the server; your change was dropped.");
        return go(`#/week/${item.current.date}`);
      }
      const outcome = await keepMine(item.uuid);
      if (outcome === "done") {
        announce(deleting ? "Entry deleted." : "Your version is saved.");
        return go(`#/week/${deleting ? item.current.date : item.date}`);
      }
      // Changed again meanwhile (draw the newer version), or refused (say why, from the week).
      if (outcome === "conflict") return go(`#/conflict/${item.uuid}?again=${Date.now()}`);
      const refused = await queuedItem(item.uuid);
      problem.textContent = refused?.error?.message ?? "The server refused your version.";
    } catch (error) {
      problem.textContent = navigator.onLine ? error.message : "Keeping your version needs a connection. Try again when you are online.";
    } finally {
      buttons.forEach((button) => { button.disabled = false; });
    }
  }
  buttons.push(
    h("button", { type: "button", class: "primary", onclick: () => choose(true) }, deleting ? "Delete anyway" : "Keep mine"),
    h("button", { type: "button", class: "secondary", onclick: () => choose(false) }, "Keep theirs"),
  );
  view.show(
    "Changed elsewhere",
    h(
      "p",
      {},
      deleting
        ? "You deleted this entry on this phone, but it was changed on the server meanwhile (on another device, or by a manager). Which should stay?"
        : "You changed this entry on this phone, but it was changed on the server meanwhile (on another device, or by a manager). Which version should stay?",
    ),
    h("div", { class: "versions" }, version(deleting ? "Yours" : "Your version", "mine", item, { deleted: deleting }), version("On the server now", "theirs", item.current)),
    problem,
    h("div", { class: "row-actions conflict-actions" }, buttons),
  );
}

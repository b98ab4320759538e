// Copy last week into this week: one server operation (POST /api/weeks/{monday}/copy,
// idempotent), the person choosing what happens to days already holding time;
// then, in words, what was created and what was skipped and why.
import { ApiError, api } from "../api.js";
import { OfflineError } from "../auth.js";
import { addDays, dayLabel, formatHours, isoDay, parseDay, weekLabel } from "../dates.js";
import { announce, h } from "../ui.js";

const REASONS = {
  day_has_time: "that day already had time",
  already_copied: "it was copied before",
  day_total_exceeded: "the day would pass the daily maximum",
  project_inactive: "its project is no longer open for time",
  date_out_of_range: "the date is outside the days time may be logged for",
};
export const reasonText = (code) => REASONS[code] ?? code.replaceAll("_", " ");

// The last copy's result, shown once on the week it went into.
let lastCopy = null;
export const takeCopyResult = (monday) => (lastCopy && lastCopy.monday === isoDay(monday) ? lastCopy : null);

/** Ask how to treat days already holding time (only when there are some); resolves to "skip", "add" or null. */
function askMode({ monday, daysWithTime }) {
  return new Promise((resolve) => {
    const from = weekLabel(addDays(monday, -7));
    const choices = daysWithTime.length
      ? [
          h("button", { value: "skip", class: "primary" }, "Leave those days alone"),
          h("button", { value: "add", class: "secondary" }, "Add to them too"),
        ]
      : [h("button", { value: "skip", class: "primary" }, "Copy")];
    const dialog = h(
      "dialog",
      { class: "dialog", "aria-labelledby": "copy-title", "aria-describedby": "copy-message" },
      h("h2", { id: "copy-title" }, "Copy last week?"),
      h(
        "p",
        { id: "copy-message" },
        `Last week's entries (${from}) are copied to the same weekdays of this week as new pending entries; rejected ones are left out.`,
        daysWithTime.length ? ` ${daysWithTime.map((day) => dayLabel(parseDay(day))).join(", ")} already ${daysWithTime.length === 1 ? "has" : "have"} time.` : "",
      ),
      h("form", { method: "dialog", class: "actions stacked" }, choices, h("button", { value: "cancel", class: "secondary" }, "Cancel")),
    );
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(["skip", "add"].includes(dialog.returnValue) ? dialog.returnValue : null);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** The week screen's Copy last week button, pressed: ask, copy, remember the result, redraw. */
export async function copyLastWeek({ monday, entries, redraw, button, error }) {
  const daysWithTime = [...new Set((entries ?? []).map((entry) => entry.date))].sort();
  const mode = await askMode({ monday, daysWithTime });
  if (!mode) return;
  button.disabled = true;
  error.textContent = "";
  let result;
  try {
    result = await api("POST", `/weeks/${isoDay(monday)}/copy`, { days_with_time: mode });
  } catch (problem) {
    button.disabled = false;
    if (problem instanceof OfflineError) error.textContent = "Copying a week needs a connection. Try again when you are online.";
    else if (problem instanceof ApiError) error.textContent = [problem.message, ...Object.values(problem.fields ?? {}).flat()].join(" ");
    else throw problem;
    return;
  }
  lastCopy = { monday: isoDay(monday), ...result };
  announce(`Copied ${result.created.length} ${result.created.length === 1 ? "entry" : "entries"} from last week.`);
  redraw();
}

export function copyResultPanel(result) {
  const { created, skipped } = result;
  const close = () => {
    lastCopy = null;
    panel.remove();
  };
  const panel = h(
    "section",
    { class: "copy-result", "aria-labelledby": "copy-result-title", "data-testid": "copy-result" },
    h("h2", { id: "copy-result-title" }, "Copied from last week"),
    h(
      "p",
      {},
      created.length
        ? `${created.length} ${created.length === 1 ? "entry was" : "entries were"} created (${formatHours(created.reduce((sum, entry) => sum + Number(entry.hours), 0))}).`
        : "Nothing new was created.",
    ),
    created.length > 0 && h("ul", { class: "copy-list" }, created.map((entry) => h("li", {}, `${dayLabel(parseDay(entry.date))}: ${entry.project_name}, ${formatHours(entry.hours)}`))),
    skipped.length > 0 && h("p", {}, `${skipped.length} ${skipped.length === 1 ? "entry was" : "entries were"} not copied:`),
    skipped.length > 0 &&
      h("ul", { class: "copy-list skipped" }, skipped.map((item) => h("li", {}, `${dayLabel(parseDay(item.date))}: not copied because ${reasonText(item.reason)}.`))),
    h("button", { type: "button", class: "secondary", onclick: close }, "Done"),
  );
  return panel;
}

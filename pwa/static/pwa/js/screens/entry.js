// New, edit and repeat an entry. Checks the input before sending (the server's
// limits from config.json, date range included), shows the server's field errors
// beside the fields in plain words, and never loses what was typed: without a
// connection, or when the session has ended, the save is queued (sync.js) and sent
// once it can be. Changes carry the entry's etag (If-Match); a conflict goes to
// the conflict screen.
import { ApiError, api, appDay, plain } from "../api.js";
import { OfflineError, SignInRequired, hasScope } from "../auth.js";
import { limits } from "../config.js";
import { findEntry, loadProjects } from "../data.js";
import { addDays, formatHours, isIsoDay, isoDay, longDay, today } from "../dates.js";
import { projectPicker } from "../project-picker.js";
import { discard, enqueue, enqueueChange, kindOf, queuedItem, replay } from "../sync.js";
import { announce, badge, confirmDialog, field, h, setFieldError } from "../ui.js";

const FIELDS = ["date", "project", "hours", "notes"];
const STATUS_TEXT = { pending: "Pending", approved: "Approved", rejected: "Rejected" };

/** The save could not reach the server, but it is kept: no connection, or the session ended. */
const keptOnPhone = (error) => error instanceof OfflineError || error instanceof SignInRequired;
const keptMessage = (error) =>
  error instanceof SignInRequired
    ? "Your session has ended. What you saved is kept on this phone and sent after you sign in again."
    : "Saved on this phone. It will sync when you are back online.";

export async function newEntryScreen({ params, view, go }) {
  view.show("Add time", h("p", {}, "Loading…"));
  const projects = await loadProjects({ signal: view.signal });
  const values = { date: isIsoDay(params.date) ? params.date : today(), project: "", hours: "", notes: "" };
  let repeated = null;
  if (params.repeat) {
    // Repeat: the entry's project, hours and notes, on today's date.
    repeated = (await findEntry(params.repeat, { signal: view.signal }).catch(() => null))?.entry ?? null;
    if (repeated) Object.assign(values, { project: String(repeated.project), hours: repeated.hours, notes: repeated.notes ?? "" });
  }
  // One uuid per form: pressing Save twice, or a retry after a lost answer, still makes one entry.
  const uuid = crypto.randomUUID();
  const intro =
    repeated && h("p", { class: "muted", "data-testid": "repeat-of" }, `Repeating ${repeated.project_name}, ${formatHours(repeated.hours)} of ${appDay(repeated.date)}.`);
  renderForm(view, "Add time", projects, values, async (data, form) => {
    const item = { ...data, uuid, project_name: projectName(projects, data.project) };
    if (navigator.onLine) {
      try {
        await api("POST", "/timesheets", { uuid, date: data.date, project: data.project, hours: data.hours, notes: data.notes });
        announce(`Saved ${formatHours(data.hours)} on ${longDay(data.date)}.`);
        return go(`#/week/${data.date}`);
      } catch (error) {
        if (!keptOnPhone(error)) return showServerErrors(form, error);
        await enqueue(item);
        announce(keptMessage(error));
        return go(`#/week/${data.date}`);
      }
    }
    await enqueue(item);
    announce(keptMessage(null));
    go(`#/week/${data.date}`);
  }, { intro });
}

export async function queuedEntryScreen({ params, view, go }) {
  const item = await queuedItem(params.uuid);
  if (!item) return go("#/week");
  if (kindOf(item) !== "create") return go(item.state === "conflict" ? `#/conflict/${item.uuid}` : `#/entry/${item.entryId}`);
  const projects = await loadProjects({ signal: view.signal });
  const form = renderForm(view, "Fix unsynced entry", projects, item, async (data) => {
    await enqueue({ ...item, ...data, project_name: projectName(projects, data.project) });
    announce("Saved. It will sync when you are online.");
    go(`#/week/${data.date}`);
  });
  if (item.error) showQueuedError(form, item.error);
}

export async function editEntryScreen({ params, view, go }) {
  view.show("Edit entry", h("p", {}, "Loading…"));
  const { signal } = view;
  let found;
  let projects;
  try {
    [found, projects] = await Promise.all([findEntry(params.id, { signal }), loadProjects({ signal })]);
  } catch (error) {
    if (error instanceof OfflineError) {
      view.show("Edit entry", h("p", { class: "notice" }, "This entry is not saved on this phone. Open it again when you are online."));
      return;
    }
    if (error instanceof ApiError && error.status === 404) {
      view.show("Edit entry", h("p", { class: "notice" }, "This entry no longer exists."));
      return;
    }
    throw error;
  }
  const { entry, saved } = found;
  const waiting = await queuedItem(entry.uuid);
  if (waiting?.state === "conflict") return go(`#/conflict/${waiting.uuid}`);
  const pending = waiting && kindOf(waiting) === "update" ? waiting : null;
  const locked = entry.status === "approved";
  const shown = pending ? { ...entry, ...pick(pending) } : entry;

  /** Send a change online; queue it without a connection; a 412 goes to the conflict screen. */
  async function change(kind, values, form, done) {
    const headers = entry.etag ? { "If-Match": entry.etag } : {};
    try {
      if (saved) throw new OfflineError("Editing the saved copy.");
      if (kind === "update") await api("PATCH", `/timesheets/${entry.id}`, values, { headers });
      else await api("DELETE", `/timesheets/${entry.id}`, undefined, { headers });
    } catch (error) {
      if (keptOnPhone(error)) {
        await enqueueChange(kind, entry, { ...values, project_name: projectName(projects, values.project) });
        announce(error instanceof SignInRequired ? keptMessage(error) : kind === "delete" ? "Deleted on this phone. It will sync when you are back online." : keptMessage(error));
        return go(`#/week/${values.date ?? entry.date}`);
      }
      if (error instanceof ApiError && error.status === 404 && kind === "delete") {
        // Already gone (deleted elsewhere, or our first try's answer was lost): what the person wanted.
      } else if (error instanceof ApiError && error.status === 412) {
        await enqueueChange(kind, entry, { ...values, project_name: projectName(projects, values.project) });
        await replay().catch(() => {});
        return go(`#/conflict/${entry.uuid}`);
      } else {
        return showServerErrors(form, error);
      }
    }
    if (pending) await discard(pending.uuid);
    announce(done);
    go(`#/week/${values.date ?? entry.date}`);
  }

  const notices = [
    saved && h("p", { class: "notice", role: "note" }, "Offline: this is the entry as saved on this phone. Your changes sync when you are back online."),
    pending && h("p", { class: "notice", role: "note" }, pending.state === "rejected" ? "Your change was not accepted by the server: see below." : "Your change is waiting to sync."),
    entry.status === "rejected" && rejectionNote(entry),
  ];
  const form = renderForm(
    view,
    "Edit entry",
    projects,
    { ...shown, project: String(shown.project) },
    (data, formElement) => change("update", Object.fromEntries(FIELDS.map((name) => [name, data[name]])), formElement, "Entry updated."),
    { locked, status: entry.status, intro: notices, originalDate: entry.date },
  );
  if (pending?.state === "rejected" && pending.error) showQueuedError(form, pending.error);
  const actions = h("div", { class: "entry-actions" });
  form.after(actions);
  actions.append(
    h("a", { class: "button secondary wide", href: `#/entry/new?repeat=${entry.id}`, "aria-label": `Repeat: log ${entry.project_name}, ${formatHours(entry.hours)} again today` }, "Repeat"),
  );
  if (!locked && hasScope("delete:timesheets")) {
    actions.append(
      h(
        "button",
        {
          type: "button",
          class: "danger wide",
          onclick: async () => {
            const confirmed = await confirmDialog({
              title: "Delete this entry?",
              message: `${entry.project_name}, ${formatHours(entry.hours)} on ${longDay(entry.date)}. This cannot be undone.`,
              confirmLabel: "Delete",
              danger: true,
            });
            if (confirmed) await change("delete", { date: entry.date }, form, "Entry deleted.");
          },
        },
        "Delete entry",
      ),
    );
  }
}

const pick = (item) => ({ date: item.date, project: item.project, project_name: item.project_name, hours: item.hours, notes: item.notes });

function rejectionNote(entry) {
  const who = entry.decided_by?.name || entry.decided_by?.email || "A manager";
  const comment = entry.decision_comment?.trim();
  return h(
    "div",
    { class: "rejection", role: "note", "data-testid": "rejection" },
    h("p", {}, h("strong", {}, `${who} rejected this entry`), entry.decided_at ? ` on ${appDay(entry.decided_at.slice(0, 10))}` : "", comment ? ":" : "."),
    comment && h("blockquote", {}, comment),
    h("p", { class: "muted" }, "Change the entry and save it to send it again."),
  );
}

const projectName = (projects, id) => projects.find((project) => String(project.id) === String(id))?.name ?? "Project";

const days = (count) => `${count} day${count === 1 ? "" : "s"}`;

/**
 * The date limits from config.json: { min, max, confirmBefore } as "YYYY-MM-DD" (or null),
 * and the hint. As on the server, an entry's own date stays allowed while it is not changed.
 */
function dateLimits(originalDate = null) {
  const { max_days_ahead: ahead, max_days_back: back, confirm_days_back: confirmBack } = limits();
  const now = new Date();
  const max = Number.isInteger(ahead) ? isoDay(addDays(now, ahead)) : null;
  const min = Number.isInteger(back) ? isoDay(addDays(now, -back)) : null;
  const confirmBefore = Number.isInteger(confirmBack) ? isoDay(addDays(now, -confirmBack)) : null;
  const hint =
    min && max ? `From ${appDay(min)} to ${appDay(max)}`
    : max ? `Up to ${appDay(max)} (at most ${days(ahead)} ahead)`
    : min ? `From ${appDay(min)}`
    : "";
  const keep = isIsoDay(originalDate) ? originalDate : null;
  return {
    min: min && keep && keep < min ? keep : min,
    max: max && keep && keep > max ? keep : max,
    problem(date) {
      if (date === keep) return "";
      if (max && date > max) return `Time can be logged at most ${days(ahead)} ahead (up to ${appDay(max)}).`;
      if (min && date < min) return `Time can be logged at most ${days(back)} back (from ${appDay(min)}).`;
      return "";
    },
    confirmBefore,
    hint,
  };
}

function renderForm(view, title, projects, values, onSave, { locked = false, status = null, intro = null, originalDate = null } = {}) {
  const { max_hours_per_day: maxHours, hours_step: step, max_notes_length: maxNotes } = limits();
  const range = dateLimits(originalDate);
  const picker = projectPicker({
    id: "entry-project",
    label: "Project",
    projects,
    value: values.project ?? "",
    disabled: locked,
    onChange: () => invalid(form, "project") && validate(form, "project"),
  });
  const form = h(
    "form",
    { class: "entry-form", novalidate: true },
    status && h("p", {}, "Status: ", badge(status, STATUS_TEXT[status] ?? status)),
    locked && h("p", { class: "notice" }, "Approved entries are locked and can no longer be changed."),
    intro,
    h("p", { class: "form-error", role: "alert", id: "form-error" }),
    field(
      "entry-date",
      "Date",
      h("input", { name: "date", type: "date", required: true, value: values.date, min: range.min, max: range.max, disabled: locked }),
      range.hint,
    ),
    picker.element,
    field(
      "entry-hours",
      "Hours",
      h("input", {
        name: "hours",
        type: "number",
        inputmode: "decimal",
        min: String(step),
        max: String(maxHours),
        step: String(step),
        required: true,
        value: values.hours === "" ? "" : String(values.hours),
        disabled: locked,
      }),
      `In steps of ${step} h (e.g. ${7 + 2 * step}), at most ${maxHours} h a day`,
    ),
    field("entry-notes", "Notes (optional)", h("textarea", { name: "notes", rows: "3", maxlength: String(maxNotes), disabled: locked }, values.notes ?? "")),
    !locked && h("button", { type: "submit", class: "primary wide" }, "Save"),
    h("a", { class: "button secondary wide", href: `#/week/${values.date || today()}` }, locked ? "Back" : "Cancel"),
  );
  pickers.set(form, picker);
  originalDates.set(form, originalDate);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = readForm(form);
    if (!data) return;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      // An old date is allowed, but often a slip of the finger: ask once.
      if (range.confirmBefore && data.date < range.confirmBefore && data.date !== originalDate) {
        const sure = await confirmDialog({
          title: "Log time this far back?",
          message: `${longDay(data.date)} is more than ${days(limits().confirm_days_back)} ago. Is this the right date?`,
          confirmLabel: "Yes, save",
        });
        if (!sure) {
          form.elements.date.focus();
          return;
        }
      }
      await onSave(data, form);
    } finally {
      button.disabled = false;
    }
  });
  form.addEventListener("change", (event) => {
    if (event.target.name && event.target.getAttribute("aria-invalid")) validate(form, event.target.name);
  });
  view.show(title, form);
  return form;
}

const pickers = new WeakMap();
const originalDates = new WeakMap();

/** Show a field's error (or clear it with ""): the project picker has its own slot. */
function setError(form, name, messages) {
  const text = [messages].flat().filter(Boolean).map(plain).join(" ");
  if (name === "project") {
    pickers.get(form).setInvalid(text);
    return true;
  }
  return setFieldError(form, name, text);
}

const invalid = (form, name) =>
  name === "project" ? pickers.get(form).input.getAttribute("aria-invalid") : form.elements[name]?.getAttribute("aria-invalid");
const focusField = (form, name) => (name === "project" ? pickers.get(form).focus() : form.elements[name].focus());

function checks(form) {
  const { max_hours_per_day: maxHours, hours_step: step, max_notes_length: maxNotes } = limits();
  const range = dateLimits(originalDates.get(form));
  const { date, project, hours, notes } = form.elements;
  const value = Number(hours.value);
  return {
    date:
      !isIsoDay(date.value) ? "Choose a date." : range.problem(date.value),
    project: project.value ? "" : "Choose a project.",
    hours:
      hours.value.trim() === "" || Number.isNaN(value) ? "Enter the hours."
      : value <= 0 || value > maxHours ? `Hours must be more than 0 and at most ${maxHours}.`
      // Counted in steps, so 7.3 / 0.25 = 29.2 is caught without float noise.
      : Math.abs(value / step - Math.round(value / step)) > 1e-9 ? `Use steps of ${step} hours (e.g. ${stepExamples(step)}).`
      : "",
    notes: notes.value.length > maxNotes ? `Notes can be at most ${maxNotes} characters.` : "",
  };
}

const stepExamples = (step) => [7 + step, 7 + 2 * step, 7 + 3 * step].map((value) => String(value)).join(", ");

function validate(form, only = null) {
  const problems = checks(form);
  for (const name of FIELDS) if (!only || name === only) setError(form, name, problems[name]);
  return problems;
}

function readForm(form) {
  showFormProblem(form, "");
  const problems = validate(form);
  const firstBad = FIELDS.find((name) => problems[name]);
  if (firstBad) {
    focusField(form, firstBad);
    return null;
  }
  const { date, project, hours, notes } = form.elements;
  return { date: date.value, project: Number(project.value), hours: Number(hours.value), notes: notes.value };
}

function showFormProblem(form, message) {
  form.querySelector(".form-error").textContent = message;
}

/** Field errors beside their fields, in plain words; whatever has no field at the top. */
function showFieldErrors(form, fields, fallback) {
  const leftover = [];
  for (const [name, messages] of Object.entries(fields ?? {})) {
    if (!setError(form, name, messages)) leftover.push(...[messages].flat().map(plain));
  }
  const hasFields = Object.keys(fields ?? {}).length > leftover.length;
  showFormProblem(form, leftover.length ? leftover.join(" ") : hasFields ? "Please correct the marked fields." : plain(fallback));
  const firstBad = FIELDS.find((name) => invalid(form, name));
  if (firstBad) focusField(form, firstBad);
}

function showServerErrors(form, error) {
  if (!(error instanceof ApiError)) throw error;
  showFieldErrors(form, error.fields, error.message);
}

/** A queued item's refusal; items queued by older versions of the app keep theirs under `fields`. */
function showQueuedError(form, error) {
  const fields = error.fieldErrors ?? error.fields ?? {};
  showFieldErrors(form, fields, error.message);
}

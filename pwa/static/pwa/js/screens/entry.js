// New and edit entry. Checks the input before sending, shows the server's field
// errors beside the fields, queues new entries when there is no connection.
import { ApiError, api } from "../api.js";
import { OfflineError, hasScope } from "../auth.js";
import { limits } from "../config.js";
import { loadProjects } from "../data.js";
import { formatHours, isIsoDay, longDay, today } from "../dates.js";
import { enqueue, queuedItem } from "../sync.js";
import { announce, badge, confirmDialog, field, h, setFieldError } from "../ui.js";

const FIELDS = ["date", "project", "hours", "notes"];

export async function newEntryScreen({ params, view, go }) {
  view.show("Add time", h("p", {}, "Loading…"));
  const projects = await loadProjects({ signal: view.signal });
  const values = { date: isIsoDay(params.date) ? params.date : today(), project: "", hours: "", notes: "" };
  // One uuid per form: pressing Save twice, or a retry after a lost answer, still makes one entry.
  const uuid = crypto.randomUUID();
  renderForm(view, "Add time", projects, values, async (data, form) => {
    const item = { ...data, uuid, project_name: projectName(projects, data.project) };
    if (navigator.onLine) {
      try {
        await api("POST", "/timesheets", { uuid, date: data.date, project: data.project, hours: data.hours, notes: data.notes });
        announce(`Saved ${formatHours(data.hours)} on ${longDay(data.date)}.`);
        return go(`#/week/${data.date}`);
      } catch (error) {
        if (!(error instanceof OfflineError)) return showServerErrors(form, error);
      }
    }
    await enqueue(item);
    announce("Saved on this phone. It will sync when you are back online.");
    go(`#/week/${data.date}`);
  });
}

export async function queuedEntryScreen({ params, view, go }) {
  const item = await queuedItem(params.uuid);
  if (!item) return go("#/week");
  const projects = await loadProjects({ signal: view.signal });
  const form = renderForm(view, "Fix unsynced entry", projects, item, async (data) => {
    await enqueue({ ...item, ...data, project_name: projectName(projects, data.project) });
    announce("Saved. It will sync when you are online.");
    go(`#/week/${data.date}`);
  });
  if (item.error) {
    showFormProblem(form, item.error.message);
    for (const [name, messages] of Object.entries(item.error.fields ?? {})) setFieldError(form, name, messages);
  }
}

export async function editEntryScreen({ params, view, go }) {
  view.show("Edit entry", h("p", {}, "Loading…"));
  const { signal } = view;
  let entry;
  let projects;
  try {
    [entry, projects] = await Promise.all([api("GET", `/timesheets/${params.id}`, undefined, { signal }), loadProjects({ signal })]);
  } catch (error) {
    if (error instanceof OfflineError) {
      view.show("Edit entry", h("p", { class: "notice" }, "Changing an entry needs a connection. Try again when you are online."));
      return;
    }
    if (error instanceof ApiError && error.status === 404) {
      view.show("Edit entry", h("p", { class: "notice" }, "This entry no longer exists."));
      return;
    }
    throw error;
  }
  const locked = entry.status === "approved";
  const form = renderForm(
    view,
    "Edit entry",
    projects,
    { ...entry, project: String(entry.project) },
    async (data, formElement) => {
      const changes = Object.fromEntries(FIELDS.map((name) => [name, data[name]]));
      try {
        await api("PATCH", `/timesheets/${entry.id}`, changes);
      } catch (error) {
        return showServerErrors(formElement, error);
      }
      announce("Entry updated.");
      go(`#/week/${data.date}`);
    },
    { locked, status: entry.status },
  );
  if (!locked && hasScope("delete:timesheets")) {
    form.after(
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
            if (!confirmed) return;
            try {
              await api("DELETE", `/timesheets/${entry.id}`);
            } catch (error) {
              return showServerErrors(form, error);
            }
            announce("Entry deleted.");
            go(`#/week/${entry.date}`);
          },
        },
        "Delete entry",
      ),
    );
  }
}

const projectName = (projects, id) => projects.find((project) => String(project.id) === String(id))?.name ?? "Project";

function renderForm(view, title, projects, values, onSave, { locked = false, status = null } = {}) {
  const { max_hours_per_day: maxHours, hours_step: step, max_notes_length: maxNotes } = limits();
  const projectOptions = [
    h("option", { value: "" }, "Choose a project"),
    ...projects.map((project) => h("option", { value: String(project.id) }, project.name)),
  ];
  const select = h("select", { name: "project", required: true, disabled: locked }, projectOptions);
  const form = h(
    "form",
    { class: "entry-form", novalidate: true },
    status && h("p", {}, "Status: ", badge(status, status[0].toUpperCase() + status.slice(1))),
    locked && h("p", { class: "notice" }, "Approved entries are locked and can no longer be changed."),
    h("p", { class: "form-error", role: "alert", id: "form-error" }),
    field("entry-date", "Date", h("input", { name: "date", type: "date", required: true, value: values.date, disabled: locked })),
    field("entry-project", "Project", select),
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
  select.value = String(values.project ?? "");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = readForm(form);
    if (!data) return;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await onSave(data, form);
    } finally {
      button.disabled = false;
    }
  });
  form.addEventListener("change", (event) => {
    if (event.target.getAttribute("aria-invalid")) validate(form, event.target.name);
  });
  view.show(title, form);
  return form;
}

function checks(form) {
  const { max_hours_per_day: maxHours, hours_step: step, max_notes_length: maxNotes } = limits();
  const { date, project, hours, notes } = form.elements;
  const value = Number(hours.value);
  return {
    date: isIsoDay(date.value) ? "" : "Choose a date.",
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
  for (const name of FIELDS) if (!only || name === only) setFieldError(form, name, problems[name]);
  return problems;
}

function readForm(form) {
  showFormProblem(form, "");
  const problems = validate(form);
  const firstBad = FIELDS.find((name) => problems[name]);
  if (firstBad) {
    form.elements[firstBad].focus();
    return null;
  }
  const { date, project, hours, notes } = form.elements;
  return { date: date.value, project: Number(project.value), hours: Number(hours.value), notes: notes.value };
}

function showFormProblem(form, message) {
  form.querySelector(".form-error").textContent = message;
}

function showServerErrors(form, error) {
  if (!(error instanceof ApiError)) throw error;
  const leftover = [];
  for (const [name, messages] of Object.entries(error.fields)) {
    if (!setFieldError(form, name, messages)) leftover.push(...[messages].flat());
  }
  showFormProblem(form, leftover.length ? leftover.join(" ") : error.message);
  const firstBad = FIELDS.find((name) => form.elements[name]?.getAttribute("aria-invalid"));
  if (firstBad) form.elements[firstBad].focus();
}

// Start a timer: project and notes. Works offline: timer.js keeps the phone's
// start time and sends it when back online. (Loaded when first opened.)
import { limits } from "../config.js";
import { loadProjects } from "../data.js";
import { ROUNDING_RULE, startTimer } from "../timer.js";
import { announce, field, h, setFieldError } from "../ui.js";

/** The project choice; a plain select for now (swap for the shared searchable picker when it lands). */
function projectChoice(projects) {
  const select = h(
    "select",
    { name: "project", required: true },
    h("option", { value: "" }, "Choose a project"),
    projects.map((project) => h("option", { value: String(project.id) }, project.name)),
  );
  return { control: select, value: () => select.value, name: () => select.selectedOptions[0]?.textContent ?? "" };
}

export async function startTimerScreen({ view, go }) {
  view.show("Start a timer", h("p", {}, "Loading…"));
  const projects = await loadProjects({ signal: view.signal });
  const choice = projectChoice(projects);
  const notes = h("textarea", { name: "notes", rows: "2", maxlength: String(limits().max_notes_length) });
  const problem = h("p", { class: "form-error", role: "alert" });
  const form = h(
    "form",
    { class: "entry-form", novalidate: true },
    field("timer-project", "Project", choice.control),
    field("timer-notes", "Notes (optional)", notes),
    h("p", { class: "hint" }, `The timer keeps running when you close the app or lose the connection. ${ROUNDING_RULE}`),
    problem,
    h("div", { class: "row-actions" }, h("a", { class: "button secondary", href: "#/week" }, "Cancel"), h("button", { type: "submit", class: "primary" }, "Start timer")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const project = Number(choice.value());
    setFieldError(form, "project", project ? "" : "Choose a project.");
    if (!project) return form.elements.project.focus();
    form.querySelector("button[type=submit]").disabled = true;
    await startTimer({ project, project_name: choice.name(), notes: notes.value.trim() });
    announce(navigator.onLine ? "Timer started." : "Timer started on this phone. It reaches the server when you are back online.");
    go("#/week");
  });
  view.show("Start a timer", form);
}

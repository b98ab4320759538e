// Start a timer: project and notes. Works offline: timer.js keeps the phone's
// start time and sends it when back online. (Loaded when first opened.)
import { limits } from "../config.js";
import { loadProjects } from "../data.js";
import { projectPicker } from "../project-picker.js";
import { ROUNDING_RULE, startTimer } from "../timer.js";
import { announce, field, h } from "../ui.js";

export async function startTimerScreen({ view, go }) {
  view.show("Start a timer", h("p", {}, "Loading…"));
  const projects = await loadProjects({ signal: view.signal });
  // The searchable picker the entry form uses (recent projects first).
  const picker = projectPicker({ id: "timer-project", label: "Project", projects, onChange: (id) => id && picker.setInvalid("") });
  const notes = h("textarea", { name: "notes", rows: "2", maxlength: String(limits().max_notes_length) });
  const problem = h("p", { class: "form-error", role: "alert" });
  const form = h(
    "form",
    { class: "entry-form", novalidate: true },
    picker.element,
    field("timer-notes", "Notes (optional)", notes),
    h("p", { class: "hint" }, `The timer keeps running when you close the app or lose the connection. ${ROUNDING_RULE}`),
    problem,
    h("div", { class: "row-actions" }, h("a", { class: "button secondary", href: "#/week" }, "Cancel"), h("button", { type: "submit", class: "primary" }, "Start timer")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const project = Number(picker.value);
    picker.setInvalid(project ? "" : "Choose a project.");
    if (!project) return picker.focus();
    form.querySelector("button[type=submit]").disabled = true;
    const projectName = projects.find((candidate) => candidate.id === project)?.name ?? "";
    await startTimer({ project, project_name: projectName, notes: notes.value.trim() });
    announce(navigator.onLine ? "Timer started." : "Timer started on this phone. It reaches the server when you are back online.");
    go("#/week");
  });
  view.show("Start a timer", form);
}

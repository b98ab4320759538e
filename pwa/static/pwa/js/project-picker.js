// A searchable project picker (ARIA 1.2 combobox with a listbox popup): type to
// filter, arrows/Enter/Escape, tap a row. Recently used projects (`last_used` from
// GET /api/projects) come first. The chosen id sits in a hidden input named
// `name`, so a form reads it like any other field.
//
//   const picker = projectPicker({ id: "timer-project", label: "Project", projects });
//   form.append(picker.element);  picker.value  // "12" or ""
import { h } from "./ui.js";

const RECENT_COUNT = 5;
let pickers = 0;

/** Recent projects first (latest use first, at most five), then the rest by name. */
export function orderProjects(projects) {
  const byName = [...projects].sort((a, b) => a.name.localeCompare(b.name, "en", { sensitivity: "base" }));
  const recent = byName
    .filter((project) => project.last_used)
    .sort((a, b) => (a.last_used < b.last_used ? 1 : a.last_used > b.last_used ? -1 : 0))
    .slice(0, RECENT_COUNT);
  const recentIds = new Set(recent.map((project) => project.id));
  return { recent, others: byName.filter((project) => !recentIds.has(project.id)) };
}

const normalise = (text) => text.normalize("NFKD").replace(/\p{Diacritic}/gu, "").toLowerCase().trim();

/**
 * Build the picker. `onChange(id)` hears every choice ("" when cleared).
 * Returns { element, input, value (get/set), focus(), setInvalid(message) }.
 */
export function projectPicker({ id, label, projects, value = "", name = "project", hint = "", disabled = false, onChange = () => {} }) {
  const serial = ++pickers;
  const listId = `${id}-list`;
  const hidden = h("input", { type: "hidden", name, value: String(value ?? "") });
  const input = h("input", {
    id,
    type: "text",
    role: "combobox",
    autocomplete: "off",
    autocapitalize: "none",
    spellcheck: "false",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": listId,
    "aria-describedby": `${id}-error${hint ? ` ${id}-hint` : ""}`,
    placeholder: "Type to search",
    disabled,
  });
  const list = h("div", { id: listId, role: "listbox", class: "picker-list", "aria-label": `${label} choices`, hidden: true });
  // A live region of its own (not role=status: the app has one toast for that).
  const count = h("p", { class: "sr-only", "aria-live": "polite", "data-picker-count": "" });
  const error = h("p", { class: "field-error", id: `${id}-error` });
  const element = h(
    "div",
    { class: "field picker" },
    h("label", { for: id }, label),
    hint && h("p", { class: "hint", id: `${id}-hint` }, hint),
    h("div", { class: "picker-box" }, input, list),
    count,
    hidden,
    error,
  );
  const byId = (projectId) => projects.find((project) => String(project.id) === String(projectId));
  let options = [];
  let active = -1;

  function choose(projectId, { announce = true } = {}) {
    const project = byId(projectId);
    hidden.value = project ? String(project.id) : "";
    input.value = project ? project.name : "";
    if (announce) onChange(hidden.value);
  }

  function optionRow(project, index) {
    const row = h(
      "li",
      {
        id: `picker${serial}-option-${project.id}`,
        role: "option",
        class: "picker-option",
        "aria-selected": String(project.id) === hidden.value ? "true" : "false",
        "data-project-id": String(project.id),
      },
      project.name,
    );
    // pointerdown, not click: the input must not lose focus (and close the list) first.
    row.addEventListener("pointerdown", (event) => event.preventDefault());
    row.addEventListener("click", () => {
      choose(project.id);
      close();
    });
    options[index] = { row, project };
    return row;
  }

  function render() {
    const query = normalise(input.value);
    const selected = byId(hidden.value);
    // The chosen project's own name is no filter: opening the list shows every choice.
    const filtering = query !== "" && !(selected && normalise(selected.name) === query);
    const { recent, others } = orderProjects(projects);
    options = [];
    let index = 0;
    const rows = (items) => items.map((project) => optionRow(project, index++));
    if (filtering) {
      const found = [...recent, ...others].filter((project) => normalise(project.name).includes(query));
      list.replaceChildren(h("ul", { role: "none", class: "picker-group" }, rows(found)));
      if (!found.length) list.append(h("p", { class: "picker-empty" }, "No project matches."));
      count.textContent = found.length === 1 ? "1 project matches." : `${found.length} projects match.`;
    } else {
      const group = (title, items, key) =>
        items.length > 0 &&
        h(
          "ul",
          { role: "group", "aria-labelledby": `picker${serial}-${key}`, class: "picker-group" },
          h("li", { role: "presentation", class: "picker-heading", id: `picker${serial}-${key}` }, title),
          rows(items),
        );
      list.replaceChildren(...[group("Recent", recent, "recent"), group(recent.length ? "All projects" : "Projects", others, "all")].filter(Boolean));
      count.textContent = `${projects.length} projects.`;
    }
    // No automatic highlight while typing: Enter then submits the form, ArrowDown reaches the first match.
    active = filtering ? -1 : options.findIndex((option) => String(option.project.id) === hidden.value);
    highlight();
  }

  function highlight() {
    options.forEach(({ row }, index) => row.classList.toggle("active", index === active));
    const current = options[active];
    if (current) {
      input.setAttribute("aria-activedescendant", current.row.id);
      current.row.scrollIntoView?.({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function open() {
    if (disabled || !list.hidden) return;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    render();
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    count.textContent = "";
  }

  /** Leaving the field: a typed exact name counts as a choice, anything else falls back to the chosen one. */
  function settle() {
    const typed = normalise(input.value);
    if (typed === "") return choose("");
    const exact = projects.find((project) => normalise(project.name) === typed);
    if (exact) return choose(exact.id, { announce: String(exact.id) !== hidden.value });
    const selected = byId(hidden.value);
    input.value = selected ? selected.name : "";
  }

  input.addEventListener("focus", open);
  input.addEventListener("click", open);
  input.addEventListener("input", () => {
    if (list.hidden) open();
    else render();
  });
  input.addEventListener("blur", () => {
    close();
    settle();
  });
  input.addEventListener("keydown", (event) => {
    const move = { ArrowDown: 1, ArrowUp: -1, PageDown: 5, PageUp: -5 }[event.key];
    if (move) {
      event.preventDefault();
      if (list.hidden) return open();
      if (!options.length) return;
      active = active < 0 ? (move > 0 ? 0 : options.length - 1) : Math.min(options.length - 1, Math.max(0, active + move));
      highlight();
    } else if (event.key === "Enter") {
      if (list.hidden || !options[active]) return; // nothing highlighted: Enter submits the form as usual
      event.preventDefault();
      choose(options[active].project.id);
      close();
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
      settle();
    }
  });

  choose(value, { announce: false });
  return {
    element,
    input,
    get value() {
      return hidden.value;
    },
    set value(projectId) {
      choose(projectId, { announce: false });
    },
    focus: () => input.focus(),
    /** Show (or clear, with "") the field's error, tied to the input for assistive technology. */
    setInvalid(message) {
      error.textContent = message;
      if (message) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    },
  };
}

// Tiny DOM helpers: element builder, screen frame, announcements, confirmation dialog, form fields.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "value") element.value = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

const main = () => document.getElementById("main");

/** Thrown by a view that is no longer current; the router drops it silently. */
export class StaleView extends Error {
  constructor() {
    super("The person has moved to another screen.");
  }
}

let currentView = null;

/**
 * Start drawing a new screen. Every screen draws only through the view it is
 * given, so a screen whose data arrives after the person moved on cannot
 * overwrite the screen they moved to: its `show` throws StaleView, its `go`
 * does nothing, and its `signal` is aborted (pending loads are cancelled).
 */
export function beginView() {
  currentView?.controller.abort();
  const controller = new AbortController();
  const view = {
    controller,
    signal: controller.signal,
    isCurrent: () => currentView === view,
    /** Replace the screen; the heading takes focus so screen readers announce the new screen. */
    show(title, ...content) {
      if (!view.isCurrent()) throw new StaleView();
      const heading = h("h1", { tabindex: "-1" }, title);
      main().replaceChildren(heading, ...content.flat(Infinity).filter((part) => part !== null && part !== undefined && part !== false));
      document.title = `${title} · ABC Timesheets`;
      return heading;
    },
  };
  currentView = view;
  return view;
}

export const focusHeading = () => main().querySelector("h1")?.focus({ preventScroll: true });

let toastTimer = 0;
export function announce(message) {
  const status = document.getElementById("status");
  status.textContent = message;
  status.classList.add("shown");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => status.classList.remove("shown"), 4000);
}

export function confirmDialog({ title, message, confirmLabel, danger = false }) {
  return new Promise((resolve) => {
    const dialog = h(
      "dialog",
      { class: "dialog", "aria-labelledby": "dialog-title", "aria-describedby": "dialog-message" },
      h("h2", { id: "dialog-title" }, title),
      h("p", { id: "dialog-message" }, message),
      h(
        "form",
        { method: "dialog", class: "actions" },
        h("button", { value: "cancel", class: "secondary" }, "Cancel"),
        h("button", { value: "confirm", class: danger ? "danger" : "primary" }, confirmLabel),
      ),
    );
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(dialog.returnValue === "confirm");
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A labelled control with a slot for its error, tied together for assistive technology. */
export function field(id, label, control, hint = "") {
  control.id = id;
  control.setAttribute("aria-describedby", `${id}-error${hint ? ` ${id}-hint` : ""}`);
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    hint && h("p", { class: "hint", id: `${id}-hint` }, hint),
    control,
    h("p", { class: "field-error", id: `${id}-error` }),
  );
}

export function setFieldError(form, name, messages) {
  const control = form.elements[name];
  const slot = control && form.querySelector(`#${control.id}-error`);
  if (!slot) return false;
  const text = [messages].flat().filter(Boolean).join(" ");
  slot.textContent = text;
  if (text) control.setAttribute("aria-invalid", "true");
  else control.removeAttribute("aria-invalid");
  return true;
}

export const badge = (kind, text) => h("span", { class: `badge ${kind}` }, text);

// The running timer's panel on the week screen: elapsed time ticking, Stop (the
// server rounds to quarter hours) and Discard (asks first); or the last stop's
// result; or Start a timer.
import { formatHours, longDay } from "../dates.js";
import { ROUNDING_RULE, discardTimer, dismissTimerNotice, formatElapsed, stopTimer } from "../timer.js";
import { announce, confirmDialog, h } from "../ui.js";

/** The week screen's timer panel: a running timer, the last stop's result, or Start a timer. */
export function timerPanel(state, { locked }) {
  const { timer, problem, stopped } = state;
  const parts = [];
  if (problem) parts.push(h("p", { class: "form-error", role: "alert", "data-testid": "timer-problem" }, problem));
  if (stopped && !timer) parts.push(stoppedNote(stopped));
  if (timer) {
    parts.push(runningTimer(timer));
  } else if (!locked) {
    parts.push(h("a", { class: "button secondary wide-inline", href: "#/timer/start" }, h("span", { "aria-hidden": "true" }, "▶ "), "Start a timer"));
  }
  return parts.length ? h("section", { class: "timer-panel", "aria-label": "Timer", "data-testid": "timer-panel" }, parts) : null;
}

function stoppedNote(stopped) {
  const text = stopped.entry
    ? `Timer stopped: ${formatHours(stopped.entry.hours)} logged on ${stopped.project_name || stopped.entry.project_name}, ${longDay(stopped.entry.date)} (rounded to the nearest quarter hour).`
    : `Timer stopped at ${new Date(stopped.stopped_at).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}: the entry is made when you are back online.`;
  return h(
    "div",
    { class: stopped.entry ? "timer-done" : "notice", "data-testid": "timer-stopped" },
    h("p", {}, text),
    stopped.entry && h("button", { type: "button", class: "secondary", onclick: () => dismissTimerNotice() }, "OK"),
  );
}

function runningTimer(timer) {
  const started = new Date(timer.started_at);
  const elapsed = h("strong", { class: "elapsed", role: "timer", "data-testid": "timer-elapsed" }, formatElapsed(Date.now() - started));
  // Ticks while the panel is on screen; stops by itself once the screen is redrawn.
  const tick = setInterval(() => {
    if (!elapsed.isConnected) return clearInterval(tick);
    elapsed.textContent = formatElapsed(Date.now() - started);
  }, 1000);
  const buttons = [];
  const busy = (on) => buttons.forEach((button) => { button.disabled = on; });
  async function stop() {
    busy(true);
    const result = await stopTimer();
    if (result?.entry) announce(`Timer stopped: ${formatHours(result.entry.hours)} logged.`);
    else if (result) announce("Timer stopped on this phone. The entry is made when you are back online.");
  }
  async function discard() {
    const ok = await confirmDialog({
      title: "Discard the timer?",
      message: `The time since ${started.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })} on ${timer.project_name} is not logged.`,
      confirmLabel: "Discard timer",
      danger: true,
    });
    if (!ok) return;
    busy(true);
    await discardTimer();
    announce("Timer discarded.");
  }
  buttons.push(
    h("button", { type: "button", class: "primary", onclick: stop }, h("span", { "aria-hidden": "true" }, "■ "), "Stop"),
    h("button", { type: "button", class: "secondary", onclick: discard }, "Discard"),
  );
  return h(
    "div",
    { class: "timer-running", "data-testid": "timer-running", "data-uuid": timer.uuid, "data-project": String(timer.project) },
    h("p", { class: "timer-line" }, h("span", { class: "timer-dot", "aria-hidden": "true" }), "Timer running: ", elapsed),
    h("p", {}, h("strong", {}, timer.project_name), timer.notes && ` · ${timer.notes}`),
    h("p", { class: "muted" }, `Started ${started.toLocaleString("en-GB", { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })}. ${ROUNDING_RULE}`),
    h("div", { class: "row-actions" }, buttons),
  );
}

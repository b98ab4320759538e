// Shown whenever nobody is signed in, in place of any protected screen; and, when
// the issuer refused to renew a session, a screen that says so and brings the
// person back to where they were.
import { signIn } from "../auth.js";
import { queuedAll } from "../sync.js";
import { h } from "../ui.js";

function signInButton(problem, returnTo, label) {
  return h(
    "button",
    {
      type: "button",
      class: "primary wide",
      onclick: async () => {
        try {
          await signIn(returnTo);
        } catch (error) {
          problem.textContent = navigator.onLine ? error.message : "Signing in needs a connection.";
        }
      },
    },
    label,
  );
}

export function signInScreen({ view, message = "", returnTo = "#/week" }) {
  const problem = h("p", { class: "form-error", role: "alert" }, message);
  view.show(
    "Sign in",
    h("p", { class: "lead" }, "Log your working time from your phone, also without a connection."),
    problem,
    signInButton(problem, returnTo, "Sign in"),
  );
}

export async function sessionEndedScreen({ view, returnTo = "#/week" }) {
  const waiting = (await queuedAll()).length;
  const problem = h("p", { class: "form-error", role: "alert" });
  view.show(
    "Session ended",
    h("p", { class: "notice", role: "note" }, "Your session has ended, so the app cannot reach your timesheets right now."),
    waiting > 0 &&
      h(
        "p",
        { "data-testid": "kept-on-phone" },
        waiting === 1
          ? "1 change is saved on this phone. It is sent once you have signed in again."
          : `${waiting} changes are saved on this phone. They are sent once you have signed in again.`,
      ),
    h("p", {}, "Sign in again to carry on where you were."),
    problem,
    signInButton(problem, returnTo, "Sign in again"),
  );
}

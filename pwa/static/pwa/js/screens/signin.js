// Shown whenever nobody is signed in, in place of any protected screen.
import { signIn } from "../auth.js";
import { h } from "../ui.js";

export function signInScreen({ view, message = "", returnTo = "#/week" }) {
  const problem = h("p", { class: "form-error", role: "alert" }, message);
  view.show(
    "Sign in",
    h("p", { class: "lead" }, "Log your working time from your phone, also without a connection."),
    problem,
    h(
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
      "Sign in",
    ),
  );
}

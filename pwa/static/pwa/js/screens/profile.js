// Profile: who is signed in (from the ID token), what the token allows, sign-out.
import { currentSession, grantedScopes, signOut } from "../auth.js";
import { queued } from "../sync.js";
import { scopeLabel } from "../config.js";
import { confirmDialog, h } from "../ui.js";

export async function profileScreen({ view }) {
  const { profile, issuer } = currentSession();
  const unsynced = await queued();
  const apiScopes = grantedScopes().filter((scope) => !["openid", "profile", "email"].includes(scope));
  view.show(
    "Profile",
    h(
      "div",
      { class: "person" },
      profile.picture
        ? h("img", { src: profile.picture, alt: "", width: "64", height: "64", class: "avatar", referrerpolicy: "no-referrer" })
        : h("span", { class: "avatar initials", "aria-hidden": "true" }, (profile.name || "?").slice(0, 1).toUpperCase()),
      h("div", {}, h("p", { class: "name" }, profile.name), h("p", { class: "email" }, profile.email)),
    ),
    h("h2", {}, "With your permissions you can"),
    h(
      "ul",
      { class: "scopes", "aria-label": "Granted scopes" },
      apiScopes.map((scope) =>
        h("li", { "data-scope": scope }, scopeLabel(scope) || "Use a permission this app does not describe", h("br"), h("span", { class: "scope-name" }, `Permission: ${scope}`)),
      ),
    ),
    h("p", { class: "muted" }, `Signed in with ${new URL(issuer).host}`),
    unsynced.length > 0 && h("p", { class: "notice" }, `${unsynced.length} entries on this phone are not synced yet.`),
    h(
      "button",
      {
        type: "button",
        class: "danger wide",
        onclick: async () => {
          const waiting = (await queued()).length;
          if (waiting) {
            const confirmed = await confirmDialog({
              title: "Sign out?",
              message: `${waiting} entries have not reached the server yet. Signing out deletes them from this phone.`,
              confirmLabel: "Sign out",
              danger: true,
            });
            if (!confirmed) return;
          }
          await signOut();
        },
      },
      "Sign out",
    ),
  );
}

// The join page's privacy notice (a small mount in audience.html): the session's own
// settings in plain words, from GET /api/sessions/{slug}/privacy. Text only via textContent.

import { request } from "./api.js";
import { el, setChildren, slugFromPath } from "./dom.js";

async function showPrivacy() {
  const box = document.getElementById("privacy");
  if (!box) return;
  try {
    const privacy = await request("GET", `/api/sessions/${encodeURIComponent(slugFromPath())}/privacy`);
    setChildren(
      box,
      el(
        "details",
        { open: true },
        el("summary", {}, "Your data: names, e-mail, how long we keep it"),
        el("ul", { id: "privacy-statements" }, (privacy.statements || []).map((s) => el("li", {}, s))),
      ),
    );
    box.hidden = false;
  } catch {
    box.hidden = true; // asking a question must not depend on this notice loading
  }
}

showPrivacy();

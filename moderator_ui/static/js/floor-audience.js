// Audience phone: "Ask for the floor" (name, optional affiliation and group, where I am),
// then my place, live ("You are number 3 in the queue"), and "Decline to speak for now".
// The page learns its own request from GET /floor/mine (the audience cookie says whose);
// its place then follows the public queue each floor.updated event carries.

import { el, setChildren } from "./dom.js";
import { announcer, t } from "./i18n.js";
import { attempt } from "./toast.js";
import { GROUPS, floorApi, groupLabel, watchFloor } from "./floor-core.js";

const NAME_KEY = "fb_name";

export function mountAudienceFloor(container, { store, slug }) {
  const api = floorApi(slug);
  const say = announcer();
  let mine = null; // {id, position, state, ...}
  let busy = false;
  let lastSaid = null;
  const get = watchFloor(store, () => {
    follow();
    draw();
  });

  function follow() {
    const floor = get();
    if (!mine || !floor) return;
    if (floor.speaking && floor.speaking.id === mine.id) mine = { ...mine, state: "speaking", position: null };
    else {
      const place = (floor.queue || []).find((i) => i.id === mine.id);
      if (place) mine = { ...mine, state: "waiting", position: place.position };
      else if (mine.state === "waiting" || mine.state === "speaking") mine = { ...mine, state: "done", position: null };
    }
  }

  const heading = el("h2", { id: "aud-floor-heading" }, t("floor.ask_heading"));
  const body = el("div", { class: "aud-floor-body" });
  container.replaceChildren(heading, body);
  container.setAttribute("aria-labelledby", "aud-floor-heading");
  container.hidden = false;

  function field(id, label, input, optional = false) {
    return [
      el("label", { for: id }, label, optional ? el("span", { class: "optional" }, ` ${t("floor.optional")}`) : null),
      input,
    ];
  }

  function form() {
    let remembered = "";
    try {
      remembered = localStorage.getItem(NAME_KEY) || "";
    } catch {
      remembered = "";
    }
    const name = el("input", { id: "floor-name", type: "text", maxlength: 80, autocomplete: "name", required: true, value: remembered });
    const affiliation = el("input", { id: "floor-affiliation", type: "text", maxlength: 120, autocomplete: "organization" });
    const group = el("select", { id: "floor-group" },
      el("option", { value: "" }, t("floor.group.none")),
      GROUPS.map((g) => el("option", { value: g }, groupLabel(g))));
    const where = el("select", { id: "floor-where" },
      el("option", { value: "remote" }, t("floor.where.remote")),
      el("option", { value: "room" }, t("floor.where.room")),
      el("option", { value: "hub" }, t("floor.where.hub")));
    const hub = el("input", { id: "floor-hub", type: "text", maxlength: 80 });
    const hubRow = el("div", { class: "floor-hub-row", hidden: true }, field("floor-hub", t("floor.hub_name"), hub));
    where.addEventListener("change", () => {
      hubRow.hidden = where.value !== "hub";
      hub.required = where.value === "hub";
    });
    const consent = el("input", { id: "floor-public", type: "checkbox" });
    const send = el("button", { id: "floor-send", type: "submit", class: "btn btn-primary btn-block" }, t("floor.ask"));
    const f = el("form", { id: "floor-form", class: "ask-form floor-form" },
      field("floor-name", t("floor.name"), name),
      field("floor-affiliation", t("floor.affiliation"), affiliation, true),
      field("floor-group", t("floor.group_label"), group, true),
      field("floor-where", t("floor.where_label"), where),
      hubRow,
      el("label", { class: "floor-consent", for: "floor-public" }, consent, ` ${t("floor.public")}`),
      send);
    f.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (busy) return;
      busy = true;
      send.disabled = true;
      try {
        localStorage.setItem(NAME_KEY, name.value.trim());
      } catch {
        /* private mode: the name is not remembered */
      }
      const answer = await attempt(() =>
        api.ask({
          name: name.value,
          affiliation: affiliation.value || null,
          group: group.value || null,
          where: where.value,
          hub: where.value === "hub" ? hub.value : null,
          public: consent.checked,
        }),
      );
      busy = false;
      send.disabled = false;
      if (answer) {
        mine = { ...answer };
        follow();
        draw();
      }
    });
    return f;
  }

  const place = el("p", { id: "floor-place", class: "floor-place", role: "status" });
  const withdraw = el("button", { id: "floor-withdraw", type: "button", class: "btn btn-block" }, t("floor.withdraw"));
  withdraw.addEventListener("click", async () => {
    if (busy || !mine) return;
    busy = true;
    const answer = await attempt(() => api.withdraw(mine.id));
    busy = false;
    if (answer) {
      mine = null;
      draw();
    }
  });
  const statusBox = el("div", { class: "floor-mine" }, place, withdraw);
  const theForm = form();

  // Built once, updated in place: a live update never eats what is being typed or tapped.
  function draw() {
    const active = mine && (mine.state === "waiting" || mine.state === "speaking");
    const shown = active ? statusBox : theForm;
    if (body.firstChild !== shown) setChildren(body, shown);
    if (!active) return;
    const waiting = mine.state === "waiting";
    const text = waiting ? t("floor.you_are", { n: mine.position }) : t("floor.you_speak");
    statusBox.className = `floor-mine ${waiting ? "floor-mine--waiting" : "floor-mine--speaking"}`;
    place.textContent = text;
    withdraw.hidden = !waiting;
    if (text !== lastSaid) say(text);
    lastSaid = text;
  }

  attempt(() => api.mine()).then((answer) => {
    const found = answer && answer.request;
    if (found && (found.state === "waiting" || found.state === "speaking")) {
      mine = found;
      follow();
    }
    draw();
  });
  draw();
}

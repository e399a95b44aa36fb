// The floor (speaking queue, issue 15): the page's copy, kept from the snapshot part
// `floor` and the floor.updated events (each carries the whole queue as the role may see
// it), the REST calls, and the words for "how they join".

import { request } from "./api.js";
import { t } from "./i18n.js";

export const GROUPS = ["government", "civil_society", "private_sector", "technical", "academia",
  "intergovernmental", "youth", "other"];

export function watchFloor(store, fn) {
  let floor = (store.parts && store.parts.floor) || null;
  store.subscribe((s, change) => {
    if (change.type === "snapshot") floor = (s.parts && s.parts.floor) || null;
    else if (change.type === "floor.updated") floor = change.data.floor || floor;
    else return;
    fn(floor);
  });
  return () => floor;
}

export function floorApi(slug) {
  const base = `/api/sessions/${encodeURIComponent(slug)}/floor`;
  const one = (id) => `${base}/${encodeURIComponent(id)}`;
  return {
    ask: (body) => request("POST", base, body),
    mine: () => request("GET", `${base}/mine`),
    withdraw: (id) => request("DELETE", one(id)),
    add: (body) => request("POST", `${base}/add`, body),
    next: () => request("POST", `${base}/next`),
    act: (id, action) => request("POST", `${one(id)}/actions/${action}`),
    move: (id, position) => request("POST", `${one(id)}/move`, { position }),
    settings: (body) => request("PATCH", `${base}/settings`, body),
  };
}

export const groupLabel = (g) => (g ? t(`floor.group.${g}`) : "");

/** "in the room", "remote via Zoom", "remote hub: Nairobi". */
export function whereLabel(item) {
  if (item.where === "room") return t("floor.where.room");
  if (item.where === "hub") return t("floor.where.hub_named", { hub: item.hub || "" });
  return item.channel === "zoom" ? t("floor.where.zoom") : t("floor.where.remote");
}

/** "civil society, remote via Zoom" */
export function joinLabel(item) {
  return [groupLabel(item.group), whereLabel(item)].filter(Boolean).join(", ");
}

/** A name, or "Speaker 3" when the name is not public. */
export function nameOf(item) {
  return item.name || t("floor.anonymous", { n: item.position || "" }).trim();
}

/** The intervention timer from server timestamps: remaining ms and the phase. */
export function turnNumbers(floor, nowMs) {
  const s = floor && floor.speaking;
  if (!s || !s.called_at) return null;
  const planned = (floor.settings.intervention_seconds || 0) * 1000;
  const remainingMs = planned - (nowMs - s.called_at);
  let phase = "normal";
  if (remainingMs < 0) phase = "overrun";
  else if (remainingMs <= (floor.settings.warning_seconds || 0) * 1000) phase = "warning";
  return { remainingMs, phase };
}

/** Who the online moderator must unmute in Zoom: anyone speaking from outside the room. */
export const mustUnmute = (item) => Boolean(item) && item.where !== "room";

/** The room screen's floor: who speaks and (when the moderator allows it) who is next. */
export function drawScreenFloor(container, floor, el, setChildren) {
  const s = floor && floor.speaking;
  const queue = (floor && floor.queue) || [];
  setChildren(
    container,
    el("h2", { class: "screen-floor-label" }, t("floor.title")),
    s
      ? el("p", { id: "screen-floor-now", class: "screen-floor-now", dir: "auto" },
          el("bdi", {}, nameOf(s)), el("span", { class: "screen-floor-how" }, ` · ${joinLabel(s)}`))
      : el("p", { class: "screen-floor-now" }, t("floor.nobody")),
    queue.length
      ? el("ol", { id: "screen-floor-list", class: "screen-floor-list" },
          queue.slice(0, 6).map((i) => el("li", { dir: "auto" }, el("bdi", {}, nameOf(i)), ` · ${joinLabel(i)}`)))
      : null,
  );
}

// What every page does first: find the slug, make the store, open the live socket.

import "./i18n.js"; // first: the catalogue is loaded before any page draws
import { sessionApi } from "./api.js";
import { slugFromPath } from "./dom.js";
import { startLive } from "./live.js";
import { Store } from "./store.js";
import { toast } from "./toast.js";

export function boot() {
  const slug = slugFromPath();
  const store = new Store();
  const live = startLive({ slug, store, onError: (detail) => toast(detail) });
  return { slug, store, live, api: sessionApi(slug) };
}

/** "Title · Console" in the tab, from the session the snapshot brought. */
export function titleFrom(store, suffix) {
  const title = store.session && store.session.title;
  document.title = title ? `${title} · ${suffix}` : suffix;
}

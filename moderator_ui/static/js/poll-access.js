// The session's join code for voting (set on the console), for the pages that show it in
// the room: the snapshot's `poll_access` part, then poll_access.updated events. Phones
// never receive it (see docs/polls.md).

/** watchJoinCode(store, onChange) -> get(): the code, or null when votes need none. */
export function watchJoinCode(store, onChange = () => {}) {
  let code = null;
  store.subscribe((s, change) => {
    let next = code;
    if (change.type === "snapshot") next = (s.parts && s.parts.poll_access && s.parts.poll_access.join_code) || null;
    else if (change.type === "poll_access.updated") next = (change.data && change.data.join_code) || null;
    if (next === code) return;
    code = next;
    onChange(code);
  });
  return () => code;
}

// Notes from the online moderator to the stage: the page's list, kept from the snapshot
// and note.* events (the server sends them to the moderator and the stage only).

export function watchNotes(store, fn) {
  let notes = new Map();
  const load = (list) => {
    notes = new Map((list || []).map((n) => [n.id, n]));
  };
  load(store.parts && store.parts.notes);
  store.subscribe((s, change) => {
    if (change.type === "snapshot") load(s.parts && s.parts.notes);
    else if (change.type === "note.created" || change.type === "note.acked") {
      const note = change.data.note;
      if (note) notes.set(note.id, note);
    } else return;
    fn([...notes.values()]);
  });
  return () => [...notes.values()].sort((a, b) => a.id - b.id);
}

export function clockTime(iso) {
  const d = iso ? new Date(iso) : null;
  return d && !Number.isNaN(d.getTime())
    ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : "";
}

// The offline queue. What the person saves without a connection (or with an ended
// session) is stored in IndexedDB and replayed in order, exactly once:
// - create: a new entry with the uuid the app chose; sending it twice still makes one entry.
// - update / delete: a change to an entry the server has, keyed by that entry's uuid (a
//   second change before sync replaces the first) and sent with `If-Match: <etag>` of the
//   version the person changed. A 412 means someone changed the entry meanwhile: the item
//   becomes a conflict holding the server's `current` version, and the person chooses
//   (keepMine / keepTheirs). A resent write whose first answer was lost is recognised
//   (the server already has these values, or the entry is already gone) and not repeated.
// An item the server refuses stays queued, with the reason, until fixed or discarded.
import { coalesced } from "./coalesce.js";
import { ApiError, api } from "./api.js";
import { currentSession } from "./auth.js";
import { queueStore } from "./db.js";

const listeners = new Set();
export const onQueueChange = (listener) => listeners.add(listener);
const notify = () => listeners.forEach((listener) => listener());

export const kindOf = (item) => item.kind ?? "create";

/** All of the signed-in user's queued items (new entries and changes), oldest first. */
export async function queuedAll() {
  const session = currentSession();
  if (!session) return [];
  const items = await queueStore.all();
  return items.filter((item) => item.owner === session.sub).sort((a, b) => a.queuedAt - b.queuedAt);
}

/** The signed-in user's queued new entries, oldest first (the week lists them as entries of their own). */
export const queued = async () => (await queuedAll()).filter((item) => kindOf(item) === "create");

/** The signed-in user's queued changes to entries the server has (data.js shows them on those entries). */
export const queuedChanges = async () => (await queuedAll()).filter((item) => kindOf(item) !== "create");

/** One of the signed-in user's queued items; another user's item on this phone is not theirs to see or send. */
export async function queuedItem(uuid) {
  const session = currentSession();
  const item = await queueStore.get(uuid);
  return session && item?.owner === session.sub ? item : undefined;
}

async function store(item) {
  await queueStore.put(item);
  notify();
  if (navigator.onLine) replay().catch(() => {});
  return item;
}

/** Queue a new entry (or, from the Fix screen, replace a queued one). */
export function enqueue(entry) {
  return store({
    uuid: entry.uuid ?? crypto.randomUUID(),
    kind: "create",
    owner: currentSession().sub,
    date: entry.date,
    project: entry.project,
    project_name: entry.project_name,
    hours: entry.hours,
    notes: entry.notes ?? "",
    state: "waiting",
    error: null,
    queuedAt: entry.queuedAt ?? Date.now(),
  });
}

const ENTRY_FIELDS = ["date", "project", "project_name", "hours", "notes"];
const valuesOf = (entry) => Object.fromEntries(ENTRY_FIELDS.map((name) => [name, entry[name]]));

/**
 * Queue a change to an entry the server has: `entry` as the person last saw it (with
 * its etag), `values` the new date/project/project_name/hours/notes (update only).
 * A change already waiting for this entry keeps the version it was based on.
 */
export async function enqueueChange(kind, entry, values = {}) {
  const waiting = await queuedItem(entry.uuid);
  const base = waiting && kindOf(waiting) !== "create" ? waiting : null;
  return store({
    uuid: entry.uuid,
    kind,
    owner: currentSession().sub,
    entryId: entry.id,
    etag: base ? base.etag : entry.etag ?? null,
    original: base ? base.original : { ...valuesOf(entry), status: entry.status },
    ...valuesOf(kind === "delete" ? (base ?? entry) : { ...entry, ...values }),
    state: "waiting",
    error: null,
    current: null,
    queuedAt: base ? base.queuedAt : Date.now(),
  });
}

export async function discard(uuid) {
  await queueStore.delete(uuid);
  notify();
}

const sameValues = (entry, item) =>
  entry.date === item.date &&
  String(entry.project) === String(item.project) &&
  Number(entry.hours) === Number(item.hours) &&
  (entry.notes ?? "") === (item.notes ?? "");

/**
 * Send one item; "done" when the server has it as the person wanted, "conflict" (with
 * the server's current version) when the entry changed meanwhile. Other errors throw.
 */
async function send(item, etag) {
  const { uuid, date, project, hours, notes } = item;
  const headers = etag ? { "If-Match": etag } : {};
  try {
    if (kindOf(item) === "create") await api("POST", "/timesheets", { uuid, date, project, hours, notes });
    else if (item.kind === "update") await api("PATCH", `/timesheets/${item.entryId}`, { date, project, hours, notes }, { headers });
    else await api("DELETE", `/timesheets/${item.entryId}`, undefined, { headers });
    return { outcome: "done" };
  } catch (error) {
    if (!(error instanceof ApiError) || kindOf(item) === "create") throw error;
    // A delete resent after its answer was lost finds nothing left to delete.
    if (item.kind === "delete" && error.status === 404) return { outcome: "done" };
    if (error.status === 412 && error.current) {
      // An update resent after its answer was lost: the server already holds exactly these values.
      if (item.kind === "update" && sameValues(error.current, item)) return { outcome: "done" };
      return { outcome: "conflict", current: error.current };
    }
    throw error;
  }
}

async function settle(item, etag) {
  try {
    const result = await send(item, etag);
    if (result.outcome === "done") {
      await queueStore.delete(item.uuid);
    } else {
      await queueStore.put({ ...item, state: "conflict", current: result.current, error: null });
    }
    notify();
    return result.outcome;
  } catch (error) {
    if (!(error instanceof ApiError && error.isRejection)) throw error;
    const message = error.status === 404 ? "This entry no longer exists on the server." : error.sentence;
    await queueStore.put({ ...item, state: "rejected", error: { message, fieldErrors: error.fields } });
    notify();
    return "rejected";
  }
}

/** Conflict: send the person's version over the server's current one. Returns "done", "conflict" or "rejected". */
export async function keepMine(uuid) {
  const item = await queuedItem(uuid);
  if (!item || item.state !== "conflict") return "done";
  return settle(item, item.current.etag);
}

/** Conflict: the server's version stays; the person's change is dropped. */
export const keepTheirs = (uuid) => discard(uuid);

let retryTimer = 0;
let retryDelay = 0;
const MAX_RETRY_DELAY_MS = 5 * 60 * 1000;

/** Send what waits, in order. Safe to call any time; concurrent calls share one run. */
export const replay = coalesced(drain);

async function drain() {
  clearTimeout(retryTimer);
  let synced = 0;
  let stalled = false;
  for (const item of await queuedAll()) {
    if (item.state !== "waiting") continue;
    let outcome;
    try {
      outcome = await settle(item, item.etag);
    } catch {
      // Offline, signed out or a server fault: everything stays queued for the next try.
      stalled = true;
      break;
    }
    if (outcome === "done") synced += 1;
  }
  // A poor network may never fire "online": try again later, waiting longer each time.
  retryDelay = stalled ? Math.min(MAX_RETRY_DELAY_MS, (retryDelay || 7500) * 2) : 0;
  if (stalled) retryTimer = setTimeout(replay, retryDelay);
  return synced;
}

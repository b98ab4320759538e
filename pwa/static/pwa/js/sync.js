// The offline queue. An entry made without a connection is stored in IndexedDB
// with the uuid the app chose for it; replaying sends it with that uuid, so the
// server keeps exactly one entry even when a request went out twice. An entry the
// server refuses stays queued, with the reason, until the user fixes or discards it.
import { ApiError, api } from "./api.js";
import { currentSession } from "./auth.js";
import { queueStore } from "./db.js";

const listeners = new Set();
export const onQueueChange = (listener) => listeners.add(listener);
const notify = () => listeners.forEach((listener) => listener());

/** The signed-in user's queued entries, oldest first. */
export async function queued() {
  const session = currentSession();
  if (!session) return [];
  const items = await queueStore.all();
  return items.filter((item) => item.owner === session.sub).sort((a, b) => a.queuedAt - b.queuedAt);
}

/** One of the signed-in user's queued entries; another user's entry on this phone is not theirs to see or send. */
export async function queuedItem(uuid) {
  const session = currentSession();
  const item = await queueStore.get(uuid);
  return session && item?.owner === session.sub ? item : undefined;
}

export async function enqueue(entry) {
  const item = {
    uuid: entry.uuid ?? crypto.randomUUID(),
    owner: currentSession().sub,
    date: entry.date,
    project: entry.project,
    project_name: entry.project_name,
    hours: entry.hours,
    notes: entry.notes ?? "",
    state: "waiting",
    error: null,
    queuedAt: entry.queuedAt ?? Date.now(),
  };
  await queueStore.put(item);
  notify();
  if (navigator.onLine) replay().catch(() => {});
  return item;
}

export async function discard(uuid) {
  await queueStore.delete(uuid);
  notify();
}

let running = null;
let again = false;
let retryTimer = 0;
let retryDelay = 0;
const MAX_RETRY_DELAY_MS = 5 * 60 * 1000;

/** Send what waits, in order. Safe to call any time; concurrent calls share one run. */
export function replay() {
  if (running) {
    // Something changed while a run was under way: go round once more afterwards.
    again = true;
    return running;
  }
  running = drain().finally(() => {
    running = null;
    if (again) {
      again = false;
      replay().catch(() => {});
    }
  });
  return running;
}

async function drain() {
  clearTimeout(retryTimer);
  let synced = 0;
  let stalled = false;
  for (const item of await queued()) {
    if (item.state !== "waiting") continue;
    const { uuid, date, project, hours, notes } = item;
    try {
      await api("POST", "/timesheets", { uuid, date, project, hours, notes });
    } catch (error) {
      if (error instanceof ApiError && error.isRejection) {
        await queueStore.put({ ...item, state: "rejected", error: { message: error.message, fields: error.fields } });
        notify();
        continue;
      }
      // Offline, signed out or a server fault: everything stays queued for the next try.
      stalled = true;
      break;
    }
    await queueStore.delete(uuid);
    synced += 1;
    notify();
  }
  // A poor network may never fire "online": try again later, waiting longer each time.
  retryDelay = stalled ? Math.min(MAX_RETRY_DELAY_MS, (retryDelay || 7500) * 2) : 0;
  if (stalled) retryTimer = setTimeout(replay, retryDelay);
  return synced;
}

// The signed-in user's data as the screens need it: from the server when there
// is a connection, from this phone's copy (kept per user) when there is not.
// Entries are shown with the person's queued changes applied (sync.js), so an
// edit or a delete made offline shows at once.
import { api, listAll } from "./api.js";
import { OfflineError, SignInRequired, currentSession } from "./auth.js";
import { isoDay, addDays } from "./dates.js";
import { keys, kv } from "./db.js";
import { queuedChanges } from "./sync.js";

const sub = () => currentSession().sub;

/** Active projects ({ id, name, last_used }); the copy kept on this phone for this user when offline. */
export async function loadProjects({ signal } = {}) {
  const key = keys.projects(sub());
  try {
    const projects = await api("GET", "/projects", undefined, { signal });
    await kv.set(key, projects);
    return projects;
  } catch (error) {
    if (!(error instanceof OfflineError || error instanceof SignInRequired)) throw error;
    return (await kv.get(key)) ?? [];
  }
}

/**
 * Entries with the queued changes applied: an update shows its new values, a delete
 * hides the entry; both carry `pending_change` ("update", "delete", "conflict",
 * "rejected") and `queue_uuid` while they wait.
 */
export async function withQueuedChanges(entries, { from = null, to = null } = {}) {
  const changes = new Map((await queuedChanges()).map((item) => [item.uuid, item]));
  return entries.flatMap((entry) => {
    const change = changes.get(entry.uuid);
    if (!change) return [entry];
    if (change.kind === "delete" && change.state === "waiting") return [];
    const shown = change.kind === "update" ? { ...entry, date: change.date, project: change.project, project_name: change.project_name, hours: change.hours, notes: change.notes } : entry;
    if ((from && shown.date < from) || (to && shown.date > to)) return [];
    return [{ ...shown, pending_change: change.state === "waiting" ? change.kind : change.state, queue_uuid: change.uuid }];
  });
}

const weekRange = (monday) => ({ from: isoDay(monday), to: isoDay(addDays(monday, 6)) });

/** This user's copy of one week as last seen online: { entries, week, savedAt } or undefined. */
export async function savedWeek(monday) {
  const saved = await kv.get(keys.week(sub(), isoDay(monday)));
  return saved && { ...saved, entries: await withQueuedChanges(saved.entries, weekRange(monday)) };
}

/**
 * One week from the server: its entries and its state ({ state, comment, total_hours,
 * days_without_time, … } from /weeks). The copy on the phone is updated; throws
 * OfflineError without a connection.
 */
export async function loadWeek(monday, { signal } = {}) {
  const key = keys.week(sub(), isoDay(monday));
  const day = isoDay(monday);
  const [entries, weeks] = await Promise.all([
    listAll(`/timesheets?from=${day}&to=${isoDay(addDays(monday, 6))}&page_size=200`, { signal }),
    api("GET", `/weeks?from=${day}&to=${day}`, undefined, { signal }),
  ]);
  const week = weeks[0] ?? null;
  await kv.set(key, { entries, week, savedAt: Date.now() });
  return { entries: await withQueuedChanges(entries, weekRange(monday)), week };
}

/**
 * One entry as the server has it (with its etag), or this phone's copy from a saved
 * week when there is no connection: { entry, saved: true }. undefined when unknown.
 */
export async function findEntry(id, { signal } = {}) {
  try {
    return { entry: await api("GET", `/timesheets/${id}`, undefined, { signal }), saved: false };
  } catch (error) {
    if (!(error instanceof OfflineError || error instanceof SignInRequired)) throw error;
    const weeks = await kv.withPrefix(keys.weeks(sub()));
    const entry = weeks.flatMap((week) => week.entries ?? []).find((item) => String(item.id) === String(id));
    if (!entry) throw error;
    return { entry, saved: true };
  }
}

// The signed-in user's data as the screens need it: from the server when there
// is a connection, from this phone's copy (kept per user) when there is not.
import { api, listAll } from "./api.js";
import { OfflineError, currentSession } from "./auth.js";
import { isoDay, addDays } from "./dates.js";
import { keys, kv } from "./db.js";

const sub = () => currentSession().sub;

/** Active projects; the copy kept on this phone for this user when offline. */
export async function loadProjects({ signal } = {}) {
  const key = keys.projects(sub());
  try {
    const projects = await api("GET", "/projects", undefined, { signal });
    await kv.set(key, projects);
    return projects;
  } catch (error) {
    if (!(error instanceof OfflineError)) throw error;
    return (await kv.get(key)) ?? [];
  }
}

/** This user's copy of one week as last seen online: { entries, week, savedAt } or undefined. */
export const savedWeek = (monday) => kv.get(keys.week(sub(), isoDay(monday)));

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
  return { entries, week };
}

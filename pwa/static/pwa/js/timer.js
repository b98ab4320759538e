// The running timer: one per person, kept on this phone (IndexedDB) and on the
// server (/api/timer), so it survives closing the app, runs offline and shows on
// every device. Start, stop and discard take their time on the phone and are
// sent in order, each once: PUT with the phone's uuid and started_at, POST stop
// with its stopped_at, DELETE ?uuid= (a late discard never kills a newer timer).
// The replay lives here (not in sync.js): timer operations are not entries.
import { coalesced } from "./coalesce.js";
import { ApiError, api } from "./api.js";
import { OfflineError, currentSession } from "./auth.js";
import { isoDay } from "./dates.js";
import { timerStore } from "./db.js";

/** How the server turns elapsed time into hours; shown beside Stop. */
export const ROUNDING_RULE = "Stopping logs the time rounded to the nearest quarter hour (at least 15 minutes).";

const listeners = new Set();
export const onTimerChange = (listener) => listeners.add(listener);
const notify = () => listeners.forEach((listener) => listener());

const owner = () => currentSession()?.sub;
const blank = (sub) => ({ owner: sub, timer: null, ops: [], problem: null, stopped: null });

async function record() {
  const sub = owner();
  if (!sub) return null;
  return { ...blank(sub), ...(await timerStore.get(sub)) };
}

async function save(changed) {
  await timerStore.put(changed);
  notify();
}

/** "2026-12-07T09:15:00+01:00": the phone's clock with its own offset, as the server keeps it. */
export function isoWithOffset(date = new Date()) {
  const pad = (number) => String(Math.trunc(Math.abs(number))).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${isoDay(date)}T${time}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

/** "1:05:09" for elapsed milliseconds. */
export function formatElapsed(milliseconds) {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  const pad = (number) => String(number).padStart(2, "0");
  return `${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}

/**
 * The person's timer state: { timer, ops, problem, stopped } where timer is
 * { uuid, project, project_name, notes, started_at, date } or null, ops the
 * operations still to send, problem what the server last refused (in words) and
 * stopped the entry the last stop made (or a stop waiting to sync).
 */
export async function timerState() {
  return (await record()) ?? blank(null);
}

/**
 * Bring the phone's timer in line with the server's: send what waits first, then
 * GET /api/timer (a timer started or stopped on another device shows here).
 * Offline, the phone's own state stands.
 */
export async function refreshTimer({ signal } = {}) {
  await replayTimer();
  const current = await record();
  if (!current || current.ops.length) return current;
  let server;
  try {
    server = await api("GET", "/timer", undefined, { signal });
  } catch (error) {
    // Offline, or a server that refuses the timer: the week still shows, with the phone's own state.
    if (error instanceof OfflineError || error instanceof ApiError) return current;
    throw error;
  }
  const latest = await record();
  // Something was started or stopped on this phone meanwhile: the next replay decides.
  if (latest.ops.length) return latest;
  const timer = server ? pick(server) : null;
  if (JSON.stringify(timer) !== JSON.stringify(latest.timer)) await save({ ...latest, timer });
  return { ...latest, timer };
}

const pick = ({ uuid, project, project_name, notes, started_at, date }) => ({ uuid, project, project_name, notes, started_at, date });

export async function startTimer({ project, project_name, notes = "" }) {
  const current = await record();
  const started = new Date();
  const timer = { uuid: crypto.randomUUID(), project, project_name, notes, started_at: isoWithOffset(started), date: isoDay(started) };
  const body = { uuid: timer.uuid, project, notes, started_at: timer.started_at };
  await save({ ...current, timer, problem: null, stopped: null, ops: [...current.ops, { kind: "start", uuid: timer.uuid, body }] });
  await replayTimer();
  return timer;
}

export async function stopTimer() {
  const current = await record();
  const { timer } = current;
  if (!timer) return null;
  const stopped = { uuid: timer.uuid, project_name: timer.project_name, date: timer.date, started_at: timer.started_at, stopped_at: isoWithOffset(), entry: null };
  await save({
    ...current,
    timer: null,
    problem: null,
    stopped,
    ops: [...current.ops, { kind: "stop", uuid: timer.uuid, body: { uuid: timer.uuid, stopped_at: stopped.stopped_at }, timer }],
  });
  await replayTimer();
  return (await record()).stopped;
}

export async function discardTimer() {
  const current = await record();
  const { timer } = current;
  if (!timer) return;
  // Not yet on the server: nothing to send, the start is simply dropped.
  const unsent = current.ops.some((op) => op.kind === "start" && op.uuid === timer.uuid);
  const ops = unsent ? current.ops.filter((op) => op.uuid !== timer.uuid) : [...current.ops, { kind: "discard", uuid: timer.uuid }];
  await save({ ...current, timer: null, problem: null, stopped: null, ops });
  await replayTimer();
}

/** Forget the last stop's result and the last problem (the person has read them). */
export async function dismissTimerNotice() {
  const current = await record();
  if (current && (current.stopped || current.problem)) await save({ ...current, stopped: current.stopped?.entry ? null : current.stopped, problem: null });
}

function send(op) {
  if (op.kind === "start") return api("PUT", "/timer", op.body);
  if (op.kind === "stop") return api("POST", "/timer/stop", op.body);
  return api("DELETE", `/timer?uuid=${encodeURIComponent(op.uuid)}`);
}

const words = (error) => [error.message, ...Object.values(error.fields ?? {}).flat()].filter(Boolean).join(" ");

let retryTimer = 0;

/** Send the waiting timer operations in order. Concurrent calls share one run. */
export const replayTimer = coalesced(drain);

async function drain() {
  clearTimeout(retryTimer);
  for (;;) {
    const current = await record();
    const op = current?.ops[0];
    if (!op) return;
    let answer = null;
    let refused = null;
    try {
      answer = await send(op);
    } catch (error) {
      if (!(error instanceof ApiError && error.isRejection)) {
        // Offline, signed out or a server fault: everything waits for the next try.
        if (!(error instanceof OfflineError)) retryTimer = setTimeout(() => replayTimer().catch(() => {}), 15000);
        return;
      }
      refused = error;
    }
    const latest = await record();
    const next = { ...latest, ops: latest.ops.slice(1) };
    if (op.kind === "start" && refused) {
      // Another timer runs (started elsewhere) or the start itself was refused: the phone's start is void.
      if (next.timer?.uuid === op.uuid) next.timer = null;
      next.ops = next.ops.filter((other) => other.uuid !== op.uuid);
      if (next.stopped?.uuid === op.uuid) next.stopped = null;
      next.problem =
        refused.status === 409 ? "A timer was already running (started on another device); it is shown instead." : `The timer could not start: ${words(refused)}`;
      if (refused.status === 409) {
        const server = await api("GET", "/timer").catch(() => null);
        next.timer = server ? pick(server) : null;
      }
    } else if (op.kind === "stop" && refused) {
      if (refused.status === 404) {
        next.problem = "That timer no longer runs (stopped or discarded on another device).";
        next.stopped = null;
      } else {
        // The server keeps the timer running: show it again, with why, so the person can discard it.
        next.timer = next.timer ?? op.timer;
        next.stopped = null;
        next.problem = `The timer could not be stopped: ${words(refused)} It is still running; you can discard it.`;
      }
    } else if (op.kind === "stop") {
      next.stopped = { ...(next.stopped ?? {}), uuid: op.uuid, entry: answer };
    }
    await save(next);
  }
}

// Back online: send what waits (the app also replays on start through refreshTimer).
addEventListener("online", () => {
  if (owner()) replayTimer().catch(() => {});
});

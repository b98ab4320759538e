// IndexedDB, the app's only persistent storage: a key-value store (refresh token,
// session, discovery, and each user's cached weeks and projects) and the offline
// queue (by uuid, each item naming its owner), and each person's running timer
// with the timer operations still to send (by owner).
const DB_NAME = "abc-timesheets";
const DB_VERSION = 3;
const STORES = ["kv", "queue", "timer"];

// Version 1 kept one projects list for everybody who signed in on the phone.
const LEGACY_KEYS = ["projects"];

function userKey(sub, name) {
  if (!sub) throw new Error("A per-user key needs the signed-in user's sub.");
  return `user:${sub}:${name}`;
}

/**
 * Every key of the key-value store, built here and nowhere else. Device keys
 * describe the phone and its one session; user keys carry the ID token's `sub`,
 * so a second person signing in on the same phone never reads the first one's data.
 */
export const keys = {
  session: "session",
  refreshToken: "refresh_token",
  discovery: (issuer) => `discovery:${issuer}`,
  projects: (sub) => userKey(sub, "projects"),
  week: (sub, monday) => userKey(sub, `week:${monday}`),
  weeks: (sub) => userKey(sub, "week:"), // the prefix of all of this user's saved weeks
};

let opening = null;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = (event) => {
      const db = request.result;
      if (event.oldVersion < 1) {
        db.createObjectStore("kv");
        db.createObjectStore("queue", { keyPath: "uuid" });
      } else if (event.oldVersion < 2) {
        // Caches only; the session, the refresh token and the offline queue stay.
        const kvStore = request.transaction.objectStore("kv");
        for (const key of LEGACY_KEYS) kvStore.delete(key);
        kvStore.delete(IDBKeyRange.bound("week:", "week:\uffff"));
        kvStore.delete(IDBKeyRange.bound("lastWeek:", "lastWeek:\uffff"));
      }
      if (event.oldVersion < 3) db.createObjectStore("timer", { keyPath: "owner" });
    };
    request.onsuccess = () => {
      const db = request.result;
      // A newer version of the app in another tab needs the database: let it upgrade.
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      resolve(db);
    };
    request.onerror = () => {
      opening = null;
      reject(request.error);
    };
  });
  return opening;
}

async function run(storeNames, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeNames, mode);
    let result;
    const request = work(tx);
    if (request) request.onsuccess = () => { result = request.result; };
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export const kv = {
  get: (key) => run("kv", "readonly", (tx) => tx.objectStore("kv").get(key)),
  set: (key, value) => run("kv", "readwrite", (tx) => tx.objectStore("kv").put(value, key)),
  delete: (key) => run("kv", "readwrite", (tx) => tx.objectStore("kv").delete(key)),
  /** Every value whose key starts with `prefix`. */
  withPrefix: (prefix) => run("kv", "readonly", (tx) => tx.objectStore("kv").getAll(IDBKeyRange.bound(prefix, `${prefix}\uffff`))),
};

export const queueStore = {
  all: () => run("queue", "readonly", (tx) => tx.objectStore("queue").getAll()),
  get: (uuid) => run("queue", "readonly", (tx) => tx.objectStore("queue").get(uuid)),
  put: (item) => run("queue", "readwrite", (tx) => tx.objectStore("queue").put(item)),
  delete: (uuid) => run("queue", "readwrite", (tx) => tx.objectStore("queue").delete(uuid)),
};

/** One record per person: { owner, timer, ops, problem } (timer.js). */
export const timerStore = {
  get: (owner) => run("timer", "readonly", (tx) => tx.objectStore("timer").get(owner)),
  put: (record) => run("timer", "readwrite", (tx) => tx.objectStore("timer").put(record)),
};

/** Forget everything stored on this device (sign-out). */
export function clearAll() {
  return run(STORES, "readwrite", (tx) => {
    for (const name of STORES) tx.objectStore(name).clear();
  });
}

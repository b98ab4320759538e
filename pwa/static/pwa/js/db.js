// IndexedDB, the app's only persistent storage: a key-value store (refresh token,
// session, cached weeks and projects, discovery) and the offline queue (by uuid).
const DB_NAME = "abc-timesheets";
const DB_VERSION = 1;
const STORES = ["kv", "queue"];

let opening = null;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("kv");
      db.createObjectStore("queue", { keyPath: "uuid" });
    };
    request.onsuccess = () => resolve(request.result);
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
};

export const queueStore = {
  all: () => run("queue", "readonly", (tx) => tx.objectStore("queue").getAll()),
  get: (uuid) => run("queue", "readonly", (tx) => tx.objectStore("queue").get(uuid)),
  put: (item) => run("queue", "readwrite", (tx) => tx.objectStore("queue").put(item)),
  delete: (uuid) => run("queue", "readwrite", (tx) => tx.objectStore("queue").delete(uuid)),
};

/** Forget everything stored on this device (sign-out). */
export function clearAll() {
  return run(STORES, "readwrite", (tx) => {
    for (const name of STORES) tx.objectStore(name).clear();
  });
}

/**
 * The script every pooled worker thread runs (as `new Worker(source, { eval: true })`, so the
 * package needs no separate entry file in either its ESM or its CJS build).
 *
 * Message protocol (all messages are structured-cloned objects, `t` is the type):
 *
 * host → worker
 * - `{ t: "call", id, url, name, args }` — `import(url)`, then `await module[name](...args)`.
 *   One call at a time per worker; `id` increases per pool.
 * - `{ t: "reply", cb, ok, value | error }` — the outcome of a `fromWorker.run()` callback.
 *
 * worker → host
 * - `{ t: "result", id, ok, value | error }` — the outcome of call `id`.
 * - `{ t: "call-host", id, cb, name, args }` — `fromWorker.run(name, ...args)` during call `id`;
 *   `cb` numbers the callback within the worker.
 *
 * Cancellation does not travel as a message (a CPU-bound call would never read it): the host
 * stores the cancelled call's `id` into a shared `Int32Array` (`workerData.cancelFlag`), which
 * `fromWorker.checkCancelled()` reads with `Atomics.load`. Errors travel as records made by
 * error-transfer.ts. `fromWorker` is published on `globalThis[Symbol.for("@anyio/worker.fromWorker")]`
 * for the exported `fromWorker` of this package to find.
 *
 * @module
 */
import { ERROR_TRANSFER_SOURCE } from "./error-transfer.js";

/** The global key under which the worker publishes its `fromWorker` implementation. */
export const FROM_WORKER_KEY = "@anyio/worker.fromWorker";

export const WORKER_BOOTSTRAP = `"use strict";
const { parentPort, workerData } = require("node:worker_threads");
${ERROR_TRANSFER_SOURCE}
const cancelFlag = workerData.cancelFlag;
let current = 0;
let nextCb = 1;
const pending = new Map();

function cancelledError() {
  const err = new Error("the call was cancelled in the host");
  Object.defineProperty(err, "name", { value: "Cancelled", writable: true, configurable: true });
  Object.defineProperty(err, Symbol.for("anyio.Cancelled"), { value: true });
  return err;
}

function outside(what) {
  const err = new Error(what + " must be called from a function that runInWorker() is running");
  Object.defineProperty(err, "name", { value: "NoEventLoopError", writable: true, configurable: true });
  return err;
}

globalThis[Symbol.for(${JSON.stringify(FROM_WORKER_KEY)})] = Object.freeze({
  run(name, args) {
    if (current === 0) return Promise.reject(outside("fromWorker.run()"));
    const cb = nextCb++;
    return new Promise((resolve, reject) => {
      pending.set(cb, { resolve, reject });
      try {
        parentPort.postMessage({ t: "call-host", id: current, cb, name, args });
      } catch (err) {
        pending.delete(cb);
        reject(err);
      }
    });
  },
  cancelRequested() {
    if (current === 0) throw outside("fromWorker.checkCancelled()");
    return Atomics.load(cancelFlag, 0) === current;
  },
  cancelledError,
});

function post(message, id) {
  try {
    parentPort.postMessage(message);
  } catch (err) {
    const wrapped = new TypeError("the result of the call could not be sent to the host: " + err.message);
    parentPort.postMessage({ t: "result", id, ok: false, error: serializeError(wrapped) });
  }
}

parentPort.on("message", async (msg) => {
  if (msg.t === "reply") {
    const p = pending.get(msg.cb);
    if (p === undefined) return;
    pending.delete(msg.cb);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(deserializeError(msg.error, true));
    return;
  }
  if (msg.t !== "call") return;
  current = msg.id;
  let out;
  try {
    const mod = await import(msg.url);
    const fn = mod[msg.name];
    if (typeof fn !== "function") {
      throw new TypeError("runInWorker(): " + msg.url + " has no exported function " + JSON.stringify(msg.name));
    }
    const value = await fn(...msg.args);
    out = { t: "result", id: msg.id, ok: true, value };
  } catch (err) {
    out = { t: "result", id: msg.id, ok: false, error: serializeError(err) };
  }
  current = 0;
  // Callbacks the call left unawaited stay unsettled (rejecting them could crash the worker
  // with an unhandled rejection); the host cancels their handlers.
  pending.clear();
  post(out, msg.id);
});
`;

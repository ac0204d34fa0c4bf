/**
 * A pool of reusable worker threads: `WorkerPool`.
 *
 * @module
 */
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import {
  CancelScope,
  type WaitOptions,
  Waiter,
  awaitCancellable,
  currentNode,
  foreignSignal,
  isCancelled,
  withTaskGroup,
} from "@anyio/core";
import { BrokenWorkerError } from "./errors.js";
import { deserializeError, type ErrorRecord, serializeError } from "./internal/error-transfer.js";
import { WORKER_BOOTSTRAP } from "./internal/worker-bootstrap.js";
import { SlotLimiter, type WorkerLimiter } from "./limiter.js";

/** Host functions a worker may call with `fromWorker.run(name, ...args)`. */
export type WorkerHandlers = Record<string, (...args: never[]) => unknown>;

/** Options of {@link runInWorker} and {@link WorkerPool.run}. */
export interface RunInWorkerOptions extends WaitOptions {
  /** Bounds concurrent calls instead of the pool's own limiter (e.g. a `CapacityLimiter`). */
  limiter?: WorkerLimiter;
  /**
   * What cancellation does to a call that is running: `"wait"` (default, as AnyIO) lets it
   * finish — `fromWorker.checkCancelled()` tells it to stop early — then throws `Cancelled`;
   * `"terminate"` terminates the worker at once (the pool replaces it) and throws.
   */
  cancellation?: "wait" | "terminate";
  /** Host functions the worker may call through `fromWorker.run(name, ...args)`. */
  handlers?: WorkerHandlers;
}

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** Tokens of the pool's default limiter: concurrent calls (default `os.availableParallelism()`). */
  maxWorkers?: number;
  /** Idle workers are terminated after this many ms (default 300 000, AnyIO's `to_process`). */
  idleTimeout?: number;
}

/** What {@link WorkerPool.statistics} reports. */
export interface WorkerPoolStatistics {
  /** Workers waiting for a call. */
  idle: number;
  /** Workers running a call. */
  busy: number;
  /** Tokens of the pool's own limiter not lent out. */
  availableTokens: number;
}

type Incoming =
  | { t: "result"; id: number; ok: true; value: unknown }
  | { t: "result"; id: number; ok: false; error: ErrorRecord }
  | { t: "call-host"; id: number; cb: number; name: string; args: unknown[] }
  | { t: "broken"; error: BrokenWorkerError };

/** One pooled thread and the call it is running. */
class PooledWorker {
  readonly worker: Worker;
  readonly cancelFlag = new Int32Array(new SharedArrayBuffer(4));
  /** Messages for the running call, and the task waiting for them. */
  inbox: Incoming[] = [];
  waiter: Waiter<void> | null = null;
  idleTimer: ReturnType<typeof setTimeout> | null = null;
  dead: Error | null = null;
  exited = false;

  constructor(onGone: (w: PooledWorker) => void) {
    this.worker = new Worker(WORKER_BOOTSTRAP, { eval: true, workerData: { cancelFlag: this.cancelFlag } });
    this.worker.on("message", (m: Incoming) => this.#deliver(m));
    this.worker.on("messageerror", (err: Error) => this.#fail(new BrokenWorkerError(`a message from the worker could not be read: ${err.message}`, { cause: err })));
    this.worker.on("error", (err: Error) => this.#fail(new BrokenWorkerError(`the worker crashed: ${err.message}`, { cause: err })));
    this.worker.on("exit", (code: number) => {
      this.exited = true;
      this.#fail(new BrokenWorkerError(`the worker exited with code ${code} while running the call`));
      onGone(this);
    });
  }

  #fail(error: BrokenWorkerError): void {
    if (this.dead !== null) return;
    this.dead = error;
    this.#deliver({ t: "broken", error });
  }

  #deliver(m: Incoming): void {
    this.inbox.push(m);
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w.wake();
    }
  }

  /** Parks until a message arrives (an external wait: another thread answers). */
  async next(scope: WaitOptions, signal: AbortSignal | undefined): Promise<Incoming> {
    while (this.inbox.length === 0) {
      const w = new Waiter<void>("a worker thread's reply", currentNode(scope, "runInWorker"), {
        signal,
        kind: "external",
        onAbort: () => {
          if (this.waiter === w) this.waiter = null;
        },
      });
      this.waiter = w;
      try {
        await w.park();
      } finally {
        if (this.waiter === w) this.waiter = null;
      }
    }
    return this.inbox.shift()!;
  }

  /** Terminates the thread and waits (shielded) until it is gone. */
  async terminate(options: WaitOptions | undefined): Promise<void> {
    this.dead ??= new BrokenWorkerError("the worker was terminated");
    if (this.exited) return;
    const done = this.worker.terminate();
    await new CancelScope({ shield: true }).run((scope) => awaitCancellable(done, scope), options);
  }
}

function moduleHref(moduleUrl: unknown): string {
  if (moduleUrl instanceof URL) return moduleUrl.href;
  if (typeof moduleUrl !== "string") {
    throw new TypeError(`runInWorker(): moduleUrl must be a URL or a string, got ${moduleUrl === null ? "null" : typeof moduleUrl}`);
  }
  if (moduleUrl.startsWith("/")) return pathToFileURL(moduleUrl).href;
  try {
    return new URL(moduleUrl).href;
  } catch {
    throw new TypeError(`runInWorker(): moduleUrl must be an absolute URL (new URL("./mod.mjs", import.meta.url)) or an absolute path, got ${JSON.stringify(moduleUrl)}`);
  }
}

/**
 * A pool of reusable worker threads (`node:worker_threads`) that runs exported functions of
 * modules, as AnyIO's `to_process` pool: calls are bounded by a limiter, workers are reused,
 * idle workers are terminated after `idleTimeout`. Idle workers never keep the process alive
 * (they are `unref()`ed, and so is the reaping timer). `runInWorker` uses one default pool per
 * process; make your own for a separate bound or timeout.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool({ maxWorkers: 2, idleTimeout: 10_000 });
 * const hash = await pool.run(new URL("./hash.mjs", import.meta.url), "sha256", [bytes]);
 * await pool.aclose();
 * ```
 */
export class WorkerPool {
  readonly #limiter: SlotLimiter;
  readonly #idleTimeout: number;
  readonly #idle: PooledWorker[] = [];
  readonly #busy = new Set<PooledWorker>();
  #nextId = 0;
  #closed = false;

  constructor(options: WorkerPoolOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(`WorkerPool(): options must be an object, got ${options === null ? "null" : typeof options}`);
    }
    const maxWorkers = options.maxWorkers ?? availableParallelism();
    if (!Number.isInteger(maxWorkers) || maxWorkers < 1) {
      throw new RangeError(`WorkerPool(): options.maxWorkers must be an integer ≥ 1, got ${String(maxWorkers)}`);
    }
    const idleTimeout = options.idleTimeout ?? 300_000;
    if (typeof idleTimeout !== "number" || Number.isNaN(idleTimeout) || idleTimeout < 0) {
      throw new RangeError(`WorkerPool(): options.idleTimeout must be a number of ms ≥ 0, got ${String(idleTimeout)}`);
    }
    this.#limiter = new SlotLimiter(maxWorkers);
    this.#idleTimeout = idleTimeout;
  }

  /** Counts of idle and busy workers, and free tokens of the pool's own limiter. */
  statistics(): WorkerPoolStatistics {
    return { idle: this.#idle.length, busy: this.#busy.size, availableTokens: this.#limiter.available };
  }

  /**
   * Runs `await (await import(moduleUrl))[exportName](...args)` in a worker thread and returns
   * the result. See {@link runInWorker} for the rules.
   */
  async run<T = unknown>(moduleUrl: string | URL, exportName: string, args: readonly unknown[] = [], options: RunInWorkerOptions = {}): Promise<T> {
    const url = moduleHref(moduleUrl);
    if (typeof exportName !== "string") throw new TypeError(`runInWorker(): exportName must be a string, got ${typeof exportName}`);
    if (!Array.isArray(args)) throw new TypeError(`runInWorker(): args must be an array, got ${args === null ? "null" : typeof args}`);
    if (options === null || typeof options !== "object") throw new TypeError("runInWorker(): options must be an object");
    const mode = options.cancellation ?? "wait";
    if (mode !== "wait" && mode !== "terminate") {
      throw new TypeError(`runInWorker(): options.cancellation must be "wait" or "terminate", got ${String(mode)}`);
    }
    const limiter = options.limiter ?? this.#limiter;
    if (limiter === null || typeof limiter !== "object" || typeof limiter.acquire !== "function" || typeof limiter.release !== "function") {
      throw new TypeError("runInWorker(): options.limiter must have acquire() and release()");
    }
    const handlers = options.handlers ?? {};
    if (handlers === null || typeof handlers !== "object") throw new TypeError("runInWorker(): options.handlers must be an object of functions");
    if (this.#closed) throw new Error("WorkerPool is closed");
    currentNode(options, "runInWorker");

    await limiter.acquire(options);
    let pw: PooledWorker | null = null;
    try {
      pw = this.#checkout();
      return (await this.#call(pw, url, exportName, args, options, mode, handlers)) as T;
    } finally {
      if (pw !== null) {
        // A broken or terminated worker is gone before its slot is given back.
        if (pw.dead !== null) await pw.terminate(options);
        this.#checkin(pw);
      }
      limiter.release();
    }
  }

  async #call(
    pw: PooledWorker,
    url: string,
    name: string,
    args: readonly unknown[],
    options: RunInWorkerOptions,
    mode: "wait" | "terminate",
    handlers: WorkerHandlers,
  ): Promise<unknown> {
    const id = ++this.#nextId;
    Atomics.store(pw.cancelFlag, 0, 0);
    pw.inbox = [];
    // Throws DataCloneError for uncloneable arguments; nothing was started then.
    pw.worker.postMessage({ t: "call", id, url, name, args });
    let cancelled: { error: unknown } | null = null;
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown } | null = null;
    const extra = foreignSignal(options);
    await withTaskGroup(async (tg) => {
      // Once cancelled (mode "wait"), the call is still awaited, in a shielded scope.
      let shielded = false;
      while (outcome === null) {
        let m: Incoming;
        try {
          m = shielded
            ? ((await new CancelScope({ shield: true }).run((s) => pw.next(s, undefined), tg.cancelScope)) as Incoming)
            : await pw.next(tg.cancelScope, extra);
        } catch (err) {
          if (cancelled !== null) throw err;
          cancelled = { error: err };
          // Host callbacks of a cancelled call are cancelled too.
          tg.cancel();
          if (mode === "terminate") {
            await pw.terminate(tg.cancelScope);
            return;
          }
          // Tell the worker (fromWorker.checkCancelled) and keep waiting for its answer.
          Atomics.store(pw.cancelFlag, 0, id);
          shielded = true;
          continue;
        }
        if (m.t === "result") {
          outcome = m.ok ? { ok: true, value: m.value } : { ok: false, error: deserializeError(m.error) };
        } else if (m.t === "broken") {
          outcome = { ok: false, error: m.error };
        } else {
          const request = m;
          tg.startSoon(() => this.#serveCallback(pw, handlers, request), { name: `fromWorker.run(${JSON.stringify(m.name)})` });
        }
      }
      // Callbacks the worker left unawaited end with the call.
      tg.cancel();
    }, options);
    if (cancelled !== null) throw (cancelled as { error: unknown }).error;
    const done = outcome as { ok: true; value: unknown } | { ok: false; error: unknown } | null;
    if (done === null) throw new BrokenWorkerError("the call ended without a result");
    if (!done.ok) throw done.error;
    return done.value;
  }

  async #serveCallback(pw: PooledWorker, handlers: WorkerHandlers, m: { cb: number; name: string; args: unknown[] }): Promise<void> {
    let reply: object;
    let rethrow: unknown = null;
    try {
      const handler = Object.hasOwn(handlers, m.name) ? handlers[m.name] : undefined;
      if (typeof handler !== "function") {
        throw new TypeError(`fromWorker.run(): no handler named ${JSON.stringify(m.name)}; pass it as runInWorker(…, { handlers: { ${m.name}: fn } })`);
      }
      const value = await (handler as (...args: unknown[]) => unknown)(...m.args);
      reply = { t: "reply", cb: m.cb, ok: true, value };
    } catch (err) {
      reply = { t: "reply", cb: m.cb, ok: false, error: serializeError(err) };
      if (isCancelled(err)) rethrow = err;
    }
    if (pw.dead === null) {
      try {
        pw.worker.postMessage(reply);
      } catch (err) {
        pw.worker.postMessage({ t: "reply", cb: m.cb, ok: false, error: serializeError(new TypeError(`the handler's result could not be sent to the worker: ${(err as Error).message}`)) });
      }
    }
    if (rethrow !== null) throw rethrow;
  }

  #checkout(): PooledWorker {
    let pw = this.#idle.pop();
    if (pw !== undefined) {
      if (pw.idleTimer !== null) clearTimeout(pw.idleTimer);
      pw.idleTimer = null;
    } else {
      pw = new PooledWorker((gone) => this.#forget(gone));
    }
    // A busy worker keeps the process alive: the caller waits for its answer.
    pw.worker.ref();
    this.#busy.add(pw);
    return pw;
  }

  #checkin(pw: PooledWorker): void {
    this.#busy.delete(pw);
    if (pw.dead !== null || this.#closed) {
      if (!pw.exited) void pw.worker.terminate();
      return;
    }
    pw.worker.unref();
    pw.idleTimer = setTimeout(() => {
      pw.idleTimer = null;
      this.#forget(pw);
      pw.dead ??= new BrokenWorkerError("the worker was reaped after being idle");
      void pw.worker.terminate();
    }, this.#idleTimeout);
    pw.idleTimer.unref();
    this.#idle.push(pw);
  }

  #forget(pw: PooledWorker): void {
    const i = this.#idle.indexOf(pw);
    if (i >= 0) this.#idle.splice(i, 1);
    if (pw.idleTimer !== null) {
      clearTimeout(pw.idleTimer);
      pw.idleTimer = null;
    }
  }

  /**
   * Terminates the idle workers and refuses new calls; workers still running a call are
   * terminated when it ends. Waits until the idle ones are gone.
   */
  async aclose(options?: WaitOptions): Promise<void> {
    this.#closed = true;
    const idle = this.#idle.splice(0);
    for (const pw of idle) {
      if (pw.idleTimer !== null) clearTimeout(pw.idleTimer);
      pw.idleTimer = null;
    }
    for (const pw of idle) await pw.terminate(options);
  }

  /** `await using pool = new WorkerPool()` calls {@link WorkerPool.aclose} on leaving the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.aclose();
  }
}

/**
 * `run()`: the entry point that runs a main task on a backend until it and everything it
 * started have finished.
 *
 * @module
 */
import { type Backend, BACKEND_CONTRACT_VERSION } from "./backend.js";
import { describe } from "./context.js";
import { ambientCarrier, ambientRunStarted } from "./internal/ambient.js";
import { RunState } from "./internal/run-state.js";
import { Task, type TaskContext } from "./task.js";

/** Options of {@link run}. */
export interface RunOptions {
  /** The backend to run on, e.g. `nativeBackend()` from `@anyio/backend-native`. */
  backend: Backend;
  /**
   * `"ambient"` (default where the host has AsyncLocalStorage): calls find their task
   * implicitly. `"explicit"`: nothing is installed (no promise hooks, e.g. for speed on
   * Node 20), and every waiting call must be given `{ signal }` from the task's context.
   */
  context?: "ambient" | "explicit";
  /** The root task's name; defaults to the function's name. */
  name?: string;
}

/**
 * Runs `main(cx)` as the root task on `options.backend` and resolves with its value once it,
 * and every task it started, has finished. Several runs may be active at once.
 *
 * @example
 * ```ts
 * import { run, sleep, withTaskGroup } from "@anyio/core";
 * import { nativeBackend } from "@anyio/backend-native";
 *
 * const answer = await run(async () => {
 *   await withTaskGroup(async (tg) => {
 *     tg.startSoon(() => sleep(100));
 *   });
 *   return 42;
 * }, { backend: nativeBackend() });
 * ```
 */
export function run<T>(main: (cx: TaskContext) => T | PromiseLike<T>, options: RunOptions): Promise<T> {
  if (typeof main !== "function") {
    throw new TypeError(`run(): main must be a function, got ${describe(main)}`);
  }
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `run(): options must be an object with a backend, e.g. run(main, { backend: nativeBackend() }) (nativeBackend from @anyio/backend-native); got ${describe(options)}`,
    );
  }
  const backend = options.backend;
  if (backend === null || typeof backend !== "object" || typeof backend.start !== "function") {
    throw new TypeError(
      `run(): options.backend must be a Backend, e.g. nativeBackend() from @anyio/backend-native; got ${describe(backend)}`,
    );
  }
  if (backend.contractVersion !== BACKEND_CONTRACT_VERSION) {
    throw new TypeError(
      `run(): backend "${String(backend.name)}" implements contract version ${String(backend.contractVersion)}, but this @anyio/core supports version ${BACKEND_CONTRACT_VERSION}`,
    );
  }
  const mode = options.context;
  if (mode !== undefined && mode !== "ambient" && mode !== "explicit") {
    throw new TypeError(`run(): options.context must be "ambient" or "explicit", got ${describe(mode)}`);
  }
  const carrier = ambientCarrier();
  if (mode === "ambient" && carrier === null) {
    throw new TypeError(
      'run(): options.context is "ambient" but this host has no AsyncLocalStorage entry (browser build); use "explicit" and pass { signal: cx.signal }',
    );
  }
  const ambient = mode === "explicit" ? null : carrier;
  const state = new RunState(ambient);
  const root = new Task(state, null, options.name, null, main as (cx: Task) => unknown);
  state.root = root;
  state.liveTasks = 1;
  const promise = new Promise<T>((resolve, reject) => {
    state.resolve = resolve as (value: unknown) => void;
    state.reject = reject;
  });
  state.backend = backend.start(state);
  if (ambient !== null) ambientRunStarted();
  const spawned = state.backend.taskSpawned;
  if (spawned !== undefined) spawned.call(state.backend, root);
  if (ambient === null && carrier !== null && carrier.getStore() !== undefined) {
    // An explicit run started from inside an ambient one must not inherit the outer task.
    carrier.run(undefined, () => state.backend.reschedule(root));
  } else {
    state.backend.reschedule(root);
  }
  return promise;
}

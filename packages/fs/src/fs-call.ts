/**
 * Running one filesystem operation as a checkpoint: the single place where this package
 * waits on the operating system.
 *
 * @module
 */
import { checkpointIfCancelled, currentNode, foreignSignal, Waiter } from "@anyio/core";
import { type FsLimiter, type FsOptions, limiterOption } from "./limiter.js";

/**
 * How a cancelled caller treats an operation that is already in flight.
 *
 * - `"finish"`:
 AnyIO's default (its worker thread cannot be interrupted): the operation runs
 *   to completion and its result is returned; `Cancelled` arrives at the caller's next
 *   checkpoint. Nothing is ever half-done, and a result (bytes read or written) is never lost.
 * - `"abort"`: the operation takes an `AbortSignal` (`readFile`): cancellation aborts it, waits
 *   until Node has settled it (so its file handle is closed) and throws `Cancelled`.
 */
export type InFlight = "finish" | "abort";

/**
 * Runs `op` as one external wait of the current task. `limiter` defaults to `options.limiter`.
 *
 * It is a cancel point on entry (and while waiting for `options.limiter`): if the task is
 * cancelled before the operation starts, it throws `Cancelled` and nothing happened. Once
 * started, the operation is handled as `mode` says. Either way this call never returns while
 * the operation is still running, so nothing it opened can outlive it.
 *
 * The wait is "external" so the strict backend's virtual clock stands still and its deadlock
 * detector knows the task waits on the outside world.
 */
export async function fsCall<T>(
  caller: string,
  options: FsOptions | undefined,
  op: (signal: AbortSignal | undefined) => Promise<T>,
  mode: InFlight = "finish",
  limiter: FsLimiter | undefined = limiterOption(options, caller),
): Promise<T> {
  const node = currentNode(options, caller);
  let borrower: object | undefined;
  if (limiter !== undefined) borrower = await acquire(limiter, options);
  try {
    // The entry cancel point, checked synchronously so that no other task can cancel this one
    // between the check and the start of the operation (deadlines not yet set are set first).
    node._armDeadlines();
    if (node._effCancelled || foreignSignal(options)?.aborted === true) await checkpointIfCancelled(options);
    if (mode === "abort") return await abortable(caller, node, options, op);
    const waiter = new Waiter<T>(caller, node, { kind: "external", cancellable: false });
    const parked = waiter.park();
    let promise: Promise<T>;
    try {
      promise = op(undefined);
    } catch (err) {
      waiter.fail(err);
      return await parked;
    }
    promise.then(
      (value) => waiter.wake(value),
      (error) => waiter.fail(error),
    );
    return await parked;
  } finally {
    if (limiter !== undefined) release(limiter, borrower, options);
  }
}

async function abortable<T>(
  caller: string,
  node: ReturnType<typeof currentNode>,
  options: FsOptions | undefined,
  op: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let settled = false;
  const waiter = new Waiter<T>(caller, node, {
    kind: "external",
    signal: foreignSignal(options),
    onAbort: () => controller.abort(),
  });
  const parked = waiter.park();
  if (!waiter.pending) return await parked;
  let promise: Promise<T>;
  try {
    promise = op(controller.signal);
  } catch (err) {
    waiter.fail(err);
    return await parked;
  }
  const done = promise.then(
    (value) => {
      settled = true;
      waiter.wake(value);
    },
    (error) => {
      settled = true;
      waiter.fail(error);
    },
  );
  try {
    return await parked;
  } catch (err) {
    if (!settled) {
      // Cancelled while Node was still working: Node closes what it opened only when its own
      // promise settles, so wait for that (uncancellably) before reporting the cancellation.
      const drain = new Waiter<void>(`${caller} (aborting)`, node, { kind: "external", cancellable: false });
      const drained = drain.park();
      void done.then(() => drain.wake());
      await drained;
    }
    throw err;
  }
}

async function acquire(limiter: FsLimiter, options: FsOptions | undefined): Promise<object | undefined> {
  if (typeof limiter.acquireOnBehalfOf === "function" && typeof limiter.releaseOnBehalfOf === "function") {
    const borrower = {};
    await limiter.acquireOnBehalfOf(borrower, options);
    return borrower;
  }
  await limiter.acquire(options);
  return undefined;
}

function release(limiter: FsLimiter, borrower: object | undefined, options: FsOptions | undefined): void {
  if (borrower !== undefined) limiter.releaseOnBehalfOf!(borrower);
  else limiter.release(options);
}

/**
 * Runs cleanup that must not be cut short (closing a handle, removing a temporary file): no
 * cancel point on entry, an uncancellable external wait while it runs. Outside any task (a
 * `finally` after `run()` returned) it simply awaits the operation.
 */
export async function fsCleanup<T>(caller: string, options: FsOptions | undefined, op: () => Promise<T>): Promise<T> {
  let node: ReturnType<typeof currentNode>;
  try {
    node = currentNode(options, caller);
  } catch {
    return await op();
  }
  const waiter = new Waiter<T>(caller, node, { kind: "external", cancellable: false });
  const parked = waiter.park();
  try {
    op().then(
      (value) => waiter.wake(value),
      (error) => waiter.fail(error),
    );
  } catch (err) {
    waiter.fail(err);
  }
  return await parked;
}

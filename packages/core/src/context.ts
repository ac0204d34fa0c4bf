/**
 * Finding the current task and cancel scope: explicitly from `{ signal }`, or ambiently.
 *
 * @module
 */
import { NoContextError } from "./errors.js";
import { ambientCarrier } from "./internal/ambient.js";
import { CancelNode, NODE_OF_SIGNAL, NodeState } from "./internal/cancel-node.js";

/**
 * Options accepted by every call that can wait. `signal` is either the signal of one of our
 * scopes or tasks (`cx.signal`, `scope.signal`), which names the context explicitly and
 * carries that scope's full semantics, or any other `AbortSignal`, which adds one more way
 * to abort this one call (it then throws the signal's `reason`).
 *
 * A task context or a cancel scope may itself be passed as the options (`sleep(10, cx)`,
 * `checkpoint(scope)`): the same as `{ signal: cx.signal }`, without creating the signal.
 */
export interface WaitOptions {
  /**
   * The task's or scope's signal (`cx.signal`, `scope.signal`), which gives the call its
   * context in explicit mode, or any other `AbortSignal` as one more cancellation source.
   */
  signal?: AbortSignal | undefined;
  /**
   * The task context or cancel scope the call runs in, named explicitly. Use it to combine
   * an explicit context with a foreign `signal`: `sleep(1_000, { cx, signal: userAbort.signal })`.
   */
  cx?:
    | {
        /** The context's signal: a task context's `cx.signal` or a scope's `scope.signal`. */
        readonly signal: AbortSignal;
      }
    | undefined;
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as AbortSignal).aborted === "boolean" &&
    typeof (value as AbortSignal).addEventListener === "function"
  );
}

/** Validates an options object of a waiting call and returns its signal, if any. */
export function signalOption(options: WaitOptions | undefined, caller: string): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${caller}(): options must be an object, got ${options === null ? "null" : typeof options}`);
  }
  const signal = options.signal;
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw new TypeError(`${caller}(): options.signal must be an AbortSignal, got ${describe(signal)}`);
  }
  return signal;
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return String(value);
}

/**
 * True for an AbortSignal that is not the signal of one of our scopes or tasks.
 *
 * @example
 * ```ts
 * isForeignSignal(AbortSignal.timeout(100)); // true
 * isForeignSignal(cx.signal);                // false: a task's own signal
 * ```
 */
export function isForeignSignal(signal: AbortSignal): boolean {
  return (signal as unknown as Record<symbol, unknown>)[NODE_OF_SIGNAL] === undefined;
}

/**
 * The foreign `AbortSignal` in `options`, if any: one that adds a cancellation source to a
 * single call. Never touches `.signal` of a task context or scope passed as the options.
 *
 * @example
 * ```ts
 * // How a primitive that waits on the OS makes its wait abortable by a caller's own signal:
 * const waiter = new Waiter("socket readable", currentNode(options, "receive"), {
 *   signal: foreignSignal(options),
 *   kind: "external",
 * });
 * ```
 */
export function foreignSignal(options: WaitOptions | undefined): AbortSignal | undefined {
  if (options === undefined || options instanceof CancelNode) return undefined;
  if (options === null || typeof options !== "object") {
    throw new TypeError(`foreignSignal(): options must be an object such as { signal }, got ${describe(options)}`);
  }
  const signal = options.signal;
  return signal !== undefined && isForeignSignal(signal) ? signal : undefined;
}

/**
 * The cancel-tree node a call runs in: the one named by `options.signal` if it is ours,
 * else the ambient one. Throws {@link NoContextError} when there is neither.
 *
 * @param caller - the public name of the calling function, for messages
 *
 * @example
 * ```ts
 * export function myWait(options?: WaitOptions): Promise<void> {
 *   const node = currentNode(options, "myWait"); // throws NoContextError outside a task
 *   return new Waiter("myWait", node).promise;
 * }
 * ```
 */
export function currentNode(options: WaitOptions | undefined, caller: string): CancelNode {
  // The common cases, kept small: every blocking call inlines this, and V8 stops inlining into
  // a function once their bytecode adds up past a budget (the rest, with the messages, below).
  let node: CancelNode | undefined;
  if (options instanceof CancelNode) node = options;
  else if (options === undefined) node = ambientCarrier()?.getStore();
  if (node !== undefined && node._state === NodeState.Active) return node;
  return currentNodeSlow(options, caller);
}

/** {@link currentNode} for the cases it does not take itself: options objects, and errors. */
function currentNodeSlow(options: WaitOptions | undefined, caller: string): CancelNode {
  let node: CancelNode | undefined;
  if (options instanceof CancelNode) {
    // A task context or cancel scope passed as the options: the cheapest explicit form, since
    // it never creates the AbortController behind `.signal`.
    node = options;
  } else if (options !== undefined) {
    const signal = signalOption(options, caller);
    const cx = options.cx;
    if (cx !== undefined) {
      if (!(cx instanceof CancelNode)) {
        throw new TypeError(`${caller}(): options.cx must be a task context or a CancelScope, got ${describe(cx)}`);
      }
      node = cx;
    } else if (signal !== undefined) {
      node = (signal as unknown as Record<symbol, CancelNode | undefined>)[NODE_OF_SIGNAL];
    }
  }
  if (node === undefined) {
    const carrier = ambientCarrier();
    if (carrier !== null) node = carrier.getStore();
    if (node === undefined) {
      throw new NoContextError(
        `${caller}() needs the current task, but found none. Call it inside run(); where there is no ` +
          `ambient context (browsers, or run(main, { context: "explicit" })), pass the context ` +
          `explicitly: ${caller}(…, { signal: cx.signal }) with the task's cx (or a scope's signal).`,
      );
    }
  }
  if (node._state !== NodeState.Active) {
    throw new Error(
      `${caller}() was called from a task or cancel scope that has already exited: a promise ` +
        `outlived the task group or scope that started it (is an await missing?)`,
    );
  }
  return node;
}

/**
 * Like {@link currentNode}, but `undefined` instead of throwing when there is no usable context
 * (none given, none ambient, or an exited one) — for callers that have a fallback. Invalid
 * options still throw. Cheap: no error is built on the miss path.
 */
export function findNode(options: WaitOptions | undefined, caller: string): CancelNode | undefined {
  let node: CancelNode | undefined;
  if (options instanceof CancelNode) node = options;
  else if (options !== undefined) {
    const signal = signalOption(options, caller);
    const cx = options.cx;
    if (cx instanceof CancelNode) node = cx;
    else if (signal !== undefined) node = (signal as unknown as Record<symbol, CancelNode | undefined>)[NODE_OF_SIGNAL];
  }
  if (node === undefined) node = ambientCarrier()?.getStore();
  return node !== undefined && node._state === NodeState.Active ? node : undefined;
}

/**
 * The `AbortSignal` of the current cancel scope: it aborts (with a `Cancelled` reason) when
 * the scope becomes effectively cancelled. Hand it to `fetch`, streams or any API that takes
 * a signal.
 *
 * @example
 * ```ts
 * await moveOnAfter(5_000).run(async () => {
 *   const res = await fetch(url, { signal: currentSignal() });
 * });
 * ```
 */
export function currentSignal(options?: WaitOptions): AbortSignal {
  return currentNode(options, "currentSignal").signal;
}

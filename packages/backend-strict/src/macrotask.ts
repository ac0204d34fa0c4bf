/**
 * Host macrotasks that can be cancelled, so `close()` leaves no handle behind: `setImmediate`
 * (Node, Bun, Deno), else a `MessageChannel` message (browsers), else `setTimeout(0)`; plus a
 * delayed host timer for polling.
 *
 * A copy of backend-native's helper, grown a cancel: DESIGN §1 forbids importing the native
 * backend.
 *
 * @internal
 */
type Callback = () => void;

/** A scheduled host callback; pass it to {@link cancelHostTask}. */
export interface HostTask {
  cancel(): void;
}

interface Globals {
  setImmediate?: (cb: Callback) => unknown;
  clearImmediate?: (handle: unknown) => void;
  MessageChannel?: typeof MessageChannel;
}

/** A `MessageChannel` entry: cancelling only disarms it, the message itself still arrives. */
class ChannelTask implements HostTask {
  constructor(public cb: Callback | null) {}
  cancel(): void {
    this.cb = null;
  }
}

class HandleTask implements HostTask {
  constructor(
    private readonly handle: unknown,
    private readonly clear: (handle: unknown) => void,
  ) {}
  cancel(): void {
    this.clear(this.handle);
  }
}

function pick(): (cb: Callback) => HostTask {
  const g = globalThis as Globals;
  if (typeof g.setImmediate === "function" && typeof g.clearImmediate === "function") {
    const setImmediate = g.setImmediate;
    const clearImmediate = g.clearImmediate;
    return (cb) => new HandleTask(setImmediate(cb), clearImmediate);
  }
  if (typeof g.MessageChannel === "function") {
    const pending: ChannelTask[] = [];
    const channel = new g.MessageChannel();
    channel.port1.onmessage = () => {
      const task = pending.shift();
      const cb = task?.cb;
      if (cb != null) cb();
    };
    return (cb) => {
      const task = new ChannelTask(cb);
      pending.push(task);
      channel.port2.postMessage(null);
      return task;
    };
  }
  return (cb) => new HandleTask(setTimeout(cb, 0), (h) => clearTimeout(h as ReturnType<typeof setTimeout>));
}

/** Runs `cb` on the host's cheapest macrotask (after every pending microtask). */
export const hostMacrotask: (cb: Callback) => HostTask = pick();

/** Runs `cb` after `ms` real milliseconds on a host timer. */
export function hostTimeout(cb: Callback, ms: number): HostTask {
  return new HandleTask(setTimeout(cb, ms), (h) => clearTimeout(h as ReturnType<typeof setTimeout>));
}

/** Captured once: reading the global `performance` costs Node a lazy getter per call. */
const hostPerformance: Performance | undefined =
  typeof performance !== "undefined" && typeof performance.now === "function" ? performance : undefined;
/** A host clock in ms: `performance.now()` where there is one. */
export const hostNow: () => number =
  hostPerformance !== undefined ? () => hostPerformance.now() : () => Date.now();

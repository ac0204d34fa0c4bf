/**
 * The cheapest macrotask the host offers: `setImmediate` (Node, Bun, Deno), else a
 * `MessageChannel` message (browsers), else `setTimeout(0)`.
 *
 * @internal
 */
type Callback = () => void;

function pick(): (cb: Callback) => void {
  const g = globalThis as { setImmediate?: (cb: Callback) => unknown; MessageChannel?: typeof MessageChannel };
  if (typeof g.setImmediate === "function") {
    const setImmediate = g.setImmediate;
    return (cb) => void setImmediate(cb);
  }
  if (typeof g.MessageChannel === "function") {
    const pending: Callback[] = [];
    const channel = new g.MessageChannel();
    channel.port1.onmessage = () => {
      const cb = pending.shift();
      if (cb !== undefined) cb();
    };
    return (cb) => {
      pending.push(cb);
      channel.port2.postMessage(null);
    };
  }
  return (cb) => void setTimeout(cb, 0);
}

export const hostMacrotask: (cb: Callback) => void = pick();

// A backend written from scratch against @anyio/core's `Backend` contract (version 1).
// examples/custom-backend.mjs runs it and proves it with the conformance suite;
// docs/writing-a-backend.md walks through it member by member.
//
// It is deliberately simple: one host timer per deadline, woken tasks resumed on microtasks,
// and every checkpoint yields a whole macrotask (fair to timers and I/O, but slower than
// @anyio/backend-native, which yields a macrotask only every few milliseconds).
import { BACKEND_CONTRACT_VERSION } from "@anyio/core";

const macrotask = globalThis.setImmediate ?? ((fn) => setTimeout(fn, 0));

export function simpleBackend() {
  return {
    name: "simple",
    contractVersion: BACKEND_CONTRACT_VERSION,
    // Called once per run(): everything per-run lives in the object returned here.
    start(_controller) {
      const now = () => performance.now();
      const live = new Set(); // host timers still armed, cleared by close()
      return {
        now,
        setTimer(deadline, target) {
          if (deadline === Infinity) return null; // "never": no host timer at all
          const handle = { id: undefined };
          const arm = () => {
            handle.id = setTimeout(() => {
              // Host timers may fire a hair early on performance.now()'s clock; the contract
              // says onTimer() runs once now() >= deadline, so re-arm for the rest.
              if (now() < deadline) return arm();
              live.delete(handle);
              target.onTimer();
            }, Math.max(0, deadline - now()));
          };
          arm();
          live.add(handle);
          return handle;
        },
        clearTimer(handle) {
          if (handle === null || !live.delete(handle)) return; // fired or cleared: a no-op
          clearTimeout(handle.id);
        },
        // Never resume synchronously inside reschedule(): a microtask keeps FIFO order.
        reschedule(item) {
          queueMicrotask(() => item.resume());
        },
        // The schedule point of every checkpoint: a macrotask, so nothing is ever starved.
        yieldNow: () => new Promise((resolve) => macrotask(resolve)),
        macrotask: () => new Promise((resolve) => macrotask(resolve)),
        close() {
          for (const handle of live) clearTimeout(handle.id);
          live.clear();
        },
      };
    },
  };
}

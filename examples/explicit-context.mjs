// Ambient vs explicit context. Run: node examples/explicit-context.mjs
//
// On Node, Deno, Bun and Workers, @anyio/core carries the current task and cancel scope across
// `await` with AsyncLocalStorage ("ambient"), so `await sleep(10)` finds them by itself.
// Browsers have no such carrier; there (and anywhere, with `context: "explicit"`) you pass the
// context along: every call that waits takes `{ signal }`, and a task's `cx` or a scope can be
// passed as the options object directly.
import { CancelScope, moveOnAfter, NoContextError, run, sleep, withTaskGroup } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { Lock } from "@anyio/sync";

// The same little program, written both ways.

async function ambientWorker(name, lock) {
  await lock.run(async () => {
    await sleep(10);
  });
  return `${name} done`;
}

async function explicitWorker(cx, name, lock) {
  await lock.run(async () => {
    await sleep(10, cx); // same as sleep(10, { signal: cx.signal })
  }, cx);
  return `${name} done`;
}

// 1. Ambient (the default on Node): no context in sight.
const ambient = await run(async () => {
  const lock = new Lock();
  const out = [];
  await withTaskGroup(async (tg) => {
    for (const name of ["a", "b"]) tg.startSoon(async () => out.push(await ambientWorker(name, lock)));
  });
  const scope = moveOnAfter(20);
  await scope.run(() => sleep(1_000));
  return `${out.join(", ")}; timed out: ${scope.cancelledCaught}`;
}, { backend: nativeBackend() });
console.log(`1. ambient:  ${ambient}`);

// 2. Explicit: what browser code looks like. Each task callback receives its context `cx`;
//    body callbacks of scopes and groups receive the scope/group, whose `.signal` is the context.
const explicit = await run(async (cx) => {
  const lock = new Lock();
  const out = [];
  await withTaskGroup(async (tg) => {
    for (const name of ["a", "b"]) tg.startSoon(async (cx) => out.push(await explicitWorker(cx, name, lock)));
  }, cx);
  const scope = moveOnAfter(20, cx);
  await scope.run((scope) => sleep(1_000, scope), cx);
  return `${out.join(", ")}; timed out: ${scope.cancelledCaught}`;
}, { backend: nativeBackend(), context: "explicit" });
console.log(`2. explicit: ${explicit}`);

// 3. Forgetting the context never runs silently uncancellable: it is an error that says how
//    to fix it.
await run(async () => {
  try {
    await sleep(10);
  } catch (err) {
    if (!(err instanceof NoContextError)) throw err;
    console.log(`3. NoContextError: ${err.message.split("\n")[0]}`);
  }
}, { backend: nativeBackend(), context: "explicit" });

// 4. Any other AbortSignal adds one more way to abort a single call (here a user's "stop"
//    button, simulated with AbortSignal.timeout). With ambient context it can be passed as is.
//    As with fetch(), the call rejects with the signal's reason; nothing else is cancelled.
await run(async () => {
  const stopButton = AbortSignal.timeout(15);
  try {
    await sleep(1_000, { signal: stopButton });
  } catch (err) {
    if (err !== stopButton.reason) throw err;
    console.log(`4. ambient: a foreign AbortSignal aborted one sleep with its reason (${err.name})`);
  }
}, { backend: nativeBackend() });

// 5. In explicit mode the one `signal` slot carries the context, so a foreign signal is wired
//    to a scope instead: the scope's own signal then carries both.
await run(async (cx) => {
  const stopButton = AbortSignal.timeout(15);
  const scope = new CancelScope();
  stopButton.addEventListener("abort", () => scope.cancel("stop pressed"), { once: true });
  await scope.run((scope) => sleep(1_000, scope), cx);
  console.log(`5. explicit: the stop button cancelled the scope (${scope.cancelReason}), cancelledCaught: ${scope.cancelledCaught}`);
}, { backend: nativeBackend(), context: "explicit" });

// Task groups and start(). Run: node examples/task-groups.mjs
import { catchGroup, currentTime, ExceptionGroup, run, sleep, sleepForever, withTaskGroup } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { createMemoryObjectStream } from "@anyio/sync";

/**
 * A fake "server": it gets ready (binds, loads config…), reports the address it listens on
 * with `cx.started(address)`, then serves requests from an in-memory channel until cancelled.
 */
async function server(cx, requests) {
  await sleep(30); // getting ready
  cx.started("memory://server-1");
  try {
    for await (const { n, reply } of requests) reply.sendNowait(n * 2);
  } finally {
    console.log("server: shut down cleanly");
  }
}

await run(async () => {
  const t0 = currentTime();
  const ms = () => `${Math.round(currentTime() - t0)} ms`;

  // 1. start() waits until the child says it is ready, and hands back what it reported.
  //    The child then keeps running inside the group, like startSoon().
  const [requestTx, requestRx] = createMemoryObjectStream(8);
  await withTaskGroup(async (tg) => {
    const address = await tg.start((cx) => server(cx, requestRx), { name: "server" });
    console.log(`1. start() resolved after ${ms()} with ${address}`);

    const [replyTx, replyRx] = createMemoryObjectStream(1);
    for (const n of [1, 2, 3]) {
      await requestTx.send({ n, reply: replyTx });
      console.log(`   client: ${n} → ${await replyRx.receive()}`);
    }
    tg.cancel(); // stop the server: the group's scope is cancelled, the body returns normally
  });

  // 2. A failure before started() comes out of start() itself, unwrapped.
  await withTaskGroup(async (tg) => {
    try {
      await tg.start(async () => {
        await sleep(5);
        throw new Error("port already in use");
      });
    } catch (err) {
      console.log(`2. start() threw ${err.constructor.name}: ${err.message}`);
    }
  });

  // 3. Several failures come out together as one ExceptionGroup; catchGroup handles them by
  //    class, like Python's `except*`, and re-throws whatever no handler matched.
  class ValidationError extends Error {}
  await catchGroup(
    () =>
      withTaskGroup(async (tg) => {
        tg.startSoon(async () => { await sleep(5); throw new ValidationError("bad email"); });
        tg.startSoon(async () => { await sleep(5); throw new ValidationError("bad zip code"); });
        tg.startSoon(() => sleepForever()); // cancelled when the others fail
      }),
    [
      [ValidationError, (eg) => console.log(`3. caught ${eg.errors.length} ValidationErrors: ${eg.errors.map((e) => e.message).join(", ")}`)],
      [TypeError, () => console.log("   (no TypeErrors this time)")],
    ],
  );

  // 4. The same by hand: split() partitions a group (nested groups included).
  try {
    await withTaskGroup(async (tg) => {
      tg.startSoon(() => { throw new RangeError("too big"); });
      tg.startSoon(() => { throw new TypeError("not a number"); });
    });
  } catch (err) {
    if (!(err instanceof ExceptionGroup)) throw err;
    const [ranges, rest] = err.split(RangeError);
    console.log(`4. split: ${ranges.errors.length} RangeError, rest: ${rest.errors.map((e) => e.name)}`);
  }
}, { backend: nativeBackend() });

// @uses core=@anyio/core native=@anyio/backend-native
// @backends native
// The native backend runs on the host's real clock and timers and interoperates with AbortSignal.
const backend = native.nativeBackend();
same(backend.name, "native", "backend.name");
const order = await core.run(async () => {
  const seen = [];
  const t0 = core.currentTime();
  await core.withTaskGroup(async (tg) => {
    // Each child records the deadline it asked for: timers must fire in deadline order. (Not
    // in delay order: a cold runtime may start the children milliseconds apart.)
    for (const ms of [30, 10, 20]) {
      tg.startSoon(async () => {
        const deadline = core.currentTime() + ms;
        await core.sleep(ms);
        check(core.currentTime() >= deadline - 1, "a timer never fires early");
        seen.push(deadline);
      });
    }
  });
  check(core.currentTime() - t0 >= 29, "real time passed");
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error("aborted from outside")), 5);
  let reason = null;
  try {
    await core.sleep(60_000, { signal: ac.signal });
  } catch (err) {
    reason = err;
  }
  same(reason?.message, "aborted from outside", "a foreign AbortSignal aborts sleep() with its reason");
  return seen;
}, { backend });
same(order.join(","), [...order].sort((a, b) => a - b).join(","), "timers fire in deadline order");
same(order.length, 3, "every timer fired");

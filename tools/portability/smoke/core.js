// @uses core=@anyio/core
// Ambient mode (the node/deno/bun export condition installs AsyncLocalStorage): no cx anywhere.
const log = [];
const value = await core.run(async () => {
  const t0 = core.currentTime();
  await core.sleep(1);
  check(core.currentTime() - t0 >= 1, "sleep(1) advanced the clock");
  await core.withTaskGroup(async (tg) => {
    tg.startSoon(async () => {
      await core.sleep(5);
      log.push("child");
    });
    log.push("body");
  });
  const scope = core.moveOnAfter(10);
  await scope.run(() => core.sleepForever());
  check(scope.cancelledCaught, "moveOnAfter caught its own timeout");
  let timedOut = false;
  try {
    await core.failAfter(10).run(() => core.sleep(60_000));
  } catch (err) {
    timedOut = err instanceof core.TimeoutError;
  }
  check(timedOut, "failAfter threw TimeoutError");
  let group = null;
  try {
    await core.withTaskGroup(async (tg) => {
      tg.startSoon(async () => { throw new RangeError("one"); });
      tg.startSoon(async () => { await core.sleep(1); throw new TypeError("two"); });
      await core.sleepForever();
    });
  } catch (err) {
    group = err;
  }
  check(group instanceof core.ExceptionGroup, `a failing group throws ExceptionGroup, got ${group}`);
  same(group.exceptions.map((e) => e.constructor.name).join(","), "RangeError", "the first failure cancels the sibling");
  return 42;
}, { backend: makeBackend() });
same(value, 42, "run() resolves with main's value");
same(log.join(","), "body,child", "the group waited for its child");

// Another library's AsyncLocalStorage value (a request id) follows each task from its spawner.
const { AsyncLocalStorage } = await import("node:async_hooks");
const requestId = new AsyncLocalStorage();
const seenIds = [];
await core.run(async () => {
  await core.withTaskGroup(async (tg) => {
    tg.startSoon(() => core.checkpoint()); // the next batch is scheduled from outside any request
    for (const id of ["a", "b"]) {
      requestId.run(id, () =>
        tg.startSoon(async () => {
          await core.sleep(1);
          seenIds.push(`${id}:${requestId.getStore()}`);
        }),
      );
    }
  });
}, { backend: makeBackend() });
same(seenIds.sort().join(","), "a:a,b:b", "a task starts in its spawner's AsyncLocalStorage context");

// Explicit mode: the browser path, also available on servers.
const explicitValue = await core.run(async (cx) => {
  await core.sleep(1, cx);
  let noContext = null;
  try {
    await core.sleep(1);
  } catch (err) {
    noContext = err;
  }
  check(noContext instanceof core.NoContextError, `sleep() without cx in explicit mode throws NoContextError, got ${noContext}`);
  await core.withTaskGroup(async (tg) => {
    tg.startSoon(async (child) => core.sleep(2, child));
  }, cx);
  return "explicit";
}, { backend: makeBackend(), context: "explicit" });
same(explicitValue, "explicit", "explicit run value");

// @uses core=@anyio/core sync=@anyio/sync
const result = await core.run(async () => {
  const event = new sync.Event();
  const lock = new sync.Lock();
  const limiter = new sync.CapacityLimiter(2);
  const [send, receive] = sync.createMemoryObjectStream(1);
  const got = [];
  let inside = 0;
  let maxInside = 0;
  await core.withTaskGroup(async (tg) => {
    tg.startSoon(async () => {
      await event.wait();
      for (let i = 0; i < 5; i++) await send.send(i);
      await send.aclose();
    });
    tg.startSoon(async () => {
      for await (const item of receive) got.push(item);
    });
    for (let i = 0; i < 4; i++) {
      tg.startSoon(async () => {
        await limiter.run(async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await lock.run(() => core.sleep(1));
          inside--;
        });
      });
    }
    await core.sleep(1);
    event.set();
  });
  same(maxInside, 2, "CapacityLimiter(2) admitted two at a time");
  check(!lock.locked(), "the lock was released");
  // A blocked acquire is cancellable and a cancelled acquire leaves nothing behind.
  await lock.acquire();
  let cancelledWait = false;
  await core.withTaskGroup(async (tg) => {
    tg.startSoon(async () => {
      const scope = core.moveOnAfter(5);
      await scope.run(() => lock.acquire());
      cancelledWait = scope.cancelledCaught;
    });
  });
  check(cancelledWait, "a blocked acquire is cancellable");
  same(lock.statistics().tasksWaiting, 0, "no waiter left behind");
  lock.release();
  check(!lock.locked(), "released");
  return got.join(",");
}, { backend: makeBackend() });
same(result, "0,1,2,3,4", "the memory object stream delivered every item in order");

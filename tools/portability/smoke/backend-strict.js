// @uses core=@anyio/core strict=@anyio/backend-strict
// @backends strict
// The strict backend: a virtual clock that autojumps, and deadlock detection.
const wallStart = Date.now();
const elapsed = await core.run(async () => {
  const t0 = core.currentTime();
  await core.sleep(3_600_000);
  return core.currentTime() - t0;
}, { backend: strict.strictBackend() });
same(elapsed, 3_600_000, "an hour of virtual time");
check(Date.now() - wallStart < 5_000, "autojump: the hour took no real hour");
let deadlock = null;
try {
  await core.run(async () => {
    await core.withTaskGroup(async (tg) => {
      tg.startSoon(async () => core.sleepForever(), { name: "stuck" });
    });
  }, { backend: strict.strictBackend() });
} catch (err) {
  deadlock = err;
}
check(deadlock instanceof strict.DeadlockError, `every task parked without a timer is a DeadlockError, got ${deadlock}`);
check(String(deadlock.message).includes("stuck"), "the deadlock report names the task");
// Same program, same seed, same order.
const orderFor = (seed) => core.run(async () => {
  const seen = [];
  await core.withTaskGroup(async (tg) => {
    for (let i = 0; i < 8; i++) tg.startSoon(async () => { await core.checkpoint(); seen.push(i); });
  });
  return seen.join("");
}, { backend: strict.strictBackend({ seed }) });
same(await orderFor(7), await orderFor(7), "a seed reproduces the schedule");

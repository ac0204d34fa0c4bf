// @uses core=@anyio/core anyworker=@anyio/worker
// @requires worker
// A function runs in a worker thread (code by module URL, data by structured clone); an error
// thrown there surfaces in the caller with its message.
const moduleUrl = "data:text/javascript," + encodeURIComponent(
  "export function double(x) { return x * 2; }\nexport function fail() { throw new RangeError('from the worker'); }",
);
const done = await core.run(async () => {
  same(await anyworker.runInWorker(moduleUrl, "double", [21]), 42, "result from the worker");
  let failed = null;
  try {
    await anyworker.runInWorker(moduleUrl, "fail", []);
  } catch (err) {
    failed = err;
  }
  check(failed !== null && /from the worker/.test(String(failed.message)), `the worker's error surfaces, got ${failed}`);
  return true;
}, { backend: makeBackend() });
same(done, true, "run finished");

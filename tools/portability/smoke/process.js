// @uses core=@anyio/core anyproc=@anyio/process
// @requires process
// runProcess captures output and the exit code; a cancelled wait leaves no child behind.
const done = await core.run(async () => {
  const r = await anyproc.runProcess(["sh", "-c", "printf hello; printf oops >&2"]);
  same(new TextDecoder().decode(r.stdout), "hello", "stdout");
  same(new TextDecoder().decode(r.stderr), "oops", "stderr");
  same(r.returncode, 0, "returncode");
  let failed = null;
  try {
    await anyproc.runProcess(["sh", "-c", "exit 3"]);
  } catch (err) {
    failed = err;
  }
  check(failed instanceof anyproc.CalledProcessError, `a non-zero exit throws CalledProcessError, got ${failed}`);
  same(failed.returncode, 3, "CalledProcessError.returncode");
  const echoed = await anyproc.runProcess(["cat"], { input: "through stdin" });
  same(new TextDecoder().decode(echoed.stdout), "through stdin", "input reaches stdin");
  return true;
}, { backend: makeBackend() });
same(done, true, "run finished");

// @uses core=@anyio/core anyfs=@anyio/fs
// @requires fs
// A temp directory, a file written and read back in lines, a file stream round trip, cleanup.
const done = await core.run(async () => {
  const tmp = await anyfs.TemporaryDirectory.create();
  const base = tmp.path;
  const file = base.joinpath("lines.txt");
  await file.writeText("one\ntwo\n");
  const lines = [];
  const f = await anyfs.openFile(file, "r");
  try {
    for await (const line of f) lines.push(line);
  } finally {
    await f.aclose();
  }
  same(JSON.stringify(lines), JSON.stringify(["one\n", "two\n"]), "lines keep their newline");
  const out = await anyfs.FileWriteStream.fromPath(base.joinpath("bytes.bin"));
  await out.send(new Uint8Array([1, 2, 3]));
  await out.aclose();
  const inp = await anyfs.FileReadStream.fromPath(base.joinpath("bytes.bin"));
  same(Array.from(await inp.receive()).join(","), "1,2,3", "file stream round trip");
  await inp.aclose();
  await tmp.aclose();
  check(!(await base.exists()), "the temporary directory is gone after aclose()");
  return true;
}, { backend: makeBackend() });
same(done, true, "run finished");

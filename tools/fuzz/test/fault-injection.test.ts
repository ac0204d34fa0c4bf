/**
 * Fault injection for @anyio/net and @anyio/fs: a peer resetting mid-stream, a listener closed
 * during accept, EMFILE (a child process with `ulimit -n 64`), and a disk-full write (/dev/full).
 * Each time the library must surface one clear error, clean up (the shared leak check runs
 * after every run), and the rest of the task group must keep its documented semantics.
 */
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  BrokenResourceError,
  ClosedResourceError,
  EndOfStream,
  ExceptionGroup,
  isCancelled,
  sleep,
  withTaskGroup,
  waitAllTasksBlocked,
} from "@anyio/core";
import { openFile, FileWriteStream } from "@anyio/fs";
import { connectTcp, createTcpListener, type SocketListener, type SocketStream } from "@anyio/net";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";

async function pair(): Promise<{ client: SocketStream; server: SocketStream; close: () => Promise<void> }> {
  const multi = await createTcpListener({ localHost: "127.0.0.1" });
  const listener = multi.listeners[0] as SocketListener;
  let server!: SocketStream;
  let client!: SocketStream;
  await withTaskGroup(async (tg) => {
    tg.startSoon(async () => void (server = await listener.accept()));
    client = await connectTcp("127.0.0.1", listener.port!);
  });
  await multi.aclose();
  return { client, server, close: async () => void (await Promise.all([client.aclose(), server.aclose()])) };
}

/** Makes the kernel answer with RST instead of FIN: SO_LINGER 0 via Node's resetAndDestroy(). */
function reset(stream: SocketStream): void {
  const raw = (stream as unknown as { rawSocket?: { resetAndDestroy(): void } }).rawSocket ?? rawSocketOf(stream);
  raw.resetAndDestroy();
}

function rawSocketOf(stream: SocketStream): { resetAndDestroy(): void } {
  for (const key of Reflect.ownKeys(Object.getPrototypeOf(stream))) {
    const d = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(stream), key);
    if (d?.get !== undefined) {
      try {
        const v = d.get.call(stream) as { resetAndDestroy?: unknown } | undefined;
        if (v !== null && typeof v === "object" && typeof v.resetAndDestroy === "function") return v as { resetAndDestroy(): void };
      } catch {
        // not this one
      }
    }
  }
  throw new Error("no raw socket on SocketStream");
}

/** What a peer reset surfaced as, per run (printed for RELIABILITY.md via FAULTS_RESULTS). */
const resetOutcomes: string[] = [];

describeEachBackend("fault injection: net", ({ run }) => {
  it("a peer resetting mid-stream: the reader gets one error (BrokenResourceError with ECONNRESET, or EndOfStream), the sibling is cancelled, the group raises just that", () =>
    run(async () => {
      const { client, server, close } = await pair();
      const seen: unknown[] = [];
      let siblingCancelled = false;
      let groupError: unknown = null;
      try {
        await withTaskGroup(async (tg) => {
          tg.startSoon(async () => {
            try {
              await sleep(60_000);
            } catch (err) {
              siblingCancelled = isCancelled(err);
              throw err;
            }
          });
          tg.startSoon(async () => {
            for (;;) {
              try {
                await server.receive();
              } catch (err) {
                seen.push(err);
                throw err;
              }
            }
          });
          await client.send(new Uint8Array(1000));
          await waitAllTasksBlocked();
          reset(client);
        });
      } catch (err) {
        groupError = err;
      } finally {
        await close();
      }
      expect(groupError).toBeInstanceOf(ExceptionGroup);
      const errors = (groupError as ExceptionGroup).exceptions;
      expect(errors).toHaveLength(1);
      expect(seen).toEqual(errors);
      const e = errors[0] as Error & { code?: string; cause?: { code?: string } };
      resetOutcomes.push(e instanceof BrokenResourceError ? `BrokenResourceError(${e.code ?? e.cause?.code})` : e.name);
      if (e instanceof BrokenResourceError) expect(e.code ?? e.cause?.code).toBe("ECONNRESET");
      else expect(e).toBeInstanceOf(EndOfStream);
      expect(siblingCancelled).toBe(true);
    }));

  it("a listener closed while a task waits in accept(): accept() ends with ClosedResourceError, nothing else in the group fails", () =>
    run(async () => {
      const multi = await createTcpListener({ localHost: "127.0.0.1" });
      const listener = multi.listeners[0] as SocketListener;
      let outcome: unknown = null;
      let otherDone = false;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          try {
            await listener.accept();
          } catch (err) {
            outcome = err;
          }
        });
        tg.startSoon(async () => {
          await sleep(1);
          otherDone = true;
        });
        await waitAllTasksBlocked();
        await multi.aclose();
      });
      expect(outcome).toBeInstanceOf(ClosedResourceError);
      expect(otherDone).toBe(true);
    }));
});


it("EMFILE (a child with ulimit -n 64): connectTcp and openFile fail with one clear error carrying code EMFILE, and work again once descriptors are freed", () => {
  // vitest's node resolves @anyio/* to sources only inside vitest; the child uses the built
  // packages through this workspace's node_modules links.
  const script = fileURLToPath(new URL("./fixtures/emfile.mjs", import.meta.url));
  const built = existsSync(fileURLToPath(new URL("../../../packages/net/dist/index.js", import.meta.url)));
  if (!built) {
    console.warn("fault-injection EMFILE: packages are not built (run `pnpm build`); skipped");
    return;
  }
  const out = execFileSync("sh", ["-c", `ulimit -n 64 && exec "${process.execPath}" "${script}"`], { encoding: "utf8", timeout: 30_000 });
  const result = JSON.parse(out.trim().split("\n").pop()!) as Record<string, unknown>;
  expect(result).toMatchObject({
    limit: 64,
    connectError: { code: "EMFILE" },
    openError: { code: "EMFILE" },
    afterFreeing: "ok",
    leakedFds: 0,
  });
}, 40_000);

it("records what a peer reset surfaced as", () => {
  const file = process.env.FAULTS_RESULTS;
  if (file !== undefined) writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), peerResetSurfacedAs: resetOutcomes }, null, 2) + "\n");
  expect(resetOutcomes.length).toBeGreaterThan(0);
});

describeEachBackend("fault injection: fs", ({ run }) => {
  it("a disk-full write (/dev/full): one error with code ENOSPC, the file closes cleanly, the sibling keeps running until cancelled", () =>
    run(async () => {
      const file = await openFile("/dev/full", "wb");
      let sibling = "running";
      let error: unknown = null;
      try {
        await withTaskGroup(async (tg) => {
          tg.startSoon(async () => {
            try {
              await sleep(60_000);
              sibling = "finished";
            } catch (err) {
              sibling = isCancelled(err) ? "cancelled" : "failed";
              throw err;
            }
          });
          await file.write(new Uint8Array(4096));
          await file.flush?.();
        });
      } catch (err) {
        error = err;
      } finally {
        await file.aclose();
      }
      expect(error).toBeInstanceOf(ExceptionGroup);
      const errors = (error as ExceptionGroup).exceptions as Array<Error & { code?: string }>;
      expect(errors).toHaveLength(1);
      expect(errors[0]!.code).toBe("ENOSPC");
      expect(sibling).toBe("cancelled");
    }));

  it("a disk-full FileWriteStream: send() fails with BrokenResourceError whose cause is ENOSPC, and aclose() still succeeds", () =>
    run(async () => {
      const stream = await FileWriteStream.fromPath("/dev/full");
      let error: (Error & { code?: string; cause?: { code?: string } }) | null = null;
      try {
        await stream.send(new Uint8Array(4096));
      } catch (err) {
        error = err as Error & { code?: string; cause?: { code?: string } };
      }
      await stream.aclose();
      expect(error).not.toBeNull();
      expect(error!.code ?? error!.cause?.code).toBe("ENOSPC");
    }));
});

import {
  BrokenResourceError,
  BusyResourceError,
  Cancelled,
  CancelScope,
  ClosedResourceError,
  EndOfStream,
  StapledByteStream,
  awaitCancellable,
  waitAllTasksBlocked,
  withTaskGroup,
} from "@anyio/core";
import { openProcess, Process } from "@anyio/process";
import { byteStreamCases, standardBackends } from "@anyio/testing";
import { conformanceTests, describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";
import { NODE, dec, enc, procExists, procState } from "./helpers.js";

/** A real sleep on the host, as an external wait (the strict clock stands still meanwhile). */
const realSleep = (ms: number) => awaitCancellable(new Promise((r) => setTimeout(r, ms)));

async function readAll(proc: Process, which: "stdout" | "stderr" = "stdout"): Promise<string> {
  let out = "";
  for await (const chunk of proc[which]!) out += dec(chunk);
  return out;
}

describeEachBackend("openProcess", ({ run }) => {
  it("exposes stdin/stdout/stderr pipes, pid and returncode", () =>
    run(async () => {
      const proc = await openProcess([NODE, "-e", "process.stdin.pipe(process.stdout); console.error('ready')"]);
      try {
        expect(proc).toBeInstanceOf(Process);
        expect(typeof proc.pid).toBe("number");
        expect(proc.returncode).toBeNull();
        await proc.stdin!.send(enc("ping"));
        const reply = await proc.stdout!.receive();
        expect(dec(reply)).toBe("ping");
        await proc.stdin!.aclose();
        expect(await readAll(proc)).toBe("");
        expect(await readAll(proc, "stderr")).toBe("ready\n");
        expect(await proc.wait()).toBe(0);
        expect(proc.returncode).toBe(0);
        expect(proc.signalCode).toBeNull();
      } finally {
        await proc.aclose();
      }
    }));

  it("streams a large stdin through the child and back (5 MiB, chunked)", () =>
    run(async () => {
      const proc = await openProcess(["cat"], { stderr: "ignore" });
      const total = 5 * 1024 * 1024;
      let received = 0;
      let ok = true;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          const chunk = new Uint8Array(65_536);
          for (let sent = 0; sent < total; sent += chunk.byteLength) {
            chunk.fill((sent / chunk.byteLength) & 0xff);
            await proc.stdin!.send(chunk); // copied: refilling the buffer next round is safe
          }
          await proc.stdin!.aclose();
        });
        for await (const part of proc.stdout!) {
          for (let i = 0; i < part.byteLength; i++) if (part[i] !== (Math.floor((received + i) / 65_536) & 0xff)) ok = false;
          received += part.byteLength;
        }
      });
      expect(received).toBe(total);
      expect(ok).toBe(true);
      expect(await proc.wait()).toBe(0);
      await proc.aclose();
    }));

  it("send() waits when the child does not read (backpressure), and cancelling it reaps the child", () =>
    run(async () => {
      const proc = await openProcess(["sleep", "30"], { stdout: "ignore", stderr: "ignore" });
      let sent = 0;
      const scope = new CancelScope();
      await scope.run(async () => {
        await withTaskGroup(async (tg) => {
          tg.startSoon(async () => {
            const chunk = new Uint8Array(16_384);
            for (;;) {
              await proc.stdin!.send(chunk);
              sent += chunk.byteLength;
            }
          });
          await waitAllTasksBlocked();
          await realSleep(20);
          await waitAllTasksBlocked();
          scope.cancel();
        });
      });
      // A pipe holds 64 KiB, Node buffers up to its high-water mark: far below "everything".
      expect(sent).toBeGreaterThan(0);
      expect(sent).toBeLessThan(1024 * 1024);
      await expect(proc.wait({ killOnCancel: false, signal: AbortSignal.abort() })).rejects.toBeDefined();
      proc.kill();
      expect(await proc.wait()).toBe(-9);
      await proc.aclose();
    }));

  it("receive(maxBytes) returns at most maxBytes and keeps the rest; bad maxBytes is a RangeError", () =>
    run(async () => {
      await using proc = await openProcess(["printf", "abcdefgh"], { stdin: "ignore" });
      await expect(proc.stdout!.receive(0)).rejects.toThrow(RangeError);
      let got = "";
      while (got.length < 8) {
        const chunk = await proc.stdout!.receive(3);
        expect(chunk.byteLength).toBeGreaterThan(0);
        expect(chunk.byteLength).toBeLessThanOrEqual(3);
        got += dec(chunk);
      }
      expect(got).toBe("abcdefgh");
      await expect(proc.stdout!.receive()).rejects.toBeInstanceOf(EndOfStream);
    }));

  it("a second concurrent receive is BusyResourceError; closing wakes the first with ClosedResourceError", () =>
    run(async () => {
      await using proc = await openProcess(["sleep", "30"], { stdin: "ignore" });
      let first: unknown;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          first = await proc.stdout!.receive().catch((e: unknown) => e);
        });
        await waitAllTasksBlocked();
        await expect(proc.stdout!.receive()).rejects.toBeInstanceOf(BusyResourceError);
        await proc.stdout!.aclose();
      });
      expect(first).toBeInstanceOf(ClosedResourceError);
      await expect(proc.stdout!.receive()).rejects.toBeInstanceOf(ClosedResourceError);
      proc.kill();
    }));

  it("stdio 'ignore' and 'inherit' give no stream on the Process", () =>
    run(async () => {
      await using proc = await openProcess(["true"], { stdin: "ignore", stdout: "ignore", stderr: "inherit" });
      expect(proc.stdin).toBeNull();
      expect(proc.stdout).toBeNull();
      expect(proc.stderr).toBeNull();
      expect(await proc.wait()).toBe(0);
    }));

  it("terminate(), kill() and sendSignal() deliver signals; returncode is -signo", () =>
    run(async () => {
      const a = await openProcess(["sleep", "30"]);
      a.terminate();
      expect(await a.wait()).toBe(-15);
      expect(a.signalCode).toBe("SIGTERM");
      await a.aclose();
      const b = await openProcess(["sleep", "30"]);
      b.kill();
      expect(await b.wait()).toBe(-9);
      await b.aclose();
      const c = await openProcess([NODE, "-e", "process.on('SIGUSR1', () => process.exit(42)); console.log('ready'); setInterval(() => {}, 1000)"]);
      expect(dec(await c.stdout!.receive())).toBe("ready\n");
      c.sendSignal("SIGUSR1");
      expect(await c.wait()).toBe(42);
      c.sendSignal("SIGKILL"); // after exit: a no-op, never a recycled pid
      await c.aclose();
    }));

  it("sendSignal() rejects unknown signals", () =>
    run(async () => {
      await using proc = await openProcess(["true"]);
      expect(() => proc.sendSignal("SIGNOPE" as NodeJS.Signals)).toThrow(RangeError);
      expect(() => proc.sendSignal(-1)).toThrow(RangeError);
      expect(() => proc.sendSignal(null as unknown as number)).toThrow(TypeError);
    }));

  it("a cancelled wait() kills the child, reaps it (no zombie, no orphan) and re-raises", () =>
    run(async () => {
      const proc = await openProcess(["sleep", "30"]);
      expect(procExists(proc.pid)).toBe(true);
      const scope = new CancelScope();
      let error: unknown;
      await scope.run(async () => {
        await withTaskGroup(async (tg) => {
          tg.startSoon(async () => {
            try {
              await proc.wait();
            } catch (err) {
              error = err;
              throw err;
            }
          });
          await waitAllTasksBlocked();
          scope.cancel();
        });
      });
      expect(error).toBeInstanceOf(Cancelled);
      expect(proc.returncode).toBe(-9);
      expect(procState(proc.pid)).toBeNull();
      expect(procExists(proc.pid)).toBe(false);
      await proc.aclose();
    }));

  it("wait({ killOnCancel: false }) only stops waiting", () =>
    run(async () => {
      const proc = await openProcess(["sleep", "30"]);
      const scope = new CancelScope();
      scope.cancel();
      await scope.run(() => proc.wait({ killOnCancel: false }));
      expect(proc.returncode).toBeNull();
      expect(procExists(proc.pid)).toBe(true);
      proc.kill();
      expect(await proc.wait()).toBe(-9);
      await proc.aclose();
    }));

  it("a cancelled aclose() (await using) kills and reaps the child", () =>
    run(async () => {
      let pid = 0;
      const scope = new CancelScope();
      await scope.run(async () => {
        await using proc = await openProcess(["sleep", "30"]);
        pid = proc.pid;
        scope.cancel();
      });
      expect(scope.cancelledCaught).toBe(true);
      expect(pid).toBeGreaterThan(0);
      expect(procExists(pid)).toBe(false);
    }));

  it("with killGracePeriod, cancellation sends SIGTERM first and the child may exit cleanly", () =>
    run(async () => {
      const script = "process.on('SIGTERM', () => { console.log('cleaned up'); process.exit(0); }); console.log('ready'); setInterval(() => {}, 1000)";
      const proc = await openProcess([NODE, "-e", script], { killGracePeriod: 10_000 });
      expect(dec(await proc.stdout!.receive())).toBe("ready\n");
      const scope = new CancelScope();
      scope.cancel();
      await scope.run(() => proc.wait());
      expect(proc.returncode).toBe(0);
      expect(procExists(proc.pid)).toBe(false);
    }));

  it("with killGracePeriod, a child that ignores SIGTERM is killed after the period", () =>
    run(async () => {
      const script = "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)";
      const proc = await openProcess([NODE, "-e", script], { killGracePeriod: 100 });
      expect(dec(await proc.stdout!.receive())).toBe("ready\n");
      const scope = new CancelScope();
      scope.cancel();
      await scope.run(() => proc.wait());
      expect(proc.returncode).toBe(-9);
      expect(procExists(proc.pid)).toBe(false);
    }));

  it("sending to a child that exited throws BrokenResourceError", () =>
    run(async () => {
      await using proc = await openProcess(["true"], { stdout: "ignore" });
      await proc.wait();
      const chunk = new Uint8Array(65_536);
      await expect(
        (async () => {
          for (let i = 0; i < 100; i++) await proc.stdin!.send(chunk);
        })(),
      ).rejects.toBeInstanceOf(BrokenResourceError);
      await expect(proc.stdin!.send(chunk)).rejects.toBeInstanceOf(BrokenResourceError);
      await proc.stdin!.aclose();
      await expect(proc.stdin!.send(chunk)).rejects.toBeInstanceOf(ClosedResourceError);
    }));

  it("a missing program rejects with Node's ENOENT; bad options are TypeErrors", () =>
    run(async () => {
      await expect(openProcess(["/no/such/program"])).rejects.toMatchObject({ code: "ENOENT" });
      await expect(openProcess(["true"], { stdout: "file" as never })).rejects.toThrow(/options.stdout/);
      await expect(openProcess("")).rejects.toThrow(TypeError);
    }));
});

// The pipe streams pass the byte-stream conformance kit: each direction runs through a `cat`,
// and sendEof() closes that cat's stdin (it exits, the peer sees EOF).
for (const b of standardBackends) {
  conformanceTests(
    `process pipes [${b.name}]`,
    b.make,
    byteStreamCases("cat pipes", async () => {
      const one = await openProcess(["cat"], { stderr: "ignore" });
      const two = await openProcess(["cat"], { stderr: "ignore" });
      return [
        new StapledByteStream(one.stdin!, two.stdout!),
        new StapledByteStream(two.stdin!, one.stdout!),
      ] as const;
    }),
  );
}

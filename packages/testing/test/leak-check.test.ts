/**
 * The leak check every `describeEachBackend` run gets: it passes a clean run and fails a run
 * that leaves a timer, a server, an open file, or a task behind.
 */
import { openSync, closeSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { awaitCancellable, sleep, withTaskGroup, type Backend } from "@anyio/core";
import { standardBackends } from "@anyio/testing";
import { LeakError, LeakWatch, isClean } from "@anyio/testing";
import { runChecked } from "@anyio/testing/vitest";
import { describe, expect, it } from "vitest";

for (const b of standardBackends) {
  describe(`leak check [${b.name}]`, () => {
    it("passes a run that cleans up after itself", async () => {
      await runChecked(b.make, async () => {
        await withTaskGroup(async (tg) => {
          tg.startSoon(() => sleep(5));
        });
      });
    });

    it("fails a run that leaves a host timer behind, naming it", async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const err = await runChecked(b.make, () => {
        timer = setTimeout(() => {}, 60_000);
      }).catch((e: unknown) => e);
      clearTimeout(timer);
      expect(err).toBeInstanceOf(LeakError);
      expect((err as LeakError).report.resources).toEqual({ Timeout: 1 });
      expect((err as Error).message).toMatch(/1× Timeout/);
    });

    it("fails a run that leaves a listening server behind", async () => {
      let server: Server | undefined;
      const err = await runChecked(b.make, async () => {
        const s = (server = createServer());
        await awaitCancellable(new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve)));
      }).catch((e: unknown) => e);
      await new Promise((r) => server!.close(r));
      expect((err as LeakError).report.resources).toEqual({ TCPServerWrap: 1 });
    });

    it("fails a run that leaves a file open (Node 20 does not list FileHandles: /proc is read)", async () => {
      const dir = mkdtempSync(join(tmpdir(), "anyio-leak-"));
      let fd = -1;
      try {
        const err = await runChecked(b.make, () => {
          fd = openSync(join(dir, "f"), "w");
        }).catch((e: unknown) => e);
        expect((err as LeakError).report.files).toEqual([join(dir, "f")]);
      } finally {
        if (fd >= 0) closeSync(fd);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("keeps the run's own error as the cause when a failing run also leaked", async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const boom = new Error("boom");
      const err = await runChecked(b.make, () => {
        timer = setTimeout(() => {}, 60_000);
        throw boom;
      }).catch((e: unknown) => e);
      clearTimeout(timer);
      expect((err as LeakError).cause).toBe(boom);
    });

    it("reports tasks still alive after run() settled (a backend whose run was abandoned)", async () => {
      const watch = await LeakWatch.start();
      // A backend wrapper that hands core a run but reports the tasks as never finishing:
      // the controller still counts the root as live because the run never started it.
      const inner = b.make();
      const stuck: Backend = {
        name: "stuck",
        contractVersion: inner.contractVersion,
        start(controller) {
          const r = inner.start(controller);
          return { ...bind(r), reschedule: () => {} };
        },
      };
      void (await import("@anyio/core")).run(() => {}, { backend: watch.backend(stuck) });
      const report = await watch.check(50);
      expect(report.liveTasks).toEqual([1]);
      expect(isClean(report)).toBe(false);
    });

    it("reports unhandled rejections that happened while it watched", async () => {
      const watch = await LeakWatch.start();
      const reason = new Error("nobody caught me");
      // Node calls every 'unhandledRejection' listener; vitest's own would fail this test, so
      // the event is emitted by hand rather than by a real floating promise.
      process.emit("unhandledRejection", reason, Promise.resolve());
      const report = await watch.check(0);
      expect(report.unhandledRejections).toEqual([reason]);
    });
  });
}

function bind<T extends object>(r: T): T {
  const out: Record<string | symbol, unknown> = {};
  let proto: object | null = r;
  while (proto !== null && proto !== Object.prototype) {
    for (const key of Reflect.ownKeys(proto)) {
      if (key in out || key === "constructor") continue;
      const v = (r as Record<string | symbol, unknown>)[key];
      out[key] = typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(r) : v;
    }
    proto = Object.getPrototypeOf(proto);
  }
  return out as T;
}

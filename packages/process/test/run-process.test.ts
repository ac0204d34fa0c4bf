import { existsSync } from "node:fs";
import { Cancelled, CancelScope, withTaskGroup, awaitCancellable } from "@anyio/core";
import { CalledProcessError, runProcess } from "@anyio/process";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";
import { NODE, dec, findChild, procExists } from "./helpers.js";

describeEachBackend("runProcess", ({ run }) => {
  it("captures stdout and stderr separately and returns the exit status", () =>
    run(async () => {
      const res = await runProcess([NODE, "-e", "process.stdout.write('out'); process.stderr.write('err')"]);
      expect(res.returncode).toBe(0);
      expect(dec(res.stdout)).toBe("out");
      expect(dec(res.stderr)).toBe("err");
      expect(res.stdout).toBeInstanceOf(Uint8Array);
    }));

  it("runs a string command through the shell", () =>
    run(async () => {
      const res = await runProcess("echo $((6 * 7)) | tr 4 X");
      expect(dec(res.stdout)).toBe("X2\n");
    }));

  it("runs an array command without a shell (no expansion)", () =>
    run(async () => {
      const res = await runProcess(["echo", "$HOME", "*"]);
      expect(dec(res.stdout)).toBe("$HOME *\n");
    }));

  it("a non-zero exit throws CalledProcessError carrying returncode, output and command", () =>
    run(async () => {
      const command = ["sh", "-c", "echo partial; echo oops >&2; exit 3"];
      const err = await runProcess(command).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CalledProcessError);
      const cpe = err as CalledProcessError;
      expect(cpe.returncode).toBe(3);
      expect(dec(cpe.stdout)).toBe("partial\n");
      expect(dec(cpe.stderr)).toBe("oops\n");
      expect(cpe.command).toBe(command);
      expect(cpe.message).toBe('Command "sh -c echo partial; echo oops >&2; exit 3" returned non-zero exit status 3.');
      expect(cpe.name).toBe("CalledProcessError");
    }));

  it("check: false returns the non-zero status instead of throwing", () =>
    run(async () => {
      const res = await runProcess("exit 7", { check: false });
      expect(res.returncode).toBe(7);
    }));

  it("a child ended by a signal has returncode -signo", () =>
    run(async () => {
      const err = (await runProcess("kill -9 $$").catch((e: unknown) => e)) as CalledProcessError;
      expect(err).toBeInstanceOf(CalledProcessError);
      expect(err.returncode).toBe(-9);
      expect(err.message).toContain("died with SIGKILL");
    }));

  it("input is written to stdin while output is drained", () =>
    run(async () => {
      const res = await runProcess(["tr", "a-z", "A-Z"], { input: "hello world" });
      expect(dec(res.stdout)).toBe("HELLO WORLD");
      const bytes = await runProcess(["wc", "-c"], { input: new Uint8Array(300_000) });
      expect(dec(bytes.stdout).trim()).toBe("300000");
    }));

  it("input together with stdin is a TypeError", () =>
    run(async () => {
      await expect(runProcess(["cat"], { input: "x", stdin: "ignore" })).rejects.toThrow(TypeError);
      await expect(runProcess(["cat"], { input: "x", stdin: "ignore" })).rejects.toThrow(/only one of options.stdin and options.input/);
    }));

  it("bad arguments throw TypeError naming them", () =>
    run(async () => {
      await expect(runProcess([] as string[])).rejects.toThrow(/command must not be an empty array/);
      await expect(runProcess(42 as unknown as string)).rejects.toThrow(TypeError);
      await expect(runProcess(["echo", 1 as unknown as string])).rejects.toThrow(/command\[1\] must be a string/);
      await expect(runProcess(["echo"], { check: "yes" as unknown as boolean })).rejects.toThrow(/options.check/);
    }));

  it("a missing program fails with Node's ENOENT code", () =>
    run(async () => {
      const err = (await runProcess(["/nonexistent/program-xyz"]).catch((e: unknown) => e)) as NodeJS.ErrnoException;
      expect(err.code).toBe("ENOENT");
    }));

  it("cwd and env are passed to the child", () =>
    run(async () => {
      const res = await runProcess("pwd; echo $ANYIO_TEST", { cwd: "/tmp", env: { PATH: process.env.PATH, ANYIO_TEST: "yes" } });
      expect(dec(res.stdout)).toBe("/tmp\nyes\n");
    }));

  it("drains more than 10 MiB on both stdout and stderr without deadlocking on full pipes", () =>
    run(async () => {
      const size = 10 * 1024 * 1024 + 123;
      // stderr first and in full: a reader that drained stdout only would deadlock here.
      const script = `const b = Buffer.alloc(${size}, 97); process.stderr.write(b, () => process.stdout.write(b));`;
      const res = await runProcess([NODE, "-e", script]);
      expect(res.stdout.byteLength).toBe(size);
      expect(res.stderr.byteLength).toBe(size);
      expect(res.stdout.every((x) => x === 97)).toBe(true);
    }));

  it("stdin: 'pipe' without input gives the child an empty stdin", () =>
    run(async () => {
      const res = await runProcess(["wc", "-c"], { stdin: "pipe" });
      expect(dec(res.stdout).trim()).toBe("0");
    }));

  it("cancellation kills and reaps the child before Cancelled propagates", () =>
    run(async () => {
      let pid = 0;
      const scope = new CancelScope();
      await scope.run(async () => {
        await withTaskGroup(async (tg) => {
          tg.startSoon(async () => {
            // The child reports its pid, then sleeps; the parent cancels once it knows the pid.
            await runProcess([NODE, "-e", "console.log(process.pid); setTimeout(() => {}, 30000)"], {
              stdout: "pipe",
            });
          });
          // Find the child through /proc: it is our direct child running the sleep script.
          for (let i = 0; i < 200 && pid === 0; i++) {
            await awaitCancellable(new Promise((r) => setTimeout(r, 10)));
            pid = findChild("setTimeout(() => {}, 30000)");
          }
          scope.cancel();
        });
      });
      expect(scope.cancelledCaught).toBe(true);
      expect(pid).not.toBe(0);
      expect(procExists(pid)).toBe(false);
    }));

  it("a foreign AbortSignal aborts the run with its reason and kills the child", () =>
    run(async () => {
      const controller = new AbortController();
      const reason = new Error("stop");
      setTimeout(() => controller.abort(reason), 50);
      const err = await runProcess(["sleep", "30"], { signal: controller.signal }).catch((e: unknown) => e);
      expect(err).toBe(reason);
      expect(findChild("sleep 30")).toBe(0);
    }));

  it("a run that is already cancelled starts nothing", () =>
    run(async () => {
      const scope = new CancelScope();
      scope.cancel();
      let err: unknown;
      await scope.run(async () => {
        try {
          await runProcess(["sh", "-c", "touch /tmp/anyio-should-not-exist-$PPID"]);
        } catch (e) {
          err = e;
          throw e;
        }
      });
      expect(err).toBeInstanceOf(Cancelled);
      expect(existsSync(`/tmp/anyio-should-not-exist-${process.pid}`)).toBe(false);
    }));
});


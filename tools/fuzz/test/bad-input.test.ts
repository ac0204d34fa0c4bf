/**
 * The bad-input sweep: every exported function and constructor of core, sync, net, fs, process
 * and worker — enumerated with `import * as`, so a new export is swept or must be listed in
 * SKIPPED with a reason — is called with wrong types, NaN, negative and huge numbers,
 * undefined and null as its first argument, inside a run. Each call must either accept the
 * value (and then finish within a short deadline, its result closed) or answer with a
 * TypeError/RangeError whose message names the parameter (or a documented error: a library
 * error class, or an OS error carrying Node's `code`). Nothing may be left behind (leak check
 * over the whole sweep). Closed resources are checked separately below (every operation of a
 * closed memory stream, TCP listener, socket stream, file and file stream throws
 * ClosedResourceError).
 *
 * BADINPUT_RESULTS=<file> records the calls made (used by `pnpm fuzz` for RELIABILITY.md).
 */
import { rmSync, writeFileSync } from "node:fs";
import { strictBackend } from "@anyio/backend-strict";
import * as core from "@anyio/core";
import * as fs from "@anyio/fs";
import * as net from "@anyio/net";
import * as proc from "@anyio/process";
import * as sync from "@anyio/sync";
import { isClean, describeLeaks, LeakWatch } from "@anyio/testing";
import * as worker from "@anyio/worker";
import { describeEachBackend } from "@anyio/testing/vitest";
import { describe, expect, it } from "vitest";

const modules: Record<string, Record<string, unknown>> = { core, sync, net, fs, process: proc, worker };

/** Exports not swept, each with the reason. */
const SKIPPED: Record<string, string> = {
  "core.Waiter": "low-level: its TSDoc requires a valid node; swept through every public call that parks",
  "core.TimerEntry": "internal building block of TimerQueue, constructed only by TimerQueue.add",
  "core.AsyncResourceBase": "abstract base class",
  "core.ByteReceiveStreamBase": "abstract base class",
  "core.ObjectReceiveStreamBase": "abstract base class",
  "core.isCancelled": "a predicate: any value is valid input",
  "core.isForeignSignal": "a predicate: any value is valid input",
  "core.getCancelledExcClass": "takes no arguments",
  "core.run": "covered by packages/core/test/bad-input.test.ts with a backend; here every call runs inside run()",
  "process.cancelOnSignals": "installs process signal handlers; its argument validation is tested in packages/process",
};


/**
 * Exports that still fail the sweep, each with the reason: reported in RELIABILITY.md, and the
 * test checks each still fails (fix one, and its entry must go).
 */
const KNOWN_GAPS: Record<string, string> = {};

const BAD_VALUES: Array<[string, unknown]> = [
  ["undefined", undefined],
  ["null", null],
  ["NaN", Number.NaN],
  ["-1", -1],
  ["1e300", 1e300],
  ["a symbol", Symbol("bad")],
  ["an empty object", {}],
  ["a function", () => {}],
  ["a string", "\u0000bad"],
];

/** The error classes a call may answer with besides TypeError/RangeError. */
function documented(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const libraryErrors = [
    core.ClosedResourceError,
    core.BrokenResourceError,
    core.BusyResourceError,
    core.EndOfStream,
    core.WouldBlock,
    core.NoContextError,
    core.LookupError,
    core.TimeoutError,
    net.ConnectionFailed,
    proc.CalledProcessError,
    worker.BrokenWorkerError,
    worker.NoEventLoopError,
  ];
  if (libraryErrors.some((c) => err instanceof c)) return true;
  // An OS answer (ENOENT, ENOTFOUND, EACCES…): the value was valid, the world said no.
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code);
}

/** The first parameter's name, read from the (transpiled) source; null when not a plain name. */
function firstParam(fn: Function, isClass: boolean): string | null {
  const src = Function.prototype.toString.call(fn);
  let params: string | undefined;
  if (isClass) {
    params = /constructor\s*\(([^)]*)\)/.exec(src)?.[1];
    // A subclass without a constructor of its own takes its parent's parameters.
    const parent = Object.getPrototypeOf(fn) as Function;
    if (params === undefined && parent !== Function.prototype) return firstParam(parent, isClassLike(parent));
  }
  else params = /^[^(]*\(([^)]*)\)/.exec(src)?.[1];
  if (params === undefined) return null;
  const first = params.split(",")[0]!.trim().replace(/^\.\.\./, "").split("=")[0]!.trim();
  return /^[A-Za-z_$][\w$]*$/.test(first) ? first : null;
}

function isClassLike(fn: Function): boolean {
  return /^class\b/.test(Function.prototype.toString.call(fn));
}

function isErrorClass(fn: Function): boolean {
  return fn.prototype instanceof Error || fn === Error;
}

interface CallRecord {
  name: string;
  value: string;
  verdict: "accepted" | "rejected" | "VIOLATION";
  detail: string;
}

async function closeResult(value: unknown): Promise<void> {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return;
  const v = value as { aclose?: () => Promise<void>; close?: () => void };
  try {
    if (typeof v.aclose === "function") await core.acloseForcefully(v as core.AsyncResource);
    else if (typeof v.close === "function" && !(value instanceof sync.Event)) {
      const closing = v.close() as unknown;
      if (closing instanceof Promise) await closing.catch(() => {});
    }
  } catch {
    // closing a half-made result is best effort; the leak check judges what stays open
  }
}

async function sweepOne(name: string, fn: Function, records: CallRecord[]): Promise<void> {
  const cls = isClassLike(fn);
  const param = firstParam(fn, cls);
  const shortName = name.split(".")[1]!;
  for (const [label, value] of BAD_VALUES) {
    const record: CallRecord = { name, value: label, verdict: "accepted", detail: "" };
    records.push(record);
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
    const attempt = core.run(
      async () => {
        let result: unknown;
        try {
          // A value that is accepted may start a long wait: a short (virtual) deadline ends it.
          await core.moveOnAfter(50).run(async () => {
            result = cls ? new (fn as new (v: unknown) => unknown)(value) : await (fn as (v: unknown) => unknown)(value);
          });
        } finally {
          await closeResult(result);
        }
        return result;
      },
      { backend: strictBackend() },
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hang = new Promise<"hang">((r) => (timer = setTimeout(() => r("hang"), 5000)));
    try {
      const r = await Promise.race([attempt, hang]);
      if (r === "hang") {
        record.verdict = "VIOLATION";
        record.detail = "did not finish within 5 s (real time)";
        continue;
      }
      outcome = { ok: true, value: r };
    } catch (error) {
      outcome = { ok: false, error };
    } finally {
      clearTimeout(timer);
    }
    if (outcome.ok) continue;
    const err = outcome.error;
    const message = err instanceof Error ? err.message : String(err);
    record.detail = `${err instanceof Error ? err.name : typeof err}: ${message.slice(0, 160)}`;
    if (err instanceof TypeError || err instanceof RangeError) {
      const names = [param, shortName].filter((n): n is string => n !== null);
      if (names.some((n) => message.includes(n))) record.verdict = "rejected";
      else {
        record.verdict = "VIOLATION";
        record.detail += ` — names neither the parameter${param === null ? "" : ` "${param}"`} nor the function`;
      }
    } else if (documented(err) || core.isCancelled(err)) {
      record.verdict = "rejected";
    } else {
      record.verdict = "VIOLATION";
      record.detail += " — not a TypeError/RangeError/documented error";
    }
  }
}

describe("bad-input sweep", () => {
  it("every export answers bad first arguments with a clear error or accepts them, leaking nothing", async () => {
    const records: CallRecord[] = [];
    const skipped: Array<{ name: string; reason: string }> = [];
    const watch = await LeakWatch.start();
    for (const [modName, mod] of Object.entries(modules)) {
      for (const [exportName, value] of Object.entries(mod)) {
        if (typeof value !== "function") continue;
        const name = `${modName}.${exportName}`;
        const reason = SKIPPED[name] ?? (isErrorClass(value) ? "an error class: any message is valid" : undefined);
        if (reason !== undefined) {
          skipped.push({ name, reason });
          continue;
        }
        await sweepOne(name, value, records);
      }
    }
    const report = await watch.check();
    const violations = records.filter((r) => r.verdict === "VIOLATION" && KNOWN_GAPS[r.name] === undefined);
    const known = Object.entries(KNOWN_GAPS).map(([name, reason]) => ({
      name,
      reason,
      failingCalls: records.filter((r) => r.name === name && r.verdict === "VIOLATION").length,
    }));
    const results = process.env.BADINPUT_RESULTS;
    if (results !== undefined) {
      writeFileSync(
        results,
        JSON.stringify(
          {
            date: new Date().toISOString(),
            exportsSwept: new Set(records.map((r) => r.name)).size,
            calls: records.length,
            accepted: records.filter((r) => r.verdict === "accepted").length,
            rejected: records.filter((r) => r.verdict === "rejected").length,
            violations,
            knownGaps: known,
            skipped,
            leaks: isClean(report) ? null : describeLeaks(report),
          },
          null,
          2,
        ) + "\n",
      );
    }
    expect(violations.map((r) => `${r.name}(${r.value}): ${r.detail}`)).toEqual([]);
    // A known gap that no longer fails must leave the list.
    expect(known.filter((k) => k.failingCalls === 0).map((k) => k.name)).toEqual([]);
    expect(isClean(report) ? "" : describeLeaks(report)).toBe("");
    // Every entry of SKIPPED still names an export (a stale entry hides nothing).
    for (const name of Object.keys(SKIPPED)) {
      const [m, e] = name.split(".") as [string, string];
      expect(typeof modules[m]![e], name).toBe("function");
    }
  }, 120_000);
});

describeEachBackend("closed resources answer ClosedResourceError", ({ run }) => {
  const expectClosed = async (what: string, op: () => unknown) => {
    let error: unknown;
    try {
      await op();
    } catch (err) {
      error = err;
    }
    expect(error, what).toBeInstanceOf(core.ClosedResourceError);
  };

  it("memory object streams", () =>
    run(async () => {
      const [tx, rx] = sync.createMemoryObjectStream<number>(1);
      tx.close();
      rx.close();
      await expectClosed("send", () => tx.send(1));
      await expectClosed("sendNowait", () => tx.sendNowait(1));
      await expectClosed("receive", () => rx.receive());
      await expectClosed("receiveNowait", () => rx.receiveNowait());
      await expectClosed("clone", () => tx.clone());
    }));

  it("a TCP listener and socket streams", () =>
    run(async () => {
      const multi = await net.createTcpListener({ localHost: "127.0.0.1" });
      const listener = multi.listeners[0] as net.SocketListener;
      const client = await net.connectTcp("127.0.0.1", listener.port!);
      const server = await listener.accept();
      await multi.aclose();
      await expectClosed("accept", () => listener.accept());
      await client.aclose();
      await server.aclose();
      await expectClosed("send", () => client.send(new Uint8Array([1])));
      await expectClosed("receive", () => client.receive());
      await expectClosed("sendEof", () => server.sendEof());
    }));

  it("files and file streams", () =>
    run(async () => {
      const dir = await fs.mkdtemp();
      try {
        const path = new fs.Path(dir, "f");
        await path.writeBytes(new Uint8Array([1, 2, 3]));
        const file = await fs.openFile(path, "rb");
        await file.aclose();
        await expectClosed("AsyncFile.read", () => file.read());
        const stream = await fs.FileReadStream.fromPath(path);
        await stream.aclose();
        await expectClosed("FileReadStream.receive", () => stream.receive());
        const out = await fs.FileWriteStream.fromPath(new fs.Path(dir, "g"));
        await out.aclose();
        await expectClosed("FileWriteStream.send", () => out.send(new Uint8Array([1])));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }));
});

/**
 * Leak checks for tests: what a `run()` left behind once it settled — tasks still alive in the
 * run (the backend's own registry, every host), and on Node the host resources that appeared
 * during the run and did not go away (sockets, servers, pipes, child processes, DNS requests,
 * pending fs requests — compared by count per `process.getActiveResourcesInfo()` kind —, timers
 * made during the run that are still armed and ref'd — tracked one by one, since the test
 * runner's own timers come and go — and, read from /proc on Linux since Node 20 does not list
 * `FileHandle`s, regular files still open).
 *
 * `describeEachBackend` and `conformanceTests` (`@anyio/testing/vitest`) apply it to every run.
 *
 * @module
 */
import type { Backend, RunController } from "@anyio/core";

/** Host resources by kind (`process.getActiveResourcesInfo()` names), plus open regular files. */
export interface ResourceSnapshot {
  /** Count per resource kind. */
  readonly kinds: Readonly<Record<string, number>>;
  /** Regular files this process has open (Linux only; empty elsewhere). */
  readonly files: readonly string[];
}

/** What {@link leaksSince} found: empty arrays/objects mean nothing leaked. */
export interface LeakReport {
  /** Resource kinds that grew since the snapshot, with the surplus. */
  readonly resources: Record<string, number>;
  /** Regular files open now that were not open at the snapshot. */
  readonly files: string[];
  /** Runs whose controller still counted live tasks after `run()` settled. */
  readonly liveTasks: number[];
  /** Unhandled promise rejections seen while the checked code ran. */
  readonly unhandledRejections: unknown[];
}

type NodeProcess = {
  getActiveResourcesInfo?: () => string[];
  on?: (event: string, listener: (reason: unknown) => void) => void;
  off?: (event: string, listener: (reason: unknown) => void) => void;
};

function hostProcess(): NodeProcess | undefined {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p !== undefined && typeof p.getActiveResourcesInfo === "function" ? p : undefined;
}

/**
 * Kinds that are not compared by count: stdio, loop-turn items, and `Timeout` — the test
 * runner keeps timers of its own that come and go, which would mask (or fake) a leak in a
 * count; timers are tracked one by one instead (see {@link TimerTracker}).
 */
const IGNORED_KINDS = new Set(["TTYWrap", "Immediate", "CloseReq", "ShutdownWrap", "WriteWrap", "SignalWrap", "StatWatcher", "Timeout"]);

type HostTimer = { hasRef?: () => boolean; _destroyed?: boolean };

/**
 * Records the timers created while at least one watch is active, by wrapping the global
 * `setTimeout`/`setInterval` (the backends and packages call them at call time). A timer
 * leaked is one still armed and ref'd (it would keep the process alive); unref'd ones are
 * allowed, as `getActiveResourcesInfo()` allows them.
 */
class TimerTracker {
  private active = 0;
  private readonly sets = new Set<Set<HostTimer>>();
  private saved: { setTimeout: unknown; setInterval: unknown } | null = null;

  watch(into: Set<HostTimer>): void {
    this.sets.add(into);
    if (this.active++ > 0) return;
    const g = globalThis as unknown as Record<string, (...args: unknown[]) => unknown>;
    const sets = this.sets;
    this.saved = { setTimeout: g.setTimeout, setInterval: g.setInterval };
    for (const name of ["setTimeout", "setInterval"] as const) {
      const original = g[name]!;
      const wrapped = function (this: unknown, ...args: unknown[]) {
        const timer = original.apply(this, args) as HostTimer;
        if (timer !== null && typeof timer === "object") for (const set of sets) set.add(timer);
        return timer;
      };
      Object.assign(wrapped, original); // keeps util.promisify.custom and friends
      g[name] = wrapped;
    }
  }

  unwatch(from: Set<HostTimer>): void {
    if (!this.sets.delete(from)) return;
    if (--this.active > 0 || this.saved === null) return;
    const g = globalThis as unknown as Record<string, unknown>;
    g.setTimeout = this.saved.setTimeout;
    g.setInterval = this.saved.setInterval;
    this.saved = null;
  }
}

const timerTracker = new TimerTracker();

/** The timers in `set` still armed and ref'd. */
function liveTimers(set: Set<HostTimer>): number {
  let n = 0;
  for (const t of set) {
    if (t._destroyed === true) set.delete(t);
    else if (t._destroyed === false && (t.hasRef?.() ?? true)) n++;
  }
  return n;
}

let fsModule: { readdirSync(p: string): string[]; readlinkSync(p: string): string } | null | undefined;

async function loadFs(): Promise<void> {
  if (fsModule !== undefined) return;
  try {
    const specifier = "node:fs";
    fsModule = (await import(/* @vite-ignore */ specifier)) as typeof fsModule;
  } catch {
    fsModule = null;
  }
}

function openRegularFiles(): string[] {
  if (fsModule === null || fsModule === undefined) return [];
  let fds: string[];
  try {
    fds = fsModule.readdirSync("/proc/self/fd");
  } catch {
    return []; // not Linux: no file check
  }
  const files: string[] = [];
  for (const fd of fds) {
    try {
      const target = fsModule.readlinkSync(`/proc/self/fd/${fd}`);
      // Sockets, pipes and anonymous inodes are covered by the resource kinds; devices and
      // the runner's own node_modules reads are not ours.
      if (target.startsWith("/") && !target.startsWith("/dev/") && !target.startsWith("/proc/") && !target.includes("/node_modules/")) {
        files.push(target);
      }
    } catch {
      // closed while listing
    }
  }
  return files.sort();
}

/**
 * The host resources in use now (empty on hosts without `process.getActiveResourcesInfo`).
 *
 * @example
 * ```ts
 * const before = await resourceSnapshot();
 * await run(main, { backend });
 * expect(await leaksSince(before)).toEqual(noLeaks);
 * ```
 */
export async function resourceSnapshot(): Promise<ResourceSnapshot> {
  await loadFs();
  return takeSnapshot();
}

function takeSnapshot(): ResourceSnapshot {
  const kinds: Record<string, number> = {};
  const p = hostProcess();
  if (p !== undefined) {
    for (const kind of p.getActiveResourcesInfo!()) {
      if (!IGNORED_KINDS.has(kind)) kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
  }
  return { kinds, files: openRegularFiles() };
}

function diff(before: ResourceSnapshot, now: ResourceSnapshot): { resources: Record<string, number>; files: string[] } {
  const resources: Record<string, number> = {};
  for (const [kind, n] of Object.entries(now.kinds)) {
    const d = n - (before.kinds[kind] ?? 0);
    if (d > 0) resources[kind] = d;
  }
  const had = new Map<string, number>();
  for (const f of before.files) had.set(f, (had.get(f) ?? 0) + 1);
  const files: string[] = [];
  for (const f of now.files) {
    const n = had.get(f) ?? 0;
    if (n > 0) had.set(f, n - 1);
    else files.push(f);
  }
  return { resources, files };
}

/**
 * The report for "nothing leaked".
 *
 * @example
 * ```ts
 * expect(await leaksSince(before)).toEqual(noLeaks);
 * ```
 */
export const noLeaks: LeakReport = Object.freeze({ resources: {}, files: [], liveTasks: [], unhandledRejections: [] }) as LeakReport;

/**
 * Compares the host's resources with `before`, giving closes in flight time to finish: a
 * closed socket or server leaves the list a loop turn later, an abandoned DNS lookup when
 * libuv's thread pool gets to it. Polls in real time for at most `graceMs` (default 2000).
 *
 * @example
 * ```ts
 * const report = await leaksSince(before);
 * if (Object.keys(report.resources).length > 0) throw new Error(describeLeaks(report));
 * ```
 */
export async function leaksSince(before: ResourceSnapshot, graceMs = 2000, timers?: Set<HostTimer>): Promise<LeakReport> {
  await loadFs();
  const start = Date.now();
  const sample = () => {
    const d = diff(before, takeSnapshot());
    const n = timers === undefined ? 0 : liveTimers(timers);
    if (n > 0) d.resources.Timeout = n;
    return d;
  };
  let found = sample();
  for (let i = 0; Object.keys(found.resources).length > 0 || found.files.length > 0; i++) {
    if (Date.now() - start >= graceMs) break;
    // The first look after one loop turn (closes finish there), then short real-time polls.
    const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
    await new Promise<void>((resolve) => (i === 0 && immediate !== undefined ? immediate(resolve) : setTimeout(resolve, i < 5 ? 1 : 10)));
    found = sample();
  }
  return { ...found, liveTasks: [], unhandledRejections: [] };
}

/**
 * True when `report` found nothing.
 *
 * @example
 * ```ts
 * const report = await watch.check();
 * if (!isClean(report)) throw new LeakError(report);
 * ```
 */
export function isClean(report: LeakReport): boolean {
  return (
    Object.keys(report.resources).length === 0 &&
    report.files.length === 0 &&
    report.liveTasks.length === 0 &&
    report.unhandledRejections.length === 0
  );
}

/**
 * A one-paragraph description of a report, for assertion messages.
 *
 * @example
 * ```ts
 * expect(isClean(report), describeLeaks(report)).toBe(true);
 * ```
 */
export function describeLeaks(report: LeakReport): string {
  const parts: string[] = [];
  const kinds = Object.entries(report.resources).map(([k, n]) => `${n}× ${k}`);
  if (kinds.length > 0) parts.push(`host resources left behind: ${kinds.join(", ")}`);
  if (report.files.length > 0) parts.push(`files left open: ${report.files.join(", ")}`);
  if (report.liveTasks.length > 0) parts.push(`tasks still alive after run() settled: ${report.liveTasks.join(", ")}`);
  if (report.unhandledRejections.length > 0) {
    parts.push(`unhandled rejections: ${report.unhandledRejections.map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e))).join("; ")}`);
  }
  return parts.join("; ");
}

/**
 * Thrown by the vitest helpers when a run leaked.
 *
 * @example
 * ```ts
 * try { await check(); } catch (e) { if (e instanceof LeakError) console.error(e.report); }
 * ```
 */
export class LeakError extends Error {
  constructor(
    /** What was left behind. */
    readonly report: LeakReport,
    options?: { cause?: unknown },
  ) {
    super(`leak check: ${describeLeaks(report)}`, options);
    this.name = "LeakError";
  }
}

/**
 * Watches runs for leaks: wrap backend factories with {@link LeakWatch.backend}, call
 * {@link LeakWatch.check} when the runs have settled.
 *
 * @example
 * ```ts
 * const watch = await LeakWatch.start();
 * await run(main, { backend: watch.backend(nativeBackend()) });
 * const report = await watch.check();   // LeakReport; isClean(report) when nothing leaked
 * ```
 */
export class LeakWatch {
  private readonly controllers: RunController[] = [];
  private readonly rejections: unknown[] = [];
  private readonly onRejection = (reason: unknown): void => void this.rejections.push(reason);
  private readonly timers = new Set<HostTimer>();
  private stopped = false;

  private constructor(private readonly before: ResourceSnapshot) {
    hostProcess()?.on?.("unhandledRejection", this.onRejection);
    timerTracker.watch(this.timers);
  }

  /** Takes the "before" snapshot and starts listening for unhandled rejections. */
  static async start(): Promise<LeakWatch> {
    return new LeakWatch(await resourceSnapshot());
  }

  /** `inner`, with every run's controller remembered (to read its task count afterwards). */
  backend(inner: Backend): Backend {
    const controllers = this.controllers;
    return {
      name: inner.name,
      contractVersion: inner.contractVersion,
      start(controller) {
        controllers.push(controller);
        return inner.start(controller);
      },
    };
  }

  /** Stops watching and reports what the watched runs left behind. */
  async check(graceMs?: number): Promise<LeakReport> {
    // Timers made by the check's own polling are not the run's.
    timerTracker.unwatch(this.timers);
    const found = await leaksSince(this.before, graceMs, this.timers);
    if (!this.stopped) {
      this.stopped = true;
      hostProcess()?.off?.("unhandledRejection", this.onRejection);
    }
    const liveTasks = this.controllers.map((c) => c.snapshot().liveTasks).filter((n) => n !== 0);
    return { ...found, liveTasks, unhandledRejections: [...this.rejections] };
  }
}

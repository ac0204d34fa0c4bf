/**
 * Test helpers: a fresh temp directory per test and a leak check on open file descriptors.
 */
import { mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect } from "vitest";

/**
 * The files under `dir` this process still has open. Node 20 does not list `FileHandle`s in
 * `process.getActiveResourcesInfo()`, so the descriptors are read from /proc (Linux).
 */
export function openFdsUnder(dir: string): string[] {
  let fds: string[];
  try {
    fds = readdirSync("/proc/self/fd");
  } catch {
    return []; // not Linux: no check
  }
  const root = realpathSync(dir);
  const open: string[] = [];
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(root)) open.push(target);
    } catch {
      // closed while listing
    }
  }
  return open;
}

/** Registers a temp directory for every test and checks afterwards that no file in it is still open. */
export function useTempDir(): { readonly path: string } {
  const state = { path: "" };
  beforeEach(() => {
    state.path = mkdtempSync(join(tmpdir(), "anyio-fs-test-"));
  });
  afterEach(() => {
    try {
      expect(openFdsUnder(state.path), "file descriptors left open").toEqual([]);
      const active = process.getActiveResourcesInfo().filter((r) => r === "FileHandle");
      expect(active, "FileHandle resources left open").toEqual([]);
    } finally {
      rmSync(state.path, { recursive: true, force: true });
    }
  });
  return state;
}

/** Deterministic pseudo-random bytes. */
export function pattern(size: number, seed = 7): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A limiter that counts acquisitions and runs a hook on each (used to cancel at an exact step). */
export class HookLimiter {
  acquired = 0;
  held = 0;
  constructor(private readonly onAcquire: (n: number) => void = () => {}) {}
  async acquire(): Promise<void> {
    this.acquired++;
    this.held++;
    this.onAcquire(this.acquired);
  }
  release(): void {
    this.held--;
  }
}

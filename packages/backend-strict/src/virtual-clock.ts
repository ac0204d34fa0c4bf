/**
 * The virtual clock: time that stands still while tasks run and moves only when told to —
 * by `advance()`, or by autojump when every task is blocked.
 *
 * @module
 */
import { mulberry32 } from "./prng.js";

/** Options of {@link VirtualClock}. */
export interface VirtualClockOptions {
  /**
   * The clock's first reading, in ms. Default: a pseudo-random offset between 10^7 and
   * 2·10^8 ms (Trio's 10^4..2·10^5 s), derived from the backend's seed, so loop time cannot be
   * mistaken for wall time or for `performance.now()`. Always a whole number of ms, so that
   * `now() + ms - now()` is exactly `ms`.
   */
  start?: number;
  /**
   * Jump to the next timer's deadline as soon as every task is blocked (default `true`).
   * With `false`, time moves only through {@link VirtualClock.advance}.
   */
  autojump?: boolean;
  /**
   * Also jump while some task waits on the outside world (`awaitCancellable`, I/O), once the run
   * has had nothing else to do for this many real ms. Default `Infinity`: a pending external
   * wait holds virtual time still, so a real 50 ms request inside `failAfter(10)` is not
   * timed out by a jump.
   */
  jumpOverExternalWaitsAfter?: number;
}

/** @internal What a clock tells the run it drives. */
export interface ClockListener {
  /** Time moved forward by `advance()`: fire the timers that became due. */
  clockAdvanced(): void;
  /** Autojump settings changed: re-evaluate whether to jump. */
  clockSettingsChanged(): void;
}

/** @internal The default start: a whole number of ms in [10^7, 2·10^8), reproducible per seed. */
export function clockOffset(seed: number | undefined): number {
  // Mix the seed so that seeds 0, 1, 2… do not give neighbouring offsets.
  const random = mulberry32(((seed ?? 0x5eed) ^ 0x9e3779b9) >>> 0);
  return 10_000_000 + Math.floor(random() * 190_000_000);
}

function checkMs(value: unknown, name: string, allowInfinity: boolean): number {
  if (typeof value !== "number" || Number.isNaN(value) || value < 0 || (!allowInfinity && value === Infinity)) {
    throw new RangeError(
      `VirtualClock: ${name} must be a ${allowInfinity ? "" : "finite "}number of milliseconds >= 0, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * A virtual clock for the strict backend. Give one to `strictBackend({ clock })` to read or
 * move the time of the runs on that backend from your test; without one, each run gets its
 * own autojumping clock. A clock drives one run at a time; runs one after another continue
 * from where the previous one left the time.
 *
 * @example
 * ```ts
 * import { run, sleep, waitAllTasksBlocked, withTaskGroup } from "@anyio/core";
 * import { strictBackend, VirtualClock } from "@anyio/backend-strict";
 *
 * const clock = new VirtualClock({ autojump: false });
 * await run(async () => {
 *   await withTaskGroup(async (tg) => {
 *     tg.startSoon(() => sleep(1_000));     // wakes only when the test moves time
 *     await waitAllTasksBlocked();          // the sleeper has set its deadline
 *     clock.advance(1_000);
 *   });
 * }, { backend: strictBackend({ clock }) });
 * ```
 */
export class VirtualClock {
  #time: number;
  #autojump: boolean;
  #jumpOverExternalWaitsAfter: number;
  #listener: ClockListener | null = null;

  constructor(options?: VirtualClockOptions) {
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw new TypeError(`VirtualClock(): options must be an object, got ${options === null ? "null" : typeof options}`);
    }
    const start = options?.start;
    if (start !== undefined && (typeof start !== "number" || !Number.isFinite(start))) {
      throw new RangeError(`VirtualClock(): start must be a finite number of milliseconds, got ${String(start)}`);
    }
    this.#time = start ?? clockOffset(undefined);
    const autojump = options?.autojump ?? true;
    if (typeof autojump !== "boolean") throw new TypeError(`VirtualClock(): autojump must be a boolean, got ${typeof autojump}`);
    this.#autojump = autojump;
    this.#jumpOverExternalWaitsAfter = checkMs(options?.jumpOverExternalWaitsAfter ?? Infinity, "jumpOverExternalWaitsAfter", true);
  }

  /** The current virtual time in ms (what `currentTime()` returns in a run on this clock). */
  now(): number {
    return this.#time;
  }

  /** Whether time jumps to the next deadline when every task is blocked. Settable. */
  get autojump(): boolean {
    return this.#autojump;
  }

  /** Turns autojump on or off, effective at the next idle check. */
  set autojump(value: boolean) {
    if (typeof value !== "boolean") throw new TypeError(`VirtualClock.autojump must be a boolean, got ${typeof value}`);
    this.#autojump = value;
    this.#listener?.clockSettingsChanged();
  }

  /** See {@link VirtualClockOptions.jumpOverExternalWaitsAfter}. Settable. */
  get jumpOverExternalWaitsAfter(): number {
    return this.#jumpOverExternalWaitsAfter;
  }

  /** Changes how long (ms, real time) external waits hold the clock before it may jump anyway. */
  set jumpOverExternalWaitsAfter(value: number) {
    this.#jumpOverExternalWaitsAfter = checkMs(value, "jumpOverExternalWaitsAfter", true);
    this.#listener?.clockSettingsChanged();
  }

  /**
   * Moves time forward by `ms`. Timers that become due fire right after the caller's current
   * step (asynchronously, never inside this call), in deadline order.
   *
   * @example
   * ```ts
   * clock.advance(250); // every sleep due within 250 ms wakes up
   * ```
   */
  advance(ms: number): void {
    this.#time += checkMs(ms, "advance(ms)", false);
    this.#listener?.clockAdvanced();
  }

  /** @internal Autojump: sets the time to a deadline (never backwards). */
  _jumpTo(time: number): void {
    if (time > this.#time) this.#time = time;
  }

  /** @internal */
  _attach(listener: ClockListener): void {
    if (this.#listener !== null) {
      throw new Error(
        "VirtualClock is already driving another run: a clock serves one run at a time (give each concurrent run its own strictBackend({ clock }))",
      );
    }
    this.#listener = listener;
  }

  /** @internal */
  _detach(listener: ClockListener): void {
    if (this.#listener === listener) this.#listener = null;
  }
}

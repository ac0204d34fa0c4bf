/**
 * The strict backend: Trio's discipline for anyio-ts — a deterministic run queue, an optional
 * seeded shuffle, a virtual clock with autojump, deadlock detection and instrumentation.
 *
 * @module
 */
import type { Backend, BackendRun, RunController } from "@anyio/core";
import { BACKEND_CONTRACT_VERSION, retainShape } from "@anyio/core";
import type { StepBudgetError } from "./errors.js";
import { checkInstrument, type Instrument } from "./instrument.js";
import { type RunSettings, StrictRun } from "./strict-run.js";
import { clockOffset, VirtualClock } from "./virtual-clock.js";

/** Options of {@link strictBackend}. */
export interface StrictBackendOptions {
  /**
   * Shuffle each batch of tasks that became ready together, reproducibly for this seed (any
   * safe integer). Without a seed, ready tasks run in FIFO order of wake-up. The seed appears
   * in every error the backend raises, so a failure can be replayed.
   */
  seed?: number;
  /**
   * `"virtual"` (default): each run gets its own {@link VirtualClock} that autojumps.
   * A `VirtualClock` instance: runs use that clock (read it, `advance()` it, turn autojump
   * off). `"real"`: `performance.now()` and host timers, for production use.
   */
  clock?: "virtual" | "real" | VirtualClock;
  /** Observers of every run on this backend (see {@link Instrument}). */
  instruments?: Iterable<Instrument>;
  /**
   * Real ms a task may run between two schedule points before the run fails with a
   * `StepBudgetError` naming it (default `Infinity`: not checked). Measured approximately —
   * see the README — so keep it generous (tens of ms).
   */
  stepBudget?: number;
  /**
   * Called with the `StepBudgetError` instead of failing the run (e.g. to log a warning and
   * carry on).
   */
  onStepBudgetExceeded?: (error: StepBudgetError) => void;
}

/** The backend {@link strictBackend} returns: a `Backend` with instrument management. */
export interface StrictBackend extends Backend {
  readonly name: "strict";
  /** The scheduling seed, `undefined` for FIFO order. */
  readonly seed: number | undefined;
  /** The instruments every run of this backend reports to, current and future runs alike. */
  readonly instruments: readonly Instrument[];
  /** Adds an instrument; runs already going see it from their next event. */
  addInstrument(instrument: Instrument): void;
  /** Removes an instrument; returns false if it was not there. */
  removeInstrument(instrument: Instrument): boolean;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

let settingsShapeRetained = false;

/** The backend's mutable settings; each run reads them live. */
class Settings implements RunSettings {
  instruments: readonly Instrument[] = [];
  constructor(
    readonly seed: number | undefined,
    readonly clockOption: "virtual" | "real" | VirtualClock,
    readonly stepBudget: number,
    readonly onStepBudgetExceeded: ((error: StepBudgetError) => void) | null,
  ) {
    // Read on every step: its hidden class must outlive a backend made per run (see StrictRun).
    if (!settingsShapeRetained) {
      settingsShapeRetained = true;
      retainShape(Settings, () => new Settings(undefined, "virtual", Infinity, null));
    }
  }
  /** A new run's clock: the shared one, a fresh virtual one, or `null` for real time. */
  clockForRun(): VirtualClock | null {
    const option = this.clockOption;
    if (option === "real") return null;
    if (option === "virtual") return new VirtualClock({ start: clockOffset(this.seed) });
    return option;
  }
}

/**
 * Creates a strict backend. Tests get deterministic interleavings, virtual time that skips
 * ahead whenever every task is blocked, and a `DeadlockError` naming every blocked task
 * instead of a hang.
 *
 * @example
 * ```ts
 * import { currentTime, run, sleep } from "@anyio/core";
 * import { strictBackend } from "@anyio/backend-strict";
 *
 * await run(async () => {
 *   const t0 = currentTime();
 *   await sleep(3_600_000);                 // an hour, instantly
 *   console.log(currentTime() - t0);        // 3600000
 * }, { backend: strictBackend({ seed: 42 }) });
 * ```
 */
export function strictBackend(options?: StrictBackendOptions): StrictBackend {
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new TypeError(`strictBackend(): options must be an object, got ${describeValue(options)}`);
  }
  const seed = options?.seed;
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new RangeError(`strictBackend(): seed must be a safe integer, got ${describeValue(seed)}`);
  }
  const clock = options?.clock ?? "virtual";
  if (clock !== "virtual" && clock !== "real" && !(clock instanceof VirtualClock)) {
    throw new TypeError(`strictBackend(): clock must be "virtual", "real" or a VirtualClock, got ${describeValue(clock)}`);
  }
  const stepBudget = options?.stepBudget ?? Infinity;
  if (typeof stepBudget !== "number" || Number.isNaN(stepBudget) || stepBudget <= 0) {
    throw new RangeError(`strictBackend(): stepBudget must be a number of milliseconds > 0, got ${describeValue(stepBudget)}`);
  }
  const onExceeded = options?.onStepBudgetExceeded;
  if (onExceeded !== undefined && typeof onExceeded !== "function") {
    throw new TypeError(`strictBackend(): onStepBudgetExceeded must be a function, got ${describeValue(onExceeded)}`);
  }
  const settings = new Settings(seed, clock, stepBudget, onExceeded ?? null);
  if (options?.instruments !== undefined) {
    settings.instruments = Array.from(options.instruments, (i) => checkInstrument(i, "strictBackend(): instruments"));
  }
  return {
    name: "strict",
    contractVersion: BACKEND_CONTRACT_VERSION,
    seed,
    get instruments() {
      return settings.instruments;
    },
    addInstrument(instrument: Instrument): void {
      // Copy on write: a run iterating the old list is not disturbed.
      settings.instruments = [...settings.instruments, checkInstrument(instrument, "addInstrument()")];
    },
    removeInstrument(instrument: Instrument): boolean {
      const index = settings.instruments.indexOf(instrument);
      if (index < 0) return false;
      settings.instruments = settings.instruments.filter((_, i) => i !== index);
      return true;
    },
    start(controller: RunController): BackendRun {
      return new StrictRun(controller, settings, settings.clockForRun());
    },
  };
}

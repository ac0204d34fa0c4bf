/**
 * Test helpers for @anyio/sync: counting schedule points per task, and starting a task that
 * is parked in a call before `start()` returns (deterministic queue order on every backend).
 */
import {
  type Backend,
  type BackendRun,
  CancelScope,
  getCurrentTask,
  isCancelled,
  run,
  type TaskContext,
  type TaskGroup,
} from "@anyio/core";

/** Schedule points taken per task id: backend yields plus parks in a wait. */
export class ScheduleCounter {
  readonly byTask = new Map<number, number>();
  note(id: number): void {
    this.byTask.set(id, (this.byTask.get(id) ?? 0) + 1);
  }
  /** Schedule points the current task has taken so far. */
  mine(): number {
    return this.byTask.get(getCurrentTask().id) ?? 0;
  }
}

/** Wraps a backend so every `yieldNow` and every park is counted for its task. */
export function counting(inner: Backend, counter: ScheduleCounter): Backend {
  return {
    name: inner.name,
    contractVersion: inner.contractVersion,
    start(controller) {
      const r: BackendRun = inner.start(controller);
      const yieldNow = r.yieldNow.bind(r);
      const parked = r.taskParked?.bind(r);
      r.yieldNow = (task) => {
        counter.note(task.id);
        return yieldNow(task);
      };
      r.taskParked = (blocked) => {
        counter.note(blocked.task.id);
        parked?.(blocked);
      };
      return r;
    },
  };
}

/** Runs `main` on a counting wrapper of `make()`. */
export function runCounting<T>(make: () => Backend, main: (counter: ScheduleCounter, cx: TaskContext) => Promise<T>): Promise<T> {
  const counter = new ScheduleCounter();
  return run((cx) => main(counter, cx), { backend: counting(make(), counter) });
}

/**
 * Starts a child that calls `op()` and is parked in it (or done with it) by the time this
 * resolves: `op` is called before `started()`, so queues see children in start order.
 * Resolves with a handle: the op's settled outcome (recorded, not thrown, unless it is a
 * cancellation) and a scope to cancel the child's wait alone.
 */
export async function startParked<T>(
  tg: TaskGroup,
  op: () => Promise<T>,
  after?: (value: T) => void | Promise<void>,
): Promise<Parked<T>> {
  const scope = new CancelScope();
  const handle = new Parked<T>(scope);
  await tg.start(async (cx) => {
    await scope.run(async () => {
      const p = op();
      cx.started();
      let v: T;
      try {
        v = await p;
        handle.outcome = { ok: true, value: v };
      } catch (err) {
        handle.outcome = { ok: false, error: err };
        // Recorded for the test to inspect; only a cancellation must keep propagating.
        if (isCancelled(err)) throw err;
        return;
      }
      if (after !== undefined) await after(v);
    });
  });
  return handle;
}

export class Parked<T> {
  outcome: { ok: true; value: T } | { ok: false; error: unknown } | null = null;
  constructor(readonly scope: CancelScope) {}
  get cancelled(): boolean {
    return this.outcome !== null && !this.outcome.ok && isCancelled(this.outcome.error);
  }
  get value(): T | undefined {
    return this.outcome?.ok ? this.outcome.value : undefined;
  }
}

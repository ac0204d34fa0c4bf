/**
 * The state of one `run()`: its backend half, its root task, counters the backends read,
 * and per-run storage for `RunVar`s.
 *
 * @internal
 */
import type { BackendRun, RunController, RunSnapshot, TaskInfo } from "../backend.js";
import type { Task } from "../task.js";
import type { AmbientCarrier } from "./ambient.js";
import { ambientRunEnded } from "./ambient.js";
import { type CancelNode, refreshCancellation } from "./cancel-node.js";

export class RunState implements RunController {
  backend!: BackendRun;
  root!: Task;
  readonly ambient: AmbientCarrier | null;
  liveTasks = 0;
  parkedCount = 0;
  externalWaits = 0;
  readonly vars = new Map<object, unknown>();
  /** Set by abort(): the error run() rejects with. */
  failure: { error: unknown } | null = null;
  finished = false;
  resolve!: (value: unknown) => void;
  reject!: (error: unknown) => void;
  /**
   * How many entered scopes have a deadline whose timer is not set yet (see
   * `CancelNode._armDeadlines`). A count, not a list: a scope filed in an array per entry cost
   * more (the store of a new object into an old array is a write-barrier slow path) than the
   * timer it saved.
   */
  pendingDeadlines = 0;

  constructor(ambient: AmbientCarrier | null) {
    this.ambient = ambient;
  }

  snapshot(): RunSnapshot {
    return { liveTasks: this.liveTasks, parkedTasks: this.parkedCount, externalWaits: this.externalWaits };
  }

  tasks(): Array<{ task: TaskInfo; depth: number; waitingFor: string | null }> {
    const out: Array<{ task: TaskInfo; depth: number; waitingFor: string | null }> = [];
    const visit = (node: CancelNode, depth: number) => {
      let d = depth;
      if (node === node._task) {
        out.push({ task: (node as Task).info(), depth, waitingFor: waitingFor(node as Task) });
        d++;
      }
      // Children are linked newest first; report them in spawn order.
      const children: CancelNode[] = [];
      for (let c = node._firstChild; c !== null; c = c._nextSibling) children.push(c);
      for (let i = children.length - 1; i >= 0; i--) visit(children[i]!, d);
    };
    if (!this.finished) visit(this.root, 0);
    return out;
  }

  abort(error: unknown): void {
    if (this.finished) return;
    if (this.failure !== null) {
      // Tasks are stuck even after being cancelled: give up on them.
      this._settle(true, error);
      return;
    }
    this.failure = { error };
    const root = this.root;
    root._cancelCalled = true;
    root._cancelReason = `run aborted: ${error instanceof Error ? error.message : String(error)}`;
    refreshCancellation(root);
  }

  _rootDone(failed: boolean, outcome: unknown): void {
    this._settle(failed, outcome);
  }

  private _settle(failed: boolean, outcome: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.backend.close();
    if (this.ambient !== null) ambientRunEnded();
    if (this.failure !== null) this.reject(this.failure.error);
    else if (failed) this.reject(outcome);
    else this.resolve(outcome);
  }
}

/** What a task is blocked on, if it is parked in a core wait. */
function waitingFor(task: Task): string | null {
  const waiter = task._waitingOn;
  return waiter === null ? null : waiter.what;
}

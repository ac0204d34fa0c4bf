/**
 * Runs a fuzz {@link Program} on the strict backend and checks it against a model of
 * structured concurrency, as it runs and after `run()` settles.
 *
 * The model is compositional. Leaves are checked against the rule that defines them (a
 * checkpoint reached while some scope around it is cancelled must throw `Cancelled`; a
 * `Cancelled` may only come out of a checkpoint whose scopes are cancelled; a sleep that
 * returns lasted its time; `Event.wait` returns only once set; a hold never exceeds the
 * primitive's capacity). Every composite statement predicts its own outcome from what its
 * parts did and from the cancel-scope tree the model keeps in parallel with core's (scope
 * objects, shields, `cancelCalled` flags, `start()` reparenting):
 *
 * - a scope absorbs `Cancelled` iff it is the outermost cancelled scope inside the shield
 *   boundary (then `cancelledCaught` is true, and only then); `failAfter` turns that into
 *   `TimeoutError` iff its own deadline, not a `cancel()`, cancelled it;
 * - a task group throws an `ExceptionGroup` holding exactly the non-cancellation errors of its
 *   body and children (same objects), otherwise one plain `Cancelled` or nothing, by the
 *   scope rule; a failure cancels the group's scope;
 * - `start()` throws the child's pre-`started()` error unwrapped, a "returned without calling
 *   cx.started()" error, or `Cancelled` when called in a cancelled scope;
 * - `run()` settles with exactly the root statement's outcome (never `Cancelled`).
 *
 * After the run: every scope exited, every task finished, no permit/token/lock held, nobody
 * waiting anywhere, and every item sent successfully received exactly once (the rest is still
 * buffered), nothing received that was not sent.
 *
 * @module
 */
import { strictBackend } from "@anyio/backend-strict";
import {
  CancelScope,
  createTaskGroup,
  currentTime,
  ExceptionGroup,
  failAfter,
  getCurrentTask,
  isCancelled,
  moveOnAfter,
  run,
  sleep,
  checkpoint,
  TimeoutError,
  WouldBlock,
  type TaskGroup,
} from "@anyio/core";
import { CapacityLimiter, Condition, createMemoryObjectStream, Event, Lock, Semaphore } from "@anyio/sync";
import type { Prim, Program, Stmt } from "./program.js";

/** The error a `raise` statement throws; each one a distinct object. */
export class FuzzError extends Error {
  constructor(readonly id: number) {
    super(`fuzz error #${id}`);
    this.name = "FuzzError";
  }
}

/** A node of the model's cancel tree: a scope, or a task (transparent to cancellation). */
interface MNode {
  scope: CancelScope | null;
  parent: MNode | null;
}

interface ScopeRecord {
  scope: CancelScope;
  kind: string;
  /** Our own cancel() call (not a deadline) cancelled it first. */
  byUs: boolean;
  /** What the model decided at exit: did it absorb a Cancelled? */
  caught: boolean | null;
  entered: boolean;
}

interface GroupCtx {
  group: TaskGroup;
  node: MNode;
  outcomes: unknown[];
  /** Scope-rule evaluations at the moments the group's last part finished. */
  catchSamples: boolean[];
  /** A `start()`ed child joined the group (it is a part until it finishes). */
  partAdded: () => void;
  partDone: () => void;
}

interface Ctx {
  node: MNode;
  tg: GroupCtx | null;
}

const NONE = Symbol("none");

/** Effectively cancelled: some scope on the path outward, stopping after the first shield, was cancelled. */
function effCancelled(n: MNode | null): boolean {
  for (let x = n; x !== null; x = x.parent) {
    if (x.scope !== null) {
      if (x.scope.cancelCalled) return true;
      if (x.scope.shield) return false;
    }
  }
  return false;
}

/** The scope rule: `node` absorbs a Cancelled iff it is cancelled and its parent's cancellation is not visible in it. */
function catches(node: MNode): boolean {
  const s = node.scope!;
  return effCancelled(node) && (s.shield || !effCancelled(node.parent));
}

function show(x: unknown): string {
  if (x === NONE) return "ok";
  if (x instanceof ExceptionGroup) return `ExceptionGroup[${x.exceptions.map(show).join(", ")}]`;
  if (isCancelled(x)) return "Cancelled";
  if (x instanceof Error) return `${x.name}(${x.message})`;
  return String(x);
}

/** The result of running one program. */
export interface ProgramResult {
  violations: string[];
  /** How `run()` settled, for reports. */
  outcome: string;
  scopes: number;
  tasks: number;
  virtualMs: number;
  /** Coverage: scopes that absorbed a cancellation, TimeoutErrors raised, checkpoints that threw Cancelled. */
  absorbed: number;
  timeouts: number;
  cancelledCheckpoints: number;
}

/** Runs `program` once; resolves with the violations found (empty when the library behaved). */
export async function runProgram(program: Program, hangMs = 3_000): Promise<ProgramResult> {
  const violations: string[] = [];
  const v = (msg: string) => violations.push(msg);
  const scopes: ScopeRecord[] = [];
  let errorIds = 0;
  let timeouts = 0;
  let cancelledCheckpoints = 0;
  let tasksStarted = 0;
  let tasksFinished = 0;
  let nextItem = 0;
  const sentOk: number[] = [];
  const received: number[] = [];

  const lock = new Lock();
  const sem = new Semaphore(program.semaphore, { maxValue: program.semaphore });
  const limiter = new CapacityLimiter(program.limiter);
  const cond = new Condition();
  const events = [new Event(), new Event()];
  const [tx, rx] = createMemoryObjectStream<number>(program.buffer < 0 ? Infinity : program.buffer);
  const holders: Record<Prim, number> = { lock: 0, sem: 0, limiter: 0 };
  const capacity: Record<Prim, number> = { lock: 1, sem: program.semaphore, limiter: program.limiter };

  function register(scope: CancelScope, kind: string): ScopeRecord {
    const rec: ScopeRecord = { scope, kind, byUs: false, caught: null, entered: false };
    scopes.push(rec);
    return rec;
  }

  function injectCancel(target: number): void {
    if (scopes.length === 0) return;
    const rec = scopes[target % scopes.length]!;
    if (!rec.scope.cancelCalled) rec.byUs = true;
    rec.scope.cancel("fuzz");
  }

  /** A checkpointing call: level-triggered cancellation and no spurious Cancelled. */
  async function cancelPoint<T>(ctx: Ctx, what: string, op: () => Promise<T>): Promise<T> {
    const pre = effCancelled(ctx.node);
    let value: T;
    try {
      value = await op();
    } catch (err) {
      if (isCancelled(err)) {
        cancelledCheckpoints++;
        if (!effCancelled(ctx.node)) v(`${what} threw Cancelled but no scope around it is cancelled`);
      } else if (pre) {
        v(`${what} threw ${show(err)} instead of Cancelled in a cancelled scope`);
      }
      throw err;
    }
    if (pre) v(`${what} returned although a scope around it was cancelled when it was called`);
    return value;
  }

  async function block(stmts: Stmt[], ctx: Ctx): Promise<void> {
    for (const s of stmts) await exec(s, ctx);
  }

  function checkHolders(prim: Prim): void {
    const n = holders[prim];
    if (n > capacity[prim]) v(`${n} holders of ${prim} with capacity ${capacity[prim]}`);
    if (prim === "lock" && !lock.locked()) v("lock held by a task but locked() is false");
    if (prim === "sem" && sem.value + n > capacity.sem) v(`semaphore value ${sem.value} + ${n} holders > ${capacity.sem}`);
    if (prim === "limiter" && limiter.borrowedTokens < n) v(`limiter lends ${limiter.borrowedTokens} tokens to ${n} holders`);
  }

  async function acquire(prim: Prim): Promise<void> {
    if (prim === "lock") await lock.acquire();
    else if (prim === "sem") await sem.acquire();
    else await limiter.acquire();
  }

  function release(prim: Prim): void {
    if (prim === "lock") lock.release();
    else if (prim === "sem") sem.release();
    else limiter.release();
  }

  async function exec(s: Stmt, ctx: Ctx): Promise<void> {
    switch (s.k) {
      case "sleep":
        await cancelPoint(ctx, "sleep", async () => {
          const t0 = currentTime();
          await sleep(s.ms);
          if (currentTime() - t0 < s.ms) v(`sleep(${s.ms}) returned after ${currentTime() - t0} ms`);
        });
        return;
      case "checkpoint":
        await cancelPoint(ctx, "checkpoint", () => checkpoint());
        return;
      case "raise":
        throw new FuzzError(++errorIds);
      case "cancel":
        injectCancel(s.target);
        return;
      case "scope":
        return execScope(s, ctx);
      case "group":
        return execGroup(s, ctx);
      case "start":
        return execStart(s, ctx);
      case "hold": {
        await cancelPoint(ctx, `${s.prim}.acquire`, () => acquire(s.prim));
        holders[s.prim]++;
        checkHolders(s.prim);
        try {
          await block(s.body, ctx);
        } finally {
          holders[s.prim]--;
          release(s.prim);
        }
        return;
      }
      case "send": {
        const item = nextItem++;
        await cancelPoint(ctx, "send", () => tx.send(item));
        sentOk.push(item);
        return;
      }
      case "recv":
        received.push(await cancelPoint(ctx, "receive", () => rx.receive()));
        return;
      case "wait": {
        const ev = events[s.ev]!;
        await cancelPoint(ctx, "Event.wait", () => ev.wait());
        if (!ev.isSet()) v("Event.wait returned before set()");
        return;
      }
      case "set":
        events[s.ev]!.set();
        return;
      case "condWait":
        await cancelPoint(ctx, "Condition.acquire", () => cond.acquire());
        try {
          await cancelPoint(ctx, "Condition.wait", () => cond.wait());
        } finally {
          const owner = cond.statistics().lockStatistics.owner;
          if (!cond.locked() || owner?.id !== getCurrentTask().id) v("Condition.wait ended without the lock re-acquired by its task");
          cond.release();
        }
        return;
      case "condNotify":
        await cancelPoint(ctx, "Condition.acquire", () => cond.acquire());
        try {
          if (s.all) cond.notifyAll();
          else cond.notify();
        } finally {
          cond.release();
        }
        return;
    }
  }

  async function execScope(s: Extract<Stmt, { k: "scope" }>, ctx: Ctx): Promise<void> {
    const scope =
      s.kind === "plain"
        ? new CancelScope()
        : s.kind === "moveOn"
          ? moveOnAfter(s.ms, { shield: s.shield })
          : failAfter(s.ms, { shield: s.shield });
    const rec = register(scope, s.kind);
    const node: MNode = { scope, parent: ctx.node };
    let bodyOutcome: unknown = NONE;
    const samples: boolean[] = [];
    let actual: unknown = NONE;
    let result: unknown;
    try {
      result = await scope.run(async () => {
        rec.entered = true;
        try {
          await block(s.body, { ...ctx, node });
        } catch (err) {
          bodyOutcome = err;
          if (isCancelled(err)) samples.push(catches(node));
          throw err;
        }
        return "done";
      });
    } catch (err) {
      actual = err;
    }
    if (isCancelled(bodyOutcome)) samples.push(catches(node));
    const where = `${s.kind} scope #${scopes.indexOf(rec)}${s.shield ? " (shielded)" : ""}`;
    if (bodyOutcome === NONE) {
      if (actual !== NONE || result !== "done") v(`${where}: body returned but run() gave ${show(actual)}`);
      if (scope.cancelledCaught) v(`${where}: cancelledCaught set although its body returned`);
      rec.caught = false;
    } else if (!isCancelled(bodyOutcome)) {
      if (actual !== bodyOutcome) v(`${where}: body threw ${show(bodyOutcome)} but run() gave ${show(actual)}`);
      if (scope.cancelledCaught) v(`${where}: cancelledCaught set although its body threw ${show(bodyOutcome)}`);
      rec.caught = false;
    } else {
      const byDeadline = scope.cancelCalled && !rec.byUs;
      const fits = (caught: boolean): boolean => {
        if (caught !== scope.cancelledCaught) return false;
        if (!caught) return isCancelled(actual);
        if (s.kind === "failAfter" && byDeadline) return actual instanceof TimeoutError;
        return actual === NONE && result === undefined;
      };
      const ok = samples.some(fits);
      if (!ok) {
        v(
          `${where}: body was cancelled; the scope rule says ${samples.map((c) => (c ? "absorb" : "propagate")).join("/")}` +
            `${s.kind === "failAfter" ? (byDeadline ? " (own deadline)" : " (cancel())") : ""}` +
            `, but cancelledCaught=${scope.cancelledCaught} and run() gave ${show(actual)}`,
        );
      }
      rec.caught = scope.cancelledCaught;
      if (actual instanceof TimeoutError) timeouts++;
    }
    if (actual !== NONE) throw actual;
  }

  async function execGroup(s: Extract<Stmt, { k: "group" }>, ctx: Ctx): Promise<void> {
    const group = createTaskGroup();
    const rec = register(group.cancelScope, "group");
    const node: MNode = { scope: group.cancelScope, parent: ctx.node };
    // Parts: the body, every startSoon() child, and every start()ed child once it called
    // started() (it then belongs to this group, and may be the last part to finish).
    let pending = s.children.length + 1;
    const partDone = () => {
      if (--pending === 0) g.catchSamples.push(catches(node));
    };
    const partAdded = () => {
      pending++;
    };
    const g: GroupCtx = { group, node, outcomes: [], catchSamples: [], partAdded, partDone };
    let actual: unknown = NONE;
    let result: unknown;
    try {
      result = await group.run(async (tg) => {
        rec.entered = true;
        for (const child of s.children) {
          tasksStarted++;
          tg.startSoon(async () => {
            try {
              await block(child, { node: { scope: null, parent: node }, tg: null });
            } catch (err) {
              g.outcomes.push(err);
              throw err;
            } finally {
              tasksFinished++;
              partDone();
            }
          });
        }
        try {
          await block(s.body, { node, tg: g });
        } catch (err) {
          g.outcomes.push(err);
          throw err;
        } finally {
          partDone();
        }
        return "done";
      });
    } catch (err) {
      actual = err;
    }
    g.catchSamples.push(catches(node));
    const where = `group #${scopes.indexOf(rec)}`;
    const errors = g.outcomes.filter((e) => !isCancelled(e));
    const cancelled = g.outcomes.some(isCancelled);
    if (errors.length > 0) {
      if (!group.cancelScope.cancelCalled) v(`${where}: a part failed but the group's scope was not cancelled`);
      const got = actual instanceof ExceptionGroup ? actual.exceptions : null;
      const same = got !== null && got.length === errors.length && errors.every((e) => got.includes(e as Error));
      if (!same) v(`${where}: parts failed with [${errors.map(show).join(", ")}] but run() gave ${show(actual)}`);
      if (group.cancelScope.cancelledCaught) v(`${where}: cancelledCaught set on a group that failed`);
      rec.caught = false;
    } else if (cancelled) {
      const fits = (caught: boolean) =>
        caught === group.cancelScope.cancelledCaught && (caught ? actual === NONE && result === undefined : isCancelled(actual) && !(actual instanceof ExceptionGroup));
      if (!g.catchSamples.some(fits)) {
        v(
          `${where}: parts were cancelled; the scope rule says ${g.catchSamples.map((c) => (c ? "absorb" : "propagate")).join("/")}` +
            `, but cancelledCaught=${group.cancelScope.cancelledCaught} and run() gave ${show(actual)}`,
        );
      }
      rec.caught = group.cancelScope.cancelledCaught;
    } else {
      if (actual !== NONE || result !== "done") v(`${where}: every part returned but run() gave ${show(actual)}`);
      if (group.cancelScope.cancelledCaught) v(`${where}: cancelledCaught set although nothing was cancelled`);
      rec.caught = false;
    }
    if (actual !== NONE) throw actual;
  }

  async function execStart(s: Extract<Stmt, { k: "start" }>, ctx: Ctx): Promise<void> {
    const g = ctx.tg;
    if (g === null) return;
    const child: MNode = { scope: null, parent: ctx.node };
    const callerCancelled = effCancelled(ctx.node);
    let ran = false;
    let started = false;
    let preOutcome: unknown = NONE;
    let actual: unknown = NONE;
    try {
      await g.group.start(async (cx) => {
        ran = true;
        tasksStarted++;
        try {
          try {
            await block(s.pre, { node: child, tg: null });
          } catch (err) {
            preOutcome = err;
            throw err;
          }
          if (s.post === null) return;
          // core moves the child under the group's scope inside started(): mirror it first.
          child.parent = g.node;
          started = true;
          g.partAdded();
          cx.started();
          await block(s.post, { node: child, tg: null });
        } catch (err) {
          if (started) g.outcomes.push(err);
          throw err;
        } finally {
          tasksFinished++;
          if (started) g.partDone();
        }
      });
    } catch (err) {
      actual = err;
    }
    if (callerCancelled) {
      if (!isCancelled(actual)) v(`start() in a cancelled scope gave ${show(actual)} instead of Cancelled`);
      if (ran) v("start() in a cancelled scope ran the child anyway");
    } else if (started) {
      if (actual !== NONE) v(`start(): the child called started() but start() gave ${show(actual)}`);
    } else if (preOutcome !== NONE) {
      const ok = isCancelled(preOutcome) ? isCancelled(actual) : actual === preOutcome;
      if (!ok) v(`start(): the child threw ${show(preOutcome)} before started() but start() gave ${show(actual)}`);
    } else if (!(actual instanceof Error) || !/without calling cx\.started\(\)/.test(actual.message)) {
      v(`start(): the child returned without started() but start() gave ${show(actual)}`);
    }
    if (actual !== NONE) throw actual;
  }

  // The root: an unshielded guard scope around a root group; the chaos (sleep, then cancel a
  // scope) is one more child of that group.
  const chaos: Stmt[] = program.chaos.flatMap((c): Stmt[] => [
    { k: "sleep", ms: c.delay },
    { k: "cancel", target: c.target },
  ]);
  const children = chaos.length > 0 ? [...program.children, chaos] : program.children;
  const rootStmt: Stmt = {
    k: "scope",
    kind: "moveOn",
    ms: program.guard,
    shield: false,
    body: [{ k: "group", children, body: program.body }],
  };
  const root: MNode = { scope: null, parent: null };
  let expected: unknown = NONE;
  let t0 = 0;
  let t1 = 0;
  const main = async () => {
    t0 = currentTime();
    try {
      await exec(rootStmt, { node: root, tg: null });
    } catch (err) {
      expected = err;
      throw err;
    } finally {
      t1 = currentTime();
    }
  };
  let outcome: unknown = NONE;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<"hung">((resolve) => {
    timer = setTimeout(() => resolve("hung"), hangMs);
  });
  const settled = run(main, { backend: strictBackend(program.seed === null ? {} : { seed: program.seed }) }).then(
    () => "ok" as const,
    (err: unknown) => {
      outcome = err;
      return "error" as const;
    },
  );
  const how = await Promise.race([settled, hung]);
  clearTimeout(timer);
  if (how === "hung") {
    v(`run() did not settle within ${hangMs} ms of real time`);
    return { violations, outcome: "hung", scopes: scopes.length, tasks: tasksStarted, virtualMs: NaN, absorbed: 0, timeouts, cancelledCheckpoints };
  }
  if (outcome !== expected) v(`run() settled with ${show(outcome)}, the model says ${show(expected)}`);
  if (isCancelled(outcome)) v("Cancelled escaped run()");

  for (const [i, rec] of scopes.entries()) {
    if ((rec.scope as unknown as { _state: number })._state !== 2) v(`scope #${i} (${rec.kind}) left entered or never entered`);
    if (rec.caught !== null && rec.scope.cancelledCaught !== rec.caught) v(`scope #${i} cancelledCaught changed after exit`);
  }
  if (tasksStarted !== tasksFinished) v(`${tasksStarted} tasks started, ${tasksFinished} finished`);
  for (const prim of ["lock", "sem", "limiter"] as const) if (holders[prim] !== 0) v(`${holders[prim]} holders of ${prim} left`);
  if (lock.locked() || lock.statistics().tasksWaiting !== 0) v(`lock left ${JSON.stringify(lock.statistics())}`);
  if (sem.value !== program.semaphore || sem.statistics().tasksWaiting !== 0) v(`semaphore left at ${sem.value}/${program.semaphore}`);
  if (limiter.borrowedTokens !== 0 || limiter.statistics().tasksWaiting !== 0) v(`limiter left ${limiter.borrowedTokens} borrowed`);
  const cs = cond.statistics();
  if (cs.tasksWaiting !== 0 || cs.lockStatistics.locked || cs.lockStatistics.tasksWaiting !== 0) v(`condition left ${JSON.stringify(cs)}`);
  for (const [i, ev] of events.entries()) if (ev.statistics().tasksWaiting !== 0) v(`event ${i} has waiters left`);
  const st = tx.statistics();
  if (st.tasksWaitingSend !== 0 || st.tasksWaitingReceive !== 0) v(`stream has waiters left: ${JSON.stringify(st)}`);
  const drained: number[] = [];
  for (;;) {
    try {
      drained.push(rx.receiveNowait());
    } catch (err) {
      if (!(err instanceof WouldBlock)) v(`receiveNowait after the run threw ${show(err)}`);
      break;
    }
  }
  const all = [...received, ...drained].sort((a, b) => a - b);
  const sent = [...sentOk].sort((a, b) => a - b);
  if (new Set(received).size !== received.length) v(`an item was received twice: ${JSON.stringify(received)}`);
  if (JSON.stringify(all) !== JSON.stringify(sent)) {
    v(`items sent successfully ${JSON.stringify(sent)} but received+buffered ${JSON.stringify(all)}`);
  }
  tx.close();
  rx.close();
  const absorbed = scopes.filter((r) => r.scope.cancelledCaught).length;
  return { violations, outcome: show(outcome), scopes: scopes.length, tasks: tasksStarted, virtualMs: t1 - t0, absorbed, timeouts, cancelledCheckpoints };
}

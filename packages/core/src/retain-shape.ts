/**
 * Keeping a class's hidden class (and the optimized code built on it) alive between runs.
 *
 * @module
 */

/** A class, as the key its one retained instance is filed under. */
type AnyClass = abstract new (...args: never[]) => object;

/** One instance per class, reachable for the rest of the process. */
const retained = new Map<AnyClass, object | null>();

/**
 * Keeps one instance of `cls`, built by `make`, reachable for the rest of the process, so that
 * V8 keeps the class's hidden class — and the optimized code built against it — while no real
 * instance exists. Does nothing once `cls` has one.
 *
 * Why: V8 holds the hidden class ("map") an object reaches at the end of its constructor only
 * through the objects that have it; optimized code refers to it weakly. When a full GC finds no
 * instance — between two `run()` calls, in a handler that calls `run()` per request, between
 * tests — it frees the map, throws away every function optimized against it, and the next run
 * starts over in the interpreter. In tools/bench, which runs a full GC before each repetition,
 * that cost a memory stream with buffer 64 3.1× per item (699 → 228 ns), an unbuffered one 2.5×
 * and `moveOnAfter()` around a resolved op 1.9× (941 → 483 ns).
 *
 * When to use: in a backend or a primitive whose objects are made per run and used on hot
 * paths. Call it from the constructor. Once a class has its instance a call costs a `Map`
 * lookup (~12 ns) and the `make` closure: fine for objects made once per lock or stream; for
 * objects made per operation (a waiter, a timer entry) put it behind a flag, as the example
 * does, so the steady-state cost is one branch. `make` must use the real constructor (so the
 * instance reaches the same hidden class) with arguments that hold nothing of the caller's (so
 * nothing else stays alive with it).
 *
 * Gotcha: the instance lives forever; keep it small and detached. If `make` throws, the class
 * goes without (retention is only an optimization) and is not tried again.
 *
 * Gotcha: a number field must start in the form it keeps. V8 stores a field as its first value
 * was: `0` as a small integer. Storing a fraction later (a timestamp from `performance.now()`)
 * moves live instances to a new hidden class that the retained instance does not have, and that
 * one dies with them: the loss this function prevents comes back once per run. Start such a
 * field at a fraction (`= 0.5`, or `Infinity`). The native backend's time-slice timestamp did
 * this; fixing it made spawn + join ~35 % faster under `--max-semi-space-size=64`.
 *
 * @example
 * ```ts
 * import { retainShape } from "@anyio/core";
 *
 * let shapeRetained = false;
 * class Mailbox {
 *   items: unknown[] = [];
 *   closed = false;
 *   constructor() {
 *     if (!shapeRetained) {
 *       shapeRetained = true;
 *       retainShape(Mailbox, () => new Mailbox());
 *     }
 *   }
 * }
 * ```
 */
export function retainShape<C extends AnyClass>(cls: C, make: () => InstanceType<C>): void {
  if (retained.has(cls)) return;
  // Filed before make() runs: make() runs the same constructor, which must not recurse.
  retained.set(cls, null);
  try {
    retained.set(cls, make());
  } catch {
    // Only an optimization: the class works the same, its shape is just not kept between runs.
  }
}

/** @internal Whether `cls` has its instance (for base classes that retain their subclasses' shapes). */
export function hasRetainedShape(cls: AnyClass): boolean {
  if (cls === lastFound || cls === foundBefore) return true;
  if (!retained.has(cls)) return false;
  foundBefore = lastFound;
  lastFound = cls;
  return true;
}

// The two classes `hasRetainedShape` found last. Hot loops make one or two kinds of waiter or
// scope (a stream's senders and receivers take turns), so the answer is usually a compare
// instead of a `Map` lookup.
let lastFound: AnyClass | null = null;
let foundBefore: AnyClass | null = null;

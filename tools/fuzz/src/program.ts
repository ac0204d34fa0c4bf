/**
 * The fuzzer's program language: a tree of statements over cancel scopes, task groups and the
 * sync primitives, plain JSON so a failing case prints and replays as-is.
 *
 * Every program is bounded by construction: its body runs inside an unshielded `moveOnAfter`
 * guard, and every shielded scope has its own deadline, so every wait ends (a program that
 * still deadlocks on the strict backend is a finding, not a bad program). No statement
 * re-acquires a primitive its own task already holds (that is a usage error, not a race).
 *
 * @module
 */
import fc from "fast-check";

/** A primitive a `hold` statement acquires and releases around its body. */
export type Prim = "lock" | "sem" | "limiter";

/** One statement. Each statement node executes at most once (there are no loops). */
export type Stmt =
  | { k: "sleep"; ms: number }
  | { k: "checkpoint" }
  /** Throws a fresh `FuzzError`. */
  | { k: "raise" }
  /** Cancels the `target % n`-th scope created so far (in creation order): an injected cancellation. */
  | { k: "cancel"; target: number }
  /** `plain`: new CancelScope(); `moveOn`/`failAfter`: with a deadline `ms` from entry; `shield` only with a deadline. */
  | { k: "scope"; kind: "plain" | "moveOn" | "failAfter"; ms: number; shield: boolean; body: Stmt[] }
  /** A task group: `children` started with startSoon first, then `body` runs as the group's body. */
  | { k: "group"; children: Stmt[][]; body: Stmt[] }
  /** `await tg.start(...)` on the innermost group whose body this runs in: `pre` runs before `started()`, `post` after (`post: null`: returns without `started()`). */
  | { k: "start"; pre: Stmt[]; post: Stmt[] | null }
  | { k: "hold"; prim: Prim; body: Stmt[] }
  | { k: "send" }
  | { k: "recv" }
  | { k: "wait"; ev: number }
  | { k: "set"; ev: number }
  | { k: "condWait" }
  | { k: "condNotify"; all: boolean };

/** A whole program: the primitives' parameters, a scheduling seed and a root group. */
export interface Program {
  /**
   * `strictBackend({ seed })`; `null` runs unseeded, in FIFO order, where back-to-back
   * checkpoints share one run-queue entry (a path a seed never takes).
   */
  seed: number | null;
  /** Buffer size of the one memory object stream (`-1` for Infinity, JSON has no Infinity). */
  buffer: number;
  semaphore: number;
  limiter: number;
  /** The guard deadline around everything (virtual ms). */
  guard: number;
  /** Children of the root group. */
  children: Stmt[][];
  body: Stmt[];
  /** A chaos task in the root group: sleep `delay`, then cancel scope `target`. */
  chaos: Array<{ delay: number; target: number }>;
}

/** Statement-tree size knobs. */
interface Shape {
  depth: number;
  inGroupBody: boolean;
  held: readonly Prim[];
}

const ms = fc.integer({ min: 0, max: 6 });

function leaf(shape: Shape): fc.Arbitrary<Stmt> {
  // Weighted so that most programs get deep before an error ends them.
  const options: Array<{ arbitrary: fc.Arbitrary<Stmt>; weight: number }> = [
    { weight: 4, arbitrary: ms.map((m): Stmt => ({ k: "sleep", ms: m })) },
    { weight: 2, arbitrary: fc.constant<Stmt>({ k: "checkpoint" }) },
    { weight: 1, arbitrary: fc.constant<Stmt>({ k: "raise" }) },
    { weight: 3, arbitrary: fc.nat(40).map((t): Stmt => ({ k: "cancel", target: t })) },
    { weight: 3, arbitrary: fc.constant<Stmt>({ k: "send" }) },
    { weight: 3, arbitrary: fc.constant<Stmt>({ k: "recv" }) },
    { weight: 2, arbitrary: fc.nat(1).map((ev): Stmt => ({ k: "wait", ev })) },
    { weight: 2, arbitrary: fc.nat(1).map((ev): Stmt => ({ k: "set", ev })) },
    { weight: 2, arbitrary: fc.boolean().map((all): Stmt => ({ k: "condNotify", all })) },
    { weight: 2, arbitrary: fc.constant<Stmt>({ k: "condWait" }) },
  ];
  void shape;
  return fc.oneof(...options);
}

function stmt(shape: Shape): fc.Arbitrary<Stmt> {
  if (shape.depth <= 0) return leaf(shape);
  const inner: Shape = { ...shape, depth: shape.depth - 1 };
  const options: Array<{ arbitrary: fc.Arbitrary<Stmt>; weight: number }> = [
    { arbitrary: leaf(shape), weight: 6 },
    {
      weight: 3,
      arbitrary: fc
        .record({
          kind: fc.constantFrom("plain", "moveOn", "failAfter") as fc.Arbitrary<"plain" | "moveOn" | "failAfter">,
          ms: fc.integer({ min: 0, max: 9 }),
          shield: fc.boolean(),
          body: block(inner),
        })
        // A shield without a deadline could outlive the guard: shields always carry one.
        .map((s) => ({ k: "scope", ...s, shield: s.shield && s.kind !== "plain" }) as Stmt),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({
          children: fc.array(block({ ...inner, inGroupBody: false, held: [] }), { maxLength: 3 }),
          body: block({ ...inner, inGroupBody: true }),
        })
        .map((g) => ({ k: "group", ...g }) as Stmt),
    },
  ];
  const free = (["lock", "sem", "limiter"] as const).filter((p) => !shape.held.includes(p));
  if (free.length > 0) {
    options.push({
      weight: 2,
      arbitrary: fc.constantFrom(...free).chain((prim) =>
        block({ ...inner, held: [...shape.held, prim] }).map((body) => ({ k: "hold", prim, body }) as Stmt),
      ),
    });
  }
  if (shape.inGroupBody) {
    const child: Shape = { ...inner, inGroupBody: false, held: [] };
    options.push({
      weight: 2,
      arbitrary: fc
        .record({ pre: block(child), post: fc.option(block(child), { nil: null, freq: 5 }) })
        .map((s) => ({ k: "start", ...s }) as Stmt),
    });
  }
  return fc.oneof(...options);
}

function block(shape: Shape): fc.Arbitrary<Stmt[]> {
  return fc.array(stmt(shape), { maxLength: shape.depth >= 2 ? 4 : 3 });
}

/** The arbitrary of whole programs; `depth` bounds the nesting of scopes/groups/holds. */
export function programArbitrary(depth = 3): fc.Arbitrary<Program> {
  const top: Shape = { depth, inGroupBody: false, held: [] };
  return fc.record({
    // One program in four runs unseeded (FIFO): the seeded shuffle takes another path.
    seed: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 2 ** 31 - 1 }), weight: 3 }, { arbitrary: fc.constant(null), weight: 1 }),
    buffer: fc.constantFrom(0, 1, 2, -1),
    semaphore: fc.integer({ min: 1, max: 3 }),
    limiter: fc.integer({ min: 1, max: 3 }),
    guard: fc.integer({ min: 5, max: 40 }),
    children: fc.array(block(top), { minLength: 1, maxLength: 4 }),
    body: block({ ...top, inGroupBody: true }),
    chaos: fc.array(fc.record({ delay: fc.integer({ min: 0, max: 5 }), target: fc.nat(40) }), { maxLength: 4 }),
  });
}

/**
 * moveOnAfter / failAfter around an already-resolved operation, N times in a row, against the
 * same operation without a scope. The op is an async function that awaits a resolved promise.
 * Explicit context throughout, as a browser program would write it (`moveOnAfter(ms, cx)`).
 * Peer: Effect.timeoutOption around Effect.promise of the same op.
 */
import { failAfter, moveOnAfter, run } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { Effect } from "effect";

const RESOLVED = Promise.resolve(1);
async function op() {
  return await RESOLVED;
}

function inRun(body) {
  return (n) => run((cx) => body(n, cx), { backend: nativeBackend(), context: "explicit" });
}

export const variants = {
  op: inRun(async (n) => {
    for (let i = 0; i < n; i++) await op();
  }),
  moveOnAfter: inRun(async (n, cx) => {
    for (let i = 0; i < n; i++) await moveOnAfter(10_000, cx).run(op, cx);
  }),
  failAfter: inRun(async (n, cx) => {
    for (let i = 0; i < n; i++) await failAfter(10_000, cx).run(op, cx);
  }),
  effectOp: (n) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const eff = Effect.promise(op);
        for (let i = 0; i < n; i++) yield* eff;
      }),
    ),
  effectTimeout: (n) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const eff = Effect.timeoutOption(Effect.promise(op), 10_000);
        for (let i = 0; i < n; i++) yield* eff;
      }),
    ),
};

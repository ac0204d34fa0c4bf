/**
 * The child-process side of the harness: runs one variant `warmup` times untimed, then `reps`
 * times timed, with a full GC (`--expose-gc`) before every repetition so that one rep's
 * garbage is not billed to the next.
 *
 * A variant is `async (n) => void | { ms?, value? }`: by default the whole call is timed; a
 * variant that must exclude setup (e.g. parking 10k tasks before timing their cancellation)
 * returns its own `ms`; a variant that measures something other than time (bytes per task)
 * returns `value`.
 */
import { performance } from "node:perf_hooks";

const gc = globalThis.gc;

export async function measureVariant(variant, { n, reps, warmup, warmupN = n }) {
  if (typeof gc !== "function") throw new Error("run the child with --expose-gc");
  for (let i = 0; i < warmup; i++) {
    gc();
    await variant(warmupN);
  }
  const samples = [];
  for (let i = 0; i < reps; i++) {
    gc();
    const t0 = performance.now();
    const out = await variant(n);
    const ms = performance.now() - t0;
    if (out !== undefined && typeof out.value === "number") samples.push(out.value);
    else samples.push(out !== undefined && typeof out.ms === "number" ? out.ms : ms);
  }
  return samples;
}

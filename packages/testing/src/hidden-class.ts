/**
 * Checking that V8 keeps a class's hidden class alive once all its instances are gone (what
 * `retainShape` of `@anyio/core` is for). Node only: it turns on V8's natives syntax at run time.
 *
 * @module
 */

interface Natives {
  gc: () => void;
  optimized: (fn: (o: object) => unknown) => boolean;
  optimizeNow: (fn: (o: object) => unknown, sample: object) => void;
}

let natives: Natives | null = null;

async function loadNatives(): Promise<Natives> {
  if (natives !== null) return natives;
  // Through a variable: this package is typed without Node's declarations (it also runs elsewhere).
  const load = (specifier: string): Promise<Record<string, (arg: string) => unknown>> => import(specifier);
  const v8 = await load("node:v8");
  const vm = await load("node:vm");
  // Both flags only affect code compiled after they are set: the helpers below.
  v8.setFlagsFromString!("--allow-natives-syntax");
  v8.setFlagsFromString!("--expose-gc");
  const gc = vm.runInNewContext!("gc") as () => void;
  const status = new Function("f", "return %GetOptimizationStatus(f);") as (f: unknown) => number;
  const prepare = new Function("f", "%PrepareFunctionForOptimization(f);") as (f: unknown) => void;
  const optimizeOnNextCall = new Function("f", "%OptimizeFunctionOnNextCall(f);") as (f: unknown) => void;
  // Bit 4 of the status: "optimized" (TurboFan), the same on Node 20 through 24.
  const OPTIMIZED = 1 << 4;
  natives = {
    gc,
    optimized: (fn) => (status(fn) & OPTIMIZED) !== 0,
    optimizeNow: (fn, sample) => {
      prepare(fn);
      fn(sample);
      fn(sample);
      optimizeOnNextCall(fn);
      fn(sample);
    },
  };
  return natives;
}

/**
 * Whether V8 keeps the hidden class of the objects `make` returns after every one of them is
 * gone: a function optimized to read an own field of such an object still counts as optimized
 * after eight full GCs. V8 frees a hidden class no live object has (after two GCs); optimized
 * code depending on it is then thrown away, so the next objects of that class start over in
 * slow code. `make` must leave no other reference to the object it returns (finish any run it
 * started); the class must keep one instance alive by itself for the answer to be `true`.
 *
 * Node only; it enables `--allow-natives-syntax` and `--expose-gc` for the rest of the process.
 *
 * @example
 * ```ts
 * import { hiddenClassOutlivesInstances } from "@anyio/testing";
 * expect(await hiddenClassOutlivesInstances(() => new Lock())).toBe(true);
 * ```
 */
export async function hiddenClassOutlivesInstances(make: () => object | Promise<object>): Promise<boolean> {
  const { gc, optimized, optimizeNow } = await loadNatives();
  let sample: object | null = await make();
  const key = Object.keys(sample)[0];
  if (key === undefined) throw new TypeError("hiddenClassOutlivesInstances(): the object has no own field to read");
  // A fresh function per call, so its only feedback is this one hidden class.
  const read = new Function("o", `return o[${JSON.stringify(key)}];`) as (o: object) => unknown;
  optimizeNow(read, sample);
  if (!optimized(read)) throw new Error("hiddenClassOutlivesInstances(): V8 did not optimize the probe; nothing can be concluded");
  sample = null;
  // Let pending reactions of the run that made it settle, so nothing else holds the object.
  await new Promise((resolve) => setTimeout(resolve, 0));
  for (let i = 0; i < 8; i++) gc();
  return optimized(read);
}

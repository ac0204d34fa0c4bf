/**
 * `MultiListener`: several listeners served as one.
 *
 * @module
 */
import type { WaitOptions } from "../context.js";
import { ClosedResourceError } from "../errors.js";
import { ExceptionGroup } from "../exception-group.js";
import { type TaskGroup, withTaskGroup } from "../task-group.js";
import type { TaskContext } from "../task.js";
import type { Listener } from "./interfaces.js";
import { AsyncResourceBase } from "./resource.js";
import { type AttributeGetters, mergeAttributes } from "./typed-attributes.js";

/**
 * Combines listeners (nested `MultiListener`s are flattened): `serve()` serves them all at
 * once, `aclose()` closes them all. Attributes of every listener are merged.
 *
 * @example
 * ```ts
 * const listener = new MultiListener([ipv4Listener, ipv6Listener]);
 * await listener.serve(async (stream) => { … });
 * ```
 */
export class MultiListener<T> extends AsyncResourceBase implements Listener<T> {
  /** The listeners served together, flattened (nested `MultiListener`s are unpacked). */
  readonly listeners: readonly Listener<T>[];

  constructor(listeners: Iterable<Listener<T>>) {
    super();
    const flat: Listener<T>[] = [];
    for (const listener of listeners) {
      if (listener instanceof MultiListener) flat.push(...(listener.listeners as Listener<T>[]));
      else flat.push(listener);
    }
    this.listeners = flat;
  }

  /**
   * Serves every listener at once. Closing the listeners from another task ends it with a
   * plain `ClosedResourceError`, as a single listener's `serve()` does; any other failure
   * comes out as the task group's `ExceptionGroup`.
   */
  async serve(handler: (stream: T, cx: TaskContext) => unknown, taskGroup?: TaskGroup, options?: WaitOptions): Promise<never> {
    try {
      await withTaskGroup(async (tg) => {
        for (const listener of this.listeners) {
          tg.startSoon((cx) => listener.serve(handler, taskGroup, cx));
        }
      }, options);
    } catch (err) {
      if (err instanceof ExceptionGroup && err.leaves().every((e) => e instanceof ClosedResourceError)) {
        throw err.leaves()[0];
      }
      throw err;
    }
    // serve() of each listener only ends by throwing; reaching here means all were cancelled.
    throw new Error("MultiListener.serve() ended without an error");
  }

  async aclose(): Promise<void> {
    const errors: unknown[] = [];
    for (const listener of this.listeners) {
      try {
        await listener.aclose();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
  }

  override get extraAttributes(): AttributeGetters {
    return mergeAttributes(...this.listeners.map((l) => l.extraAttributes));
  }
}

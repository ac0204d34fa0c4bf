/**
 * Memory object streams: AnyIO's in-process channels between tasks.
 *
 * @module
 */
import {
  AsyncResourceBase,
  BrokenResourceError,
  ClosedResourceError,
  currentNode,
  EndOfStream,
  type ObjectReceiveStream,
  type ObjectSendStream,
  Waiter,
  type WaitOptions,
  WouldBlock,
  foreignSignal,
  retainShape,
} from "@anyio/core";
import {
  cancelledNow,
  cancelledRejection,
  checkCount,
  type CoreNode,
  RESOLVED,
  schedulePoint,
  schedulePointThen,
} from "./internal/cancel-point.js";
import { Deque } from "./internal/deque.js";
import { WaiterQueue } from "./internal/waiter-queue.js";

/**
 * What `statistics()` of either end reports (shared by all clones of both ends).
 *
 * @example
 * ```ts
 * const stats: MemoryObjectStreamStatistics = send.statistics();
 * if (stats.currentBufferUsed === stats.maxBufferSize) console.log("full");
 * ```
 */
export interface MemoryObjectStreamStatistics {
  /** Items in the buffer now. */
  readonly currentBufferUsed: number;
  /** The buffer's capacity (`0` = rendezvous, `Infinity` = unbounded). */
  readonly maxBufferSize: number;
  /** Send ends (clones included) not yet closed. */
  readonly openSendStreams: number;
  /** Receive ends (clones included) not yet closed. */
  readonly openReceiveStreams: number;
  /** Tasks blocked in `send()`. */
  readonly tasksWaitingSend: number;
  /** Tasks blocked in `receive()`. */
  readonly tasksWaitingReceive: number;
}

// Plain Waiters rather than subclasses (see `Waiter.payload`). Each end parks its waiters with
// an onAbort of its own: that is how close() finds the waits of the end being closed.

/** A blocked sender: the item (its payload) travels with it until a receiver takes it. */
type SendWaiter<T> = Waiter<void, T>;

/** A blocked receiver: woken with the item itself. */
type ReceiveWaiter<T> = Waiter<T>;

/**
 * @internal The state both ends share. Invariants: receivers wait only while the buffer is
 * empty and no sender waits; senders wait only while the buffer is full and no receiver waits.
 */
export class StreamState<T> {
  readonly buffer = new Deque<T>();
  openSend = 0;
  openReceive = 0;
  readonly senders = new WaiterQueue<SendWaiter<T>>();
  readonly receivers = new WaiterQueue<ReceiveWaiter<T>>();
  constructor(readonly maxBufferSize: number) {
    retainShape(StreamState, () => new StreamState(0));
  }

  /** Delivers `item` to a waiting receiver or the buffer; false if it would block. */
  trySend(item: T): boolean {
    // shift() skips receivers cancelled before this send: the item goes to a live one.
    const r = this.receivers.shift();
    if (r !== undefined) {
      r.wake(item);
      return true;
    }
    if (this.buffer.length < this.maxBufferSize) {
      this.buffer.push(item);
      return true;
    }
    return false;
  }

  canTake(): boolean {
    return this.buffer.length > 0 || this.senders.size > 0;
  }

  /** Takes the next item (call only when {@link canTake}); refills the buffer from a blocked sender. */
  take(): T {
    const buffer = this.buffer;
    if (buffer.length > 0) {
      const item = buffer.shift();
      const s = this.senders.shift();
      if (s !== undefined) {
        buffer.push(s.payload);
        s.wake();
      }
      return item;
    }
    const s = this.senders.shift()!;
    s.wake();
    return s.payload;
  }

  statistics(): MemoryObjectStreamStatistics {
    return {
      currentBufferUsed: this.buffer.length,
      maxBufferSize: this.maxBufferSize,
      openSendStreams: this.openSend,
      openReceiveStreams: this.openReceive,
      tasksWaitingSend: this.senders.size,
      tasksWaitingReceive: this.receivers.size,
    };
  }
}

/**
 * The sending end of a memory object stream, made by {@link createMemoryObjectStream}: an
 * `ObjectSendStream<T>` of `@anyio/core` (so wrappers such as `StapledObjectStream` take it),
 * closed by `aclose()`, `close()`, `await using` or `using`.
 * `clone()` makes another send end on the same stream; the stream ends for receivers
 * (`EndOfStream`, after the buffer drains) once every send end is closed.
 *
 * @example
 * ```ts
 * const [send, receive] = createMemoryObjectStream<number>(10);
 * await using tx = send;
 * await tx.send(1);
 * ```
 */
export class MemoryObjectSendStream<T> extends AsyncResourceBase implements ObjectSendStream<T>, Disposable {
  private _closed = false;
  private readonly _state: StreamState<T>;
  /** The onAbort of this end's waits (its identity marks them as this end's). */
  private readonly _onAbort: () => void;

  /** @internal Use {@link createMemoryObjectStream}. */
  constructor(state: StreamState<T>) {
    super();
    if (!(state instanceof StreamState)) {
      throw new TypeError(`MemoryObjectSendStream(): state must come from createMemoryObjectStream(), got ${state === null ? "null" : typeof state}`);
    }
    this._state = state;
    this._onAbort = () => state.senders.onAbort();
    state.openSend++;
    retainShape(MemoryObjectSendStream, () => new MemoryObjectSendStream(new StreamState(0)));
  }

  /**
   * Sends `item`, waiting until a receiver or buffer space takes it. A cancel point, and a
   * schedule point even when the item goes through at once. Cancelled while waiting: the
   * item was not delivered. Throws `BrokenResourceError` when every receive end is closed
   * (also to a sender blocked at that moment) and `ClosedResourceError` when this end is
   * closed.
   *
   * @example
   * ```ts
   * await send.send({ id: 1 });
   * ```
   */
  send(item: T, options?: WaitOptions): Promise<void> {
    const node = currentNode(options, "MemoryObjectSendStream.send");
    if (cancelledNow(node, options)) return cancelledRejection(options);
    if (this._closed) return Promise.reject(new ClosedResourceError());
    const state = this._state;
    if (state.openReceive === 0) return Promise.reject(new BrokenResourceError());
    // Delivered first, then the schedule point, which cannot cancel: the send happened.
    if (state.trySend(item)) return schedulePoint(node);
    return this._sendSlow(node, item, options);
  }

  private _sendSlow(node: CoreNode, item: T, options: WaitOptions | undefined): Promise<void> {
    const state = this._state;
    const w: SendWaiter<T> = new Waiter("MemoryObjectSendStream.send", node, {
      signal: foreignSignal(options),
      onAbort: this._onAbort,
      payload: item,
    });
    const parked = w.park();
    if (w.pending) state.senders.push(w);
    // Woken means a receiver took the item: the send completed, even if this task's scope is
    // cancelled before it resumes (the cancellation waits for its next checkpoint).
    return parked;
  }

  /**
   * Sends `item` if a receiver waits or the buffer has room, without a checkpoint; otherwise
   * throws `WouldBlock`.
   *
   * @example
   * ```ts
   * try { send.sendNowait(event); } catch (e) { if (e instanceof WouldBlock) dropped++; else throw e; }
   * ```
   */
  sendNowait(item: T): void {
    if (this._closed) throw new ClosedResourceError();
    const state = this._state;
    if (state.openReceive === 0) throw new BrokenResourceError();
    if (!state.trySend(item)) throw new WouldBlock();
  }

  /**
   * Another send end on the same stream (the stream stays open until every clone is closed).
   * Throws `ClosedResourceError` if this end is closed.
   *
   * @example
   * ```ts
   * for (let i = 0; i < 4; i++) tg.startSoon(() => producer(send.clone()));
   * send.close();
   * ```
   */
  clone(): MemoryObjectSendStream<T> {
    if (this._closed) throw new ClosedResourceError();
    return new MemoryObjectSendStream(this._state);
  }

  /**
   * Closes this end. Idempotent; never a checkpoint. Tasks blocked in this end's `send()`
   * get `ClosedResourceError` (their items were not delivered); when this was the last open
   * send end, tasks blocked in `receive()` get `EndOfStream`.
   *
   * @example
   * ```ts
   * send.close();
   * ```
   */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    const state = this._state;
    if (state.senders.size > 0) {
      for (const w of state.senders.extract((s) => s.onAbort === this._onAbort)) w.fail(new ClosedResourceError());
    }
    if (--state.openSend === 0) {
      // No sender waits now, so blocked receivers have an empty buffer: the stream has ended.
      for (const r of state.receivers.drain()) r.fail(new EndOfStream());
    }
  }

  /**
   * Closes this end (as {@link close}); resolves at once, not a checkpoint (as AnyIO), so it
   * is safe in cleanup code running under cancellation.
   *
   * @example
   * ```ts
   * await send.aclose();
   * ```
   */
  aclose(): Promise<void> {
    this.close();
    return RESOLVED;
  }

  /** `using tx = send` closes it at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** True once this end is closed. */
  get closed(): boolean {
    return this._closed;
  }

  /**
   * The stream's statistics (shared by every clone of both ends).
   *
   * @example
   * ```ts
   * send.statistics().currentBufferUsed;
   * ```
   */
  statistics(): MemoryObjectStreamStatistics {
    return this._state.statistics();
  }
}

/**
 * The receiving end of a memory object stream, made by {@link createMemoryObjectStream}: an
 * `ObjectReceiveStream<T>` of `@anyio/core`, closed like the send end.
 * Iterate it with `for await`; the loop ends when every send end is closed and the buffer is
 * drained. Breaking out of the loop does not close the stream.
 *
 * @example
 * ```ts
 * for await (const item of receive) console.log(item);
 * ```
 */
export class MemoryObjectReceiveStream<T> extends AsyncResourceBase implements ObjectReceiveStream<T>, Disposable {
  private _closed = false;
  private readonly _state: StreamState<T>;
  /** The onAbort of this end's waits (its identity marks them as this end's). */
  private readonly _onAbort: () => void;

  /** @internal Use {@link createMemoryObjectStream}. */
  constructor(state: StreamState<T>) {
    super();
    if (!(state instanceof StreamState)) {
      throw new TypeError(`MemoryObjectReceiveStream(): state must come from createMemoryObjectStream(), got ${state === null ? "null" : typeof state}`);
    }
    this._state = state;
    this._onAbort = () => state.receivers.onAbort();
    state.openReceive++;
    retainShape(MemoryObjectReceiveStream, () => new MemoryObjectReceiveStream(new StreamState(0)));
  }

  /**
   * Receives the next item, waiting for one. A cancel point, and a schedule point even when
   * an item is ready. Cancelled while waiting: nothing was taken (the item goes to another
   * receiver). An item handed over before the cancellation is returned, never lost. Throws
   * `EndOfStream` when every send end is closed and the buffer is empty, and
   * `ClosedResourceError` when this end is closed.
   *
   * @example
   * ```ts
   * const item = await receive.receive();
   * ```
   */
  receive(options?: WaitOptions): Promise<T> {
    const node = currentNode(options, "MemoryObjectReceiveStream.receive");
    if (cancelledNow(node, options)) return cancelledRejection(options);
    if (this._closed) return Promise.reject(new ClosedResourceError());
    const state = this._state;
    if (state.canTake()) return schedulePointThen(node, state.take());
    if (state.openSend === 0) return Promise.reject(new EndOfStream());
    return this._park(node, options);
  }

  /** @internal `receive()` for `for await`: the same steps, resolving with iterator results. */
  _next(options: WaitOptions | undefined): Promise<IteratorResult<T>> {
    const node = currentNode(options, "MemoryObjectReceiveStream iteration");
    if (cancelledNow(node, options)) return cancelledRejection(options);
    if (this._closed) return Promise.reject(new ClosedResourceError());
    const state = this._state;
    // One hop per item on the fast path, as for receive(), instead of receive().then(…).
    if (state.canTake()) return schedulePointThen(node, { done: false, value: state.take() });
    if (state.openSend === 0) return Promise.resolve(DONE);
    return this._park(node, options).then(toResult, endToDone);
  }

  private _park(node: CoreNode, options: WaitOptions | undefined): Promise<T> {
    const state = this._state;
    const w: ReceiveWaiter<T> = new Waiter("MemoryObjectReceiveStream.receive", node, {
      signal: foreignSignal(options),
      onAbort: this._onAbort,
    });
    const parked = w.park();
    if (w.pending) state.receivers.push(w);
    return parked;
  }

  /**
   * Takes an item if one is ready (buffered or offered by a blocked sender), without a
   * checkpoint; otherwise throws `WouldBlock` (or `EndOfStream` once the stream has ended).
   *
   * @example
   * ```ts
   * const batch: T[] = [];
   * try { for (;;) batch.push(receive.receiveNowait()); } catch (e) { if (!(e instanceof WouldBlock)) throw e; }
   * ```
   */
  receiveNowait(): T {
    if (this._closed) throw new ClosedResourceError();
    const state = this._state;
    if (state.canTake()) return state.take();
    if (state.openSend === 0) throw new EndOfStream();
    throw new WouldBlock();
  }

  /**
   * An async iterator over the items, ending (without error) at `EndOfStream`. Takes
   * `{ signal }` for code without ambient context; `for await (… of receive)` uses this with
   * no options.
   *
   * @example
   * ```ts
   * for await (const item of receive.iterate({ signal: cx.signal })) handle(item);
   * ```
   */
  iterate(options?: WaitOptions): AsyncIterableIterator<T> {
    return new ReceiveIterator(this, options);
  }

  /** `for await (const item of receive)`: {@link iterate} with ambient context. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return new ReceiveIterator(this, undefined);
  }

  /**
   * Another receive end on the same stream (items go to whichever receiver asks first).
   * Throws `ClosedResourceError` if this end is closed.
   *
   * @example
   * ```ts
   * for (let i = 0; i < 4; i++) tg.startSoon(() => worker(receive.clone()));
   * receive.close();
   * ```
   */
  clone(): MemoryObjectReceiveStream<T> {
    if (this._closed) throw new ClosedResourceError();
    return new MemoryObjectReceiveStream(this._state);
  }

  /**
   * Closes this end. Idempotent; never a checkpoint. Tasks blocked in this end's `receive()`
   * get `ClosedResourceError`; when this was the last open receive end, buffered items are
   * discarded and tasks blocked in `send()` get `BrokenResourceError` (their items were not
   * delivered).
   *
   * @example
   * ```ts
   * receive.close();
   * ```
   */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    const state = this._state;
    if (state.receivers.size > 0) {
      for (const w of state.receivers.extract((r) => r.onAbort === this._onAbort)) w.fail(new ClosedResourceError());
    }
    if (--state.openReceive === 0) {
      state.buffer.clear();
      for (const s of state.senders.drain()) s.fail(new BrokenResourceError());
    }
  }

  /**
   * Closes this end (as {@link close}); resolves at once, not a checkpoint (as AnyIO).
   *
   * @example
   * ```ts
   * await receive.aclose();
   * ```
   */
  aclose(): Promise<void> {
    this.close();
    return RESOLVED;
  }

  /** `using rx = receive` closes it at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** True once this end is closed. */
  get closed(): boolean {
    return this._closed;
  }

  /**
   * The stream's statistics (shared by every clone of both ends).
   *
   * @example
   * ```ts
   * receive.statistics().tasksWaitingSend;
   * ```
   */
  statistics(): MemoryObjectStreamStatistics {
    return this._state.statistics();
  }
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

function toResult<T>(value: T): IteratorResult<T> {
  return { done: false, value };
}

function endToDone(err: unknown): IteratorResult<never> {
  if (err instanceof EndOfStream) return DONE;
  throw err;
}

/** `for await` over a receive end: `receive()` until `EndOfStream`. */
class ReceiveIterator<T> implements AsyncIterableIterator<T> {
  constructor(
    private readonly stream: MemoryObjectReceiveStream<T>,
    private readonly options: WaitOptions | undefined,
  ) {}

  next(): Promise<IteratorResult<T>> {
    return this.stream._next(this.options);
  }

  /** Leaving the loop early leaves the stream open (AnyIO and Trio do the same). */
  return(): Promise<IteratorResult<T>> {
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}

/**
 * Creates a memory object stream: a `[send, receive]` pair of ends passing items of type `T`
 * between tasks, as AnyIO's `create_memory_object_stream`. With `maxBufferSize` 0 (the
 * default) every send waits for a receiver (rendezvous); with N it buffers up to N items;
 * with `Infinity` sends never wait.
 *
 * Both ends can be cloned; closing every send end ends the stream for receivers (after the
 * buffer drains), closing every receive end breaks it for senders.
 *
 * @param maxBufferSize - an integer >= 0, or `Infinity`
 * @example
 * ```ts
 * const [send, receive] = createMemoryObjectStream<string>(16);
 * await withTaskGroup(async (tg) => {
 *   tg.startSoon(async () => {
 *     await using tx = send;
 *     for (const word of ["a", "b", "c"]) await tx.send(word);
 *   });
 *   for await (const word of receive) console.log(word);
 * });
 * ```
 */
export function createMemoryObjectStream<T = unknown>(
  maxBufferSize = 0,
): [MemoryObjectSendStream<T>, MemoryObjectReceiveStream<T>] {
  checkCount(maxBufferSize, "createMemoryObjectStream()", "maxBufferSize", true);
  const state = new StreamState<T>(maxBufferSize);
  return [new MemoryObjectSendStream<T>(state), new MemoryObjectReceiveStream<T>(state)];
}

export { run, type RunOptions } from "./run.js";
export {
  BACKEND_CONTRACT_VERSION,
  type Backend,
  type BackendRun,
  type BlockedTask,
  type Resumable,
  type RunController,
  type RunSnapshot,
  type TaskInfo,
  type TimerTarget,
} from "./backend.js";
export {
  CancelScope,
  FailAfterScope,
  currentEffectiveDeadline,
  failAfter,
  failAt,
  moveOnAfter,
  moveOnAt,
  type CancelScopeOptions,
  type TimeoutOptions,
} from "./cancel-scope.js";
export { TaskGroup, createTaskGroup, withTaskGroup, type StartOptions, type StartSoonOptions } from "./task-group.js";
export type { TaskContext, TaskStartContext } from "./task.js";
export { checkpoint, checkpointIfCancelled, cancelShieldedCheckpoint } from "./checkpoint.js";
export { currentTime, sleep, sleepForever, sleepUntil } from "./time.js";
export { currentNode, currentSignal, foreignSignal, isForeignSignal, type WaitOptions } from "./context.js";
export { getCurrentTask, getRunningTasks, waitAllTasksBlocked } from "./tasks.js";
export { RunVar, type RunVarToken } from "./run-var.js";
export { awaitCancellable } from "./await-cancellable.js";
export { Waiter, type WaitKind } from "./waiter.js";
export {
  BrokenResourceError,
  BusyResourceError,
  Cancelled,
  ClosedResourceError,
  EndOfStream,
  LookupError,
  NoContextError,
  TimeoutError,
  WouldBlock,
  getCancelledExcClass,
  isCancelled,
} from "./errors.js";
export { ExceptionGroup, catchGroup, type ErrorMatcher, type GroupHandler } from "./exception-group.js";
export { TimerEntry, TimerQueue } from "./timer-queue.js";
export { scheduleMicrotask } from "./microtask.js";
export { retainShape } from "./retain-shape.js";
export {
  BufferedByteReceiveStream,
} from "./streams/buffered.js";
export {
  BYTE_STREAM,
  ByteReceiveStreamBase,
  ObjectReceiveStreamBase,
  checkBytes,
  checkMaxBytes,
  receiveFrom,
} from "./streams/bases.js";
export type {
  AnyByteReceiveStream,
  AnyByteSendStream,
  AnyByteStream,
  ByteReceiveStream,
  ByteSendStream,
  ByteStream,
  Listener,
  ObjectReceiveStream,
  ObjectSendStream,
  ObjectStream,
  UnreliableObjectReceiveStream,
  UnreliableObjectSendStream,
  UnreliableObjectStream,
} from "./streams/interfaces.js";
export { MultiListener } from "./streams/multi-listener.js";
export { AsyncResourceBase, acloseForcefully, asyncDispose, type AsyncResource } from "./streams/resource.js";
export { StapledByteStream, StapledObjectStream } from "./streams/stapled.js";
export { TextReceiveStream, TextSendStream, TextStream, type TextStreamOptions } from "./streams/text.js";
export {
  NO_ATTRIBUTES,
  lookupAttribute,
  mergeAttributes,
  typedAttribute,
  type AttributeGetters,
  type TypedAttribute,
  type TypedAttributeProvider,
} from "./streams/typed-attributes.js";
export {
  ReadableByteReceiveStream,
  ReadableObjectReceiveStream,
  WritableSendStream,
  toReadableStream,
  toWritableStream,
  type WebStreamAdapterOptions,
} from "./streams/web-streams.js";
export { DelimiterNotFound, IncompleteRead, TypedAttributeLookupError } from "./errors.js";
export { requireMethods } from "./require-methods.js";

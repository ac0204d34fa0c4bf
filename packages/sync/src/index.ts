export { Event, type EventStatistics } from "./event.js";
export { Lock, type LockOptions, type LockStatistics } from "./lock.js";
export { Semaphore, type SemaphoreOptions, type SemaphoreStatistics } from "./semaphore.js";
export { Condition, type ConditionStatistics } from "./condition.js";
export { CapacityLimiter, type CapacityLimiterStatistics } from "./capacity-limiter.js";
export { ResourceGuard } from "./resource-guard.js";
export {
  createMemoryObjectStream,
  MemoryObjectReceiveStream,
  MemoryObjectSendStream,
  type MemoryObjectStreamStatistics,
} from "./memory-object-stream.js";

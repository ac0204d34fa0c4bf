export { BrokenWorkerError, NoEventLoopError } from "./errors.js";
export { fromWorker } from "./from-worker.js";
export type { WorkerLimiter } from "./limiter.js";
export { defaultWorkerPool, runInWorker } from "./run-in-worker.js";
export {
  WorkerPool,
  type RunInWorkerOptions,
  type WorkerHandlers,
  type WorkerPoolOptions,
  type WorkerPoolStatistics,
} from "./worker-pool.js";

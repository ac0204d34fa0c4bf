export { strictBackend, type StrictBackend, type StrictBackendOptions } from "./strict-backend.js";
export { VirtualClock, type VirtualClockOptions } from "./virtual-clock.js";
export { DeadlockError, InstrumentError, StepBudgetError, type TaskTreeEntry } from "./errors.js";
export type { Instrument, StrictRunInfo } from "./instrument.js";

export { AssertionError, assert, assertEqual, assertRejects, deepEqual } from "./assertions.js";
export { standardBackends, type BackendUnderTest } from "./backends.js";
export { assertCheckpoints, assertNoCheckpoints } from "./checkpoint-assertions.js";
export { defineCases, type ConformanceCase } from "./conformance-case.js";
export { conformanceCases } from "./conformance/index.js";
export { runConformance, type CaseResult, type RunConformanceOptions } from "./run-conformance.js";
export { byteStreamCases, type ByteStreamKitOptions, type StreamPairFactory } from "./stream-conformance.js";
export { explicitConformanceCases } from "./conformance-explicit/index.js";
export { LeakError, LeakWatch, describeLeaks, isClean, leaksSince, noLeaks, resourceSnapshot, type LeakReport, type ResourceSnapshot } from "./leak-check.js";

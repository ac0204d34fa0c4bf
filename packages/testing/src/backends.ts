/**
 * The backends every behaviour is tested on.
 *
 * @module
 */
import type { Backend } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { strictBackend } from "@anyio/backend-strict";

/** A backend under test: a name for reports and a factory (a fresh backend per run). */
export interface BackendUnderTest {
  /** The backend's name in test titles and reports. */
  readonly name: string;
  /** Makes a fresh backend with default options. */
  readonly make: () => Backend;
}

/**
 * The backends of this repository, each with its default options. Tests of every package run
 * once per entry (see `describeEachBackend` in `@anyio/testing/vitest`).
 *
 * @example
 * ```ts
 * for (const b of standardBackends) await runConformance(b.make);
 * ```
 */
export const standardBackends: readonly BackendUnderTest[] = [
  { name: "native", make: () => nativeBackend() },
  { name: "strict", make: () => strictBackend() },
];

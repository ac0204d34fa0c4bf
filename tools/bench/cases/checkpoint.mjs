/**
 * One task calling checkpoint() / sleep(0) N times in a row, against a bare microtask hop.
 * Explicit context (cx passed) unless the variant says ambient.
 */
import { checkpoint, run, sleep } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";

const hop = (resolve) => queueMicrotask(resolve);

export const variants = {
  microtask: async (n) => {
    for (let i = 0; i < n; i++) await new Promise(hop);
  },
  checkpoint: (n) =>
    run(
      async (cx) => {
        for (let i = 0; i < n; i++) await checkpoint(cx);
      },
      { backend: nativeBackend(), context: "explicit" },
    ),
  sleep0: (n) =>
    run(
      async (cx) => {
        for (let i = 0; i < n; i++) await sleep(0, cx);
      },
      { backend: nativeBackend(), context: "explicit" },
    ),
  checkpointAmbient: (n) =>
    run(
      async () => {
        for (let i = 0; i < n; i++) await checkpoint();
      },
      { backend: nativeBackend(), context: "ambient" },
    ),
};

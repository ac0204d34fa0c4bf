// The explicit-context conformance suite on every standard backend (the same cases run in
// headless Chromium from tools/portability and on Node 22/24, Deno and Bun).
import { explicitConformanceCases, standardBackends } from "@anyio/testing";
import { conformanceTests } from "@anyio/testing/vitest";

for (const b of standardBackends) conformanceTests(`${b.name} (explicit context)`, b.make, explicitConformanceCases);

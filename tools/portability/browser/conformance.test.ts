// The framework-agnostic conformance suite in Chromium, in its explicit-context form (a browser
// has no AsyncLocalStorage, so the ambient cases cannot run here; every one of them has an
// explicit twin in `explicitConformanceCases`, except the foreign-AbortSignal case, see
// packages/testing/src/conformance-explicit/checkpoints-and-time.ts).
import { explicitConformanceCases, standardBackends } from "@anyio/testing";
import { conformanceTests } from "@anyio/testing/vitest";

for (const b of standardBackends) conformanceTests(`${b.name} (explicit context, chromium)`, b.make, explicitConformanceCases);

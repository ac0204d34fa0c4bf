import { standardBackends } from "@anyio/testing";
import { conformanceTests } from "@anyio/testing/vitest";

// Every rule of the contract that core owns, on every backend of this repository.
for (const b of standardBackends) conformanceTests(b.name, b.make);

// A third-party backend, proved with @anyio/testing's conformance suite.
// Run: node examples/custom-backend.mjs
//
// The backend itself is examples/lib/simple-backend.mjs; docs/writing-a-backend.md walks
// through it member by member.
import { run, sleep, withTaskGroup } from "@anyio/core";
import { runConformance } from "@anyio/testing";
import { simpleBackend } from "./lib/simple-backend.mjs";

// 1. It runs ordinary anyio-ts code…
const order = await run(async () => {
  const order = [];
  await withTaskGroup(async (tg) => {
    // 100 ms apart: a loaded machine may fire a host timer late, never 100 ms out of order.
    for (const ms of [300, 100, 200]) tg.startSoon(async () => { await sleep(ms); order.push(ms); });
  });
  return order;
}, { backend: simpleBackend() });
console.log(`simple backend ran three sleepers: finished in order ${order.join(", ")}`);

// 2. …and the conformance suite says whether it keeps every rule of the contract.
const report = await runConformance(() => simpleBackend(), {
  onResult: (r) => { if (!r.ok) console.log(`✗ ${r.group} › ${r.name}: ${r.error}`); },
});
console.log(`conformance: ${report.passed.length}/${report.results.length} cases passed`);
if (report.failed.length > 0) process.exitCode = 1;

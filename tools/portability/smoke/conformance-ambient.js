// @uses testing=@anyio/testing
// The framework-agnostic conformance suite as published (its cases use ambient context).
const report = await testing.runConformance(makeBackend, { cases: testing.conformanceCases });
const failures = report.failed.map((f) => `${f.group} › ${f.name}: ${f.error?.stack ?? f.error}`);
if (failures.length > 0) throw new Error(`${failures.length} conformance case(s) failed:\n${failures.join("\n")}`);
check(report.passed.length > 0, "the suite ran cases");
detail(`${report.passed.length}/${report.results.length}`);

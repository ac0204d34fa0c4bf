// @uses testing=@anyio/testing
// The explicit-context variants of the conformance suite: no ambient context, `cx`/scopes passed
// to every waiting call (the browser's way). The same cases run in Chromium.
const report = await testing.runConformance(makeBackend, { cases: testing.explicitConformanceCases });
const failures = report.failed.map((f) => `${f.group} › ${f.name}: ${f.error?.stack ?? f.error}`);
if (failures.length > 0) throw new Error(`${failures.length} conformance case(s) failed:\n${failures.join("\n")}`);
check(report.passed.length > 0, "the suite ran cases");
detail(`${report.passed.length}/${report.results.length}`);

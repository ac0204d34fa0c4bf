#!/usr/bin/env node
/**
 * `pnpm bench`: runs every row of rows.mjs, each variant in its own Node process against the
 * BUILT packages, and prints a markdown table with ratios measured in this run.
 *
 *   node tools/bench/run.mjs                 full run: writes results/latest.json and RESULTS.md
 *   node tools/bench/run.mjs --quick         CI smoke: small N, 2 reps; checks every case runs
 *                                            and yields sane numbers (no speed verdict)
 *   options: --only=id,id  --no-node24  --reps=N  --out=path.json
 *
 * Needs the packages built first (`pnpm bench` at the root builds them through turbo).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleFixture, FIXTURES, nodeImports } from "./lib/bundle.mjs";
import { BASE_FLAGS, FLAG_SETS, ROWS } from "./rows.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const noNode24 = args.includes("--no-node24") || quick;
const only = args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const repsArg = args.find((a) => a.startsWith("--reps="));
const outArg = args.find((a) => a.startsWith("--out="))?.slice(6);
const REPS = repsArg ? Number(repsArg.slice(7)) : quick ? 2 : 7;
const WARMUP = quick ? 1 : 2;
const log = (msg) => process.stderr.write(`${msg}\n`);

// ---- runtimes ----------------------------------------------------------------------------
/** @type {Record<string, { exec: string, version: string } | { error: string }>} */
const runtimes = { node20: { exec: process.execPath, version: process.version } };
if (!noNode24) {
  log("[bench] locating Node 24 (npx -y node@24)…");
  const r = spawnSync("npx", ["-y", "node@24", "-p", "process.execPath + ' ' + process.version"], {
    encoding: "utf8",
    timeout: 180_000,
  });
  const out = (r.stdout ?? "").trim().split("\n").pop() ?? "";
  const [exec, version] = out.split(" ");
  if (r.status === 0 && version?.startsWith("v24")) runtimes.node24 = { exec, version };
  else runtimes.node24 = { error: `npx -y node@24 failed: ${(r.stderr || r.error?.message || "").trim().slice(0, 200)}` };
} else {
  runtimes.node24 = { error: quick ? "skipped in --quick mode" : "skipped (--no-node24)" };
}

// ---- measuring ---------------------------------------------------------------------------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function runChild(exec, flags, file, variant, n, reps, warmup, warmupN) {
  const argv = [...BASE_FLAGS, ...flags, join(benchDir, "child.mjs"), file, variant, n, reps, warmup, warmupN].map(String);
  // A hung case (a leaked handle keeps its process alive) must fail, not stall the whole run.
  const r = spawnSync(exec, argv, { cwd: benchDir, encoding: "utf8", timeout: quick ? 60_000 : 300_000, killSignal: "SIGKILL", maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    const why = (r.error?.code === "ETIMEDOUT" ? `timed out (the process did not exit)` : r.stderr || r.error?.message || `exit ${r.status} ${r.signal ?? ""}`).trim().split("\n").slice(-3).join(" | ");
    throw new Error(why);
  }
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

function measure(row, variant, runtime, flags) {
  const n = quick ? (variant.quickN ?? row.quickN) : (variant.n ?? row.n);
  const warmup = variant.warmup ?? WARMUP;
  const exec = runtimes[runtime].exec;
  if (row.freshProcessPerRep) {
    // RSS never shrinks back inside one process: one measured rep per process, after a
    // small warm-up that compiles the code without growing the heap much.
    const samples = [];
    let info;
    for (let i = 0, reps = quick ? 1 : REPS; i < reps; i++) {
      info = runChild(exec, flags, row.file, variant.name, n, 1, 1, Math.max(50, Math.round(n / 100)));
      samples.push(...info.samples);
    }
    return { n, samples, node: info.node };
  }
  const info = runChild(exec, flags, row.file, variant.name, n, REPS, warmup, n);
  return { n, samples: info.samples, node: info.node };
}

/** Per-op value of a result: ns per op for timed rows, the value itself otherwise. */
function perOp(row, res, x) {
  return row.metric === "value" ? x : (x * 1e6) / res.n;
}

const started = new Date();
const loadStart = loadavg();
const groups = [];
let failures = 0;

for (const row of ROWS) {
  if (only && !only.includes(row.id)) continue;
  for (const runtime of row.runtimes) {
    if ("error" in runtimes[runtime]) {
      groups.push({ row: row.id, runtime, flags: null, skipped: runtimes[runtime].error });
      continue;
    }
    // --quick checks that every case runs; one flag set is enough for that.
    for (const flagSet of quick ? row.flagSets.slice(0, 1) : row.flagSets) {
      const flags = FLAG_SETS[flagSet];
      const group = { row: row.id, title: row.title, unit: row.unit, runtime, node: runtimes[runtime].version, flags: flagSet, v8Flags: [...BASE_FLAGS, ...flags], load1: loadavg()[0], variants: {} };
      // Rows whose floor itself varies a lot from one process to the next run each variant in
      // several processes, taking turns (floor, ours, floor, ours…), and pool their samples:
      // a slow or fast process, or load that drifts during the row, then weighs on every
      // variant alike instead of on whichever ran at the time.
      const rounds = quick ? 1 : (row.processes ?? 1);
      const pooled = new Map();
      for (let round = 0; round < rounds; round++) {
        for (const variant of row.variants) {
          if (variant.runtimes && !variant.runtimes.includes(runtime)) continue;
          if (group.variants[variant.name]?.error !== undefined) continue;
          const label = `${row.id} [${runtime} ${flagSet}] ${variant.name}${rounds > 1 ? ` (process ${round + 1}/${rounds})` : ""}`;
          const t0 = Date.now();
          try {
            const res = measure(row, variant, runtime, flags);
            const values = res.samples.map((x) => perOp(row, res, x));
            const all = [...(pooled.get(variant.name) ?? []), ...values];
            pooled.set(variant.name, all);
            const entry = { label: variant.label, role: variant.role, n: res.n, reps: all.length, processes: round + 1, median: median(all), min: Math.min(...all), max: Math.max(...all), samples: all };
            if (!(Number.isFinite(entry.median) && (row.metric === "value" || entry.median > 0))) throw new Error(`insane value ${entry.median}`);
            group.variants[variant.name] = entry;
            log(`[bench] ${label}: ${fmt(median(values))} ${row.unit} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
          } catch (err) {
            failures++;
            group.variants[variant.name] = { label: variant.label, role: variant.role, error: String(err.message ?? err) };
            log(`[bench] ${label}: FAILED ${err.message ?? err}`);
          }
        }
      }
      groups.push(group);
    }
  }
}

// ---- ratios and goals --------------------------------------------------------------------
function api(group) {
  const get = (name) => {
    const v = group.variants[name];
    if (v === undefined || v.error !== undefined) throw new Error(`no result for ${name}`);
    return v.median;
  };
  return { metric: get, throughput: (name) => 1e9 / get(name) };
}

const goals = [];
for (const row of ROWS) {
  if (only && !only.includes(row.id)) continue;
  const floor = row.variants.find((v) => v.role === "floor");
  for (const group of groups.filter((g) => g.row === row.id && g.variants)) {
    const primary = row.variants.find((v) => v.role === "ours" && group.variants[v.name]?.median !== undefined);
    for (const [name, v] of Object.entries(group.variants)) {
      if (v.median === undefined) continue;
      const floorV = row.variants.find((x) => x.role === "floor" && group.variants[x.name]?.median !== undefined && sameKind(x.name, name));
      if (floorV && floorV.name !== name && group.variants[floorV.name].median > 0) v.xFloor = v.median / group.variants[floorV.name].median;
      if (v.role === "peer" && primary) {
        const against = row.variants.find((x) => x.name === name)?.compareWith;
        const oursName = against !== undefined && group.variants[against]?.median !== undefined ? against : (sameKindOurs(row, group, name) ?? primary.name);
        v.oursFaster = v.median / group.variants[oursName].median;
        v.comparedWith = oursName;
      }
    }
    void floor;
  }
  for (const goal of row.goals) {
    const group = groups.find(
      (g) => g.row === row.id && g.runtime === (goal.runtime ?? "node20") && (g.skipped !== undefined || g.flags === (goal.flags ?? row.flagSets[0])),
    );
    const entry = { row: row.id, goal: goal.text, runtime: goal.runtime ?? "node20", flags: goal.flags ?? row.flagSets[0] };
    if (group === undefined || group.skipped) entry.status = `not run (${group?.skipped ?? (quick ? "--quick runs one flag set" : "no group")})`;
    else {
      try {
        const r = goal.check(api(group));
        Object.assign(entry, { measured: r.shown, value: r.value, status: quick ? "smoke only" : r.met ? "met" : "MISSED" });
      } catch (err) {
        entry.status = `not measured (${err.message})`;
      }
    }
    goals.push(entry);
  }
}

/** The memory row pairs RSS variants with the RSS floor and heap variants with the heap floor. */
function sameKind(a, b) {
  return a.endsWith("Heap") === b.endsWith("Heap");
}
function sameKindOurs(row, group, peerName) {
  if (row.id !== "memory") return undefined;
  return peerName.endsWith("Heap") ? "oursHeap" : "ours";
}

// ---- bundle sizes ------------------------------------------------------------------------
const bundles = [];
for (const name of Object.keys(FIXTURES)) {
  try {
    const r = await bundleFixture(name, { from: "dist" });
    bundles.push({ fixture: name, what: FIXTURES[name].what, minBytes: r.minBytes, gzipBytes: r.gzipBytes, budget: r.budget, nodeImports: nodeImports(r.text) });
  } catch (err) {
    failures++;
    bundles.push({ fixture: name, error: String(err.message ?? err) });
  }
}

// ---- output ------------------------------------------------------------------------------
const loadEnd = loadavg();
function fmt(x) {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString("en-US");
  return x.toFixed(Math.abs(x) >= 10 ? 1 : 2);
}

const lines = [];
lines.push(`# anyio-ts benchmarks${quick ? " (quick smoke run: sizes too small for conclusions)" : ""}`);
lines.push("");
lines.push(`- date: ${started.toISOString()}; machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`);
lines.push(`- Node: ${Object.entries(runtimes).map(([k, v]) => `${k} = ${"error" in v ? `unavailable (${v.error})` : v.version}`).join("; ")}`);
lines.push(`- V8 flags: always \`${BASE_FLAGS.join(" ")}\`; flag sets: ${Object.entries(FLAG_SETS).map(([k, v]) => `\`${k}\` = \`${v.join(" ") || "(none)"}\``).join(", ")}. Ratios are only taken inside one flag set and one runtime.`);
lines.push(`- ${REPS} timed repetitions after ${WARMUP} warm-up(s) per variant (Effection: 1 warm-up), each variant in its own process (rows marked so: 3 processes per variant, taking turns, pooled); median, [min–max].`);
lines.push(`- load average (1/5/15 min): start ${loadStart.map((x) => x.toFixed(2)).join(" / ")}, end ${loadEnd.map((x) => x.toFixed(2)).join(" / ")}`);
lines.push("- `× floor` = this variant's median ÷ the floor's median (lower is better). `ours is k× faster` = the peer's median ÷ ours (higher is better).");
lines.push("");
for (const row of ROWS) {
  if (only && !only.includes(row.id)) continue;
  lines.push(`## ${row.title}`);
  if (row.note) lines.push(`\n${row.note}`);
  lines.push("");
  for (const group of groups.filter((g) => g.row === row.id)) {
    if (group.skipped) {
      lines.push(`**${group.runtime}**: not run — ${group.skipped}`, "");
      continue;
    }
    lines.push(`**${group.runtime} (${group.node}), flags \`${group.flags}\`** (load ${group.load1.toFixed(2)})`, "");
    const tp = row.unit === "ns/item" || row.throughputBytes !== undefined;
    const tpHead = row.throughputBytes !== undefined ? "MB/s" : "items/s";
    const tpCell = (v) => (row.throughputBytes !== undefined ? `${((1e9 / v.median) * row.throughputBytes / 1e6).toFixed(0)}` : `${(1e9 / v.median / 1e6).toFixed(2)} M`);
    lines.push(`| variant | N | median ${row.unit} | min–max | × floor | ours is k× faster${tp ? ` | ${tpHead}` : ""} |`);
    lines.push(`|---|---:|---:|---:|---:|---:|${tp ? "---:|" : ""}`);
    for (const [name, v] of Object.entries(group.variants)) {
      if (v.error) {
        lines.push(`| ${v.label} | | FAILED: ${v.error.replaceAll("|", "/")} | | | |${tp ? " |" : ""}`);
        continue;
      }
      const label = v.role === "ours" ? `**${v.label}**` : v.label;
      lines.push(
        `| ${label} | ${v.n.toLocaleString("en-US")} | ${fmt(v.median)} | ${fmt(v.min)}–${fmt(v.max)} | ${v.xFloor === undefined ? "—" : `${v.xFloor.toFixed(2)}×`} | ${v.oursFaster === undefined ? "" : `${v.oursFaster.toFixed(1)}×${v.comparedWith && v.comparedWith !== row.variants.find((x) => x.role === "ours").name ? ` (vs ${v.comparedWith})` : ""}`} |${tp ? ` ${tpCell(v)} |` : ""}`,
      );
      void name;
    }
    lines.push("");
  }
}
lines.push("## Goals (issue 7)", "");
lines.push("| row | goal | runtime | flags | measured | status |", "|---|---|---|---|---:|---|");
for (const g of goals) lines.push(`| ${g.row} | ${g.goal} | ${g.runtime} | ${g.flags} | ${g.measured ?? ""} | ${g.status} |`);
lines.push("", "## Bundle size (esbuild --minify --platform=browser --format=esm, gzip -9, built dist)", "");
lines.push("| fixture | contents | min bytes | gzip bytes | budget | status | node: imports |", "|---|---|---:|---:|---:|---|---|");
for (const b of bundles) {
  if (b.error) {
    lines.push(`| ${b.fixture} | FAILED: ${b.error} | | | | | |`);
    continue;
  }
  const status = b.budget === null ? "(reference)" : b.gzipBytes <= b.budget ? "met" : `MISSED by ${b.gzipBytes - b.budget} B`;
  lines.push(`| ${b.fixture} | ${b.what} | ${b.minBytes.toLocaleString("en-US")} | ${b.gzipBytes.toLocaleString("en-US")} | ${b.budget ?? "—"} | ${status} | ${b.nodeImports.join(", ") || "none"} |`);
}
const markdown = `${lines.join("\n")}\n`;
process.stdout.write(markdown);

const summary = {
  date: started.toISOString(),
  quick,
  machine: { cpus: cpus().length, model: cpus()[0]?.model },
  runtimes,
  baseFlags: BASE_FLAGS,
  flagSets: FLAG_SETS,
  reps: REPS,
  warmup: WARMUP,
  load: { start: loadStart, end: loadEnd },
  groups,
  goals,
  bundles,
};
mkdirSync(join(benchDir, "results"), { recursive: true });
const out = outArg ?? join(benchDir, "results", quick ? "quick.json" : only ? "partial.json" : "latest.json");
writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
if (!quick && !only && !outArg) writeFileSync(join(benchDir, "RESULTS.md"), markdown);
log(`[bench] wrote ${out}${!quick && !only && !outArg ? " and RESULTS.md" : ""}`);
if (failures > 0) {
  log(`[bench] ${failures} case(s) failed`);
  process.exitCode = 1;
}

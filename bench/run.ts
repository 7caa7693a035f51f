/**
 * The benchmark runner:
 *
 *   npm run bench [-- scenario...] [--smoke] [--out dir]
 *
 * Starts the services as real processes in each scenario's configuration (PostgreSQL, a throw-away
 * database per service, when BENCH_DATABASE_URL is set, else PGlite), warms up, measures with ghz
 * when on PATH, else h2load, else the Node generator (BENCH_GENERATOR forces one), writes
 * `<out>/<scenario>.json` (ghz summary shape) and SVG charts, then regenerates RESULTS.md from
 * every result in `<out>`. BENCH_SMOKE=1 or --smoke: a few seconds per scenario. Progress on stderr.
 */
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createBenchContext } from "./bench-context.js";
import { chooseGenerator } from "./load/generator.js";
import { recordMachine } from "./system/machine.js";
import { writeReport } from "./report/write-report.js";
import { writeScenarioResult } from "./report/result-file.js";
import { scenarios } from "./scenarios/index.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { smoke: { type: "boolean", default: false }, out: { type: "string" } },
});
const unknown = positionals.filter((name) => !scenarios.some((scenario) => scenario.name === name));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown scenario ${unknown.join(", ")}; known: ${scenarios.map((scenario) => scenario.name).join(", ")}\n`,
  );
  process.exit(2);
}
const selected =
  positionals.length === 0 ? scenarios : scenarios.filter((scenario) => positionals.includes(scenario.name));
const outDir = values.out ?? process.env.BENCH_OUT_DIR ?? fileURLToPath(new URL("./results", import.meta.url));
const options = {
  smoke: values.smoke || process.env.BENCH_SMOKE === "1",
  generator: chooseGenerator(process.env.BENCH_GENERATOR),
  databaseUrl: process.env.BENCH_DATABASE_URL || undefined,
  outDir,
};
await mkdir(outDir, { recursive: true });
process.stderr.write(
  `[bench] ${selected.length} scenario(s), generator ${options.generator}, ${options.databaseUrl === undefined ? "PGlite" : "PostgreSQL"}${options.smoke ? ", smoke" : ""} → ${outDir}\n`,
);
let failed = 0;
for (const scenario of selected) {
  const context = createBenchContext(options, scenario.name);
  const machine = recordMachine();
  try {
    const result = await scenario.run(context);
    await context.close();
    const finished = machine.finish();
    await writeScenarioResult(outDir, result, finished, options);
    const steal = finished.stealShare === undefined ? "" : ` (CPU stolen ${(finished.stealShare * 100).toFixed(1)} %)`;
    context.progress(
      `done${steal}: ${Object.entries(result.ratios)
        .map(([key, value]) => `${key}=${value.toFixed(2)}`)
        .join(" ")}`,
    );
  } catch (error: unknown) {
    failed++;
    context.progress(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await context.close();
  }
}
await writeReport(outDir);
process.stderr.write(`[bench] done; ${failed} scenario(s) failed; report in ${outDir}\n`);
process.exitCode = failed > 0 ? 1 : 0;

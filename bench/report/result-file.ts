import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BenchOptions } from "../bench-context.js";
import { percentileMs } from "../load/load-report.js";
import type { MachineInfo } from "../system/machine.js";
import type { ScenarioResult } from "../scenario.js";
import { barChartSvg } from "./svg-chart.js";

/** The JSON file of one scenario: its primary run's ghz summary at the top level, then the rest. */
export type ResultFile = ScenarioResult["primary"] &
  Omit<ScenarioResult, "primary"> & {
    machine: MachineInfo;
    settings: { generator: string; database: string; smoke: boolean };
    charts: string[];
  };

/** Writes `<scenario>.json` and its two SVG charts (latency percentiles, throughput) into `outDir`. */
export async function writeScenarioResult(
  outDir: string,
  result: ScenarioResult,
  machine: MachineInfo,
  options: BenchOptions,
): Promise<void> {
  const charts = [`${result.scenario}-latency.svg`, `${result.scenario}-throughput.svg`];
  const { primary, ...rest } = result;
  const file: ResultFile = {
    ...primary,
    ...rest,
    machine,
    settings: {
      generator: options.generator,
      database: options.databaseUrl === undefined ? "PGlite" : "PostgreSQL",
      smoke: options.smoke,
    },
    charts,
  };
  await writeFile(join(outDir, `${result.scenario}.json`), `${JSON.stringify(file, null, 2)}\n`);
  const latency = barChartSvg({
    title: `${result.title}: latency percentiles`,
    unit: "ms",
    series: ["p50", "p95", "p99"],
    groups: result.runs.map((run) => ({ label: run.name, values: [50, 95, 99].map((p) => percentileMs(run, p)) })),
  });
  const throughput = barChartSvg({
    title: `${result.title}: throughput per configuration`,
    unit: "req/s",
    series: ["completed calls/s"],
    groups: result.runs.map((run) => ({ label: run.name, values: [run.rps] })),
  });
  await writeFile(join(outDir, charts[0]!), latency);
  await writeFile(join(outDir, charts[1]!), throughput);
}

/** Every result file in `outDir`, by scenario name. */
export async function readResultFiles(outDir: string): Promise<Map<string, ResultFile>> {
  const files = new Map<string, ResultFile>();
  for (const name of (await readdir(outDir)).filter((entry) => entry.endsWith(".json")).sort()) {
    const file = JSON.parse(await readFile(join(outDir, name), "utf8")) as ResultFile;
    if (typeof file.scenario === "string") files.set(file.scenario, file);
  }
  return files;
}

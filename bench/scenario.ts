import { create, type DescMethod, type MessageInitShape, toBinary, toJson } from "@bufbuild/protobuf";
import type { BenchContext } from "./bench-context.js";
import type { BenchProcess } from "./system/launch.js";
import { failedCalls, type GeneratorName, type GhzSummary, percentileMs } from "./load/load-report.js";
import { measureLoad } from "./load/measure.js";
import type { ProcessUsage } from "./system/service-metrics.js";

/** A table of RESULTS.md: a header row and rows of cells. */
export interface ResultTable {
  columns: string[];
  rows: (string | number)[][];
}

/** What one scenario measured, written as `bench/results/<scenario>.json`. */
export interface ScenarioResult {
  scenario: string;
  title: string;
  /** What the scenario shows, one paragraph for RESULTS.md. */
  description: string;
  /** The run whose summary is the top level of the JSON file (ghz shape). */
  primary: GhzSummary;
  runs: GhzSummary[];
  /** The scenario's key figures, measured in the same run (e.g. `fightToEchoRps`). */
  ratios: Record<string, number>;
  /** Each service process's RSS and CPU seconds at the end of the scenario. */
  services: Record<string, ProcessUsage>;
  /** Upstream calls (data services' grpc_server_handled_total) per configuration, where relevant. */
  upstreamCalls?: Record<string, { calls: number; perFight: number }>;
  table: ResultTable;
  notes: string[];
  /** Parts not measured in this run, with the reason. */
  skipped: string[];
}

/** A benchmark scenario. */
export interface Scenario {
  name: string;
  run(context: BenchContext): Promise<ScenarioResult>;
}

/** The load shape of one measured run. */
export interface LoadShape {
  durationMs: number;
  connections?: number;
  concurrency?: number;
  rps?: number;
  timeoutMs?: number;
  /** Overrides the run's load generator. */
  generator?: GeneratorName;
}

/** Measures `method` of `target` under `shape`, with status codes checked against its metrics. */
export async function measureCall<M extends DescMethod>(
  context: BenchContext,
  name: string,
  target: BenchProcess,
  method: M,
  request: MessageInitShape<M["input"]>,
  shape: LoadShape,
): Promise<GhzSummary> {
  const message = create(method.input, request);
  const summary = await measureLoad(
    shape.generator ?? context.generator,
    {
      name,
      host: "127.0.0.1",
      port: target.grpcPort,
      path: `/${method.parent.typeName}/${method.name}`,
      request: toBinary(method.input, message),
      requestJson: toJson(method.input, message) as Record<string, unknown>,
      durationMs: shape.durationMs,
      connections: shape.connections ?? 4,
      concurrency: shape.concurrency ?? 64,
      rps: shape.rps,
      timeoutMs: shape.timeoutMs ?? 10_000,
    },
    { adminPort: target.adminPort, labels: { service: method.parent.typeName, method: method.name } },
  );
  context.progress(`${describeRun(summary)}`);
  return summary;
}

/** One line about a run: calls, rps, p50/p99, failures. */
export function describeRun(summary: GhzSummary): string {
  const codes = Object.entries(summary.statusCodeDistribution)
    .map(([code, count]) => `${code}=${count}`)
    .join(" ");
  return `${summary.name}: ${summary.count} calls, ${Math.round(summary.rps)} req/s, p50 ${percentileMs(summary, 50).toFixed(2)} ms, p99 ${percentileMs(summary, 99).toFixed(2)} ms, failed ${failedCalls(summary)} [${codes}]`;
}

/** RSS and CPU of each process, by name. */
export async function usageOf(processes: readonly BenchProcess[]): Promise<Record<string, ProcessUsage>> {
  const entries = await Promise.all(processes.map(async (process) => [process.name, await process.usage()] as const));
  return Object.fromEntries(entries);
}

/** The low median of numbers (of two rounds, the smaller figure; NaN for none). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : (sorted[Math.floor((sorted.length - 1) / 2)] as number);
}

/** Milliseconds with two decimals, for tables. */
export function ms(value: number): string {
  return value.toFixed(2);
}

/** A row of the usual run table: name, calls, req/s, p50, p95, p99, failed. */
export function runRow(summary: GhzSummary): (string | number)[] {
  return [
    summary.name,
    summary.count,
    Math.round(summary.rps),
    ms(percentileMs(summary, 50)),
    ms(percentileMs(summary, 95)),
    ms(percentileMs(summary, 99)),
    failedCalls(summary),
  ];
}

/** Columns matching `runRow`. */
export const runColumns = ["run", "calls", "req/s", "p50 ms", "p95 ms", "p99 ms", "failed"];

/** Percentiles every summary reports, as ghz does (`latencyDistribution`). */
export const reportedPercentiles = [10, 25, 50, 75, 90, 95, 99] as const;

/** Which load generator produced a summary. */
export type GeneratorName = "ghz" | "h2load" | "node";

/**
 * One load run in ghz's JSON summary shape (`ghz --format json`): durations in nanoseconds,
 * `rps` completed calls per second, status codes by name (OK, RESOURCE_EXHAUSTED, ...).
 */
export interface GhzSummary {
  name: string;
  date: string;
  generator: GeneratorName;
  count: number;
  total: number;
  average: number;
  fastest: number;
  slowest: number;
  rps: number;
  latencyDistribution: { percentage: number; latency: number }[];
  statusCodeDistribution: Record<string, number>;
  errorDistribution: Record<string, number>;
  /** How the status codes were established (h2load sees HTTP status only). */
  verification?: Verification;
}

/** The cross-checks of a run's status codes. */
export interface Verification {
  /** Where `statusCodeDistribution` comes from. */
  source: "load generator" | "server grpc_server_handled_total delta";
  /** Calls the generator started and completed (h2load: `started`, `done`). */
  generatorStarted: number;
  generatorCompleted: number;
  /** Delta of the server's handled counter by code over the run, sample calls included. */
  serverHandled: Record<string, number>;
  /** Calls in flight when the generator stopped, reset by it (server code CANCELLED); not in the distribution. */
  cancelledAtEnd: number;
  /** Real grpc-js calls made alongside the load and their codes. */
  sample: { calls: number; codes: Record<string, number>; p50Ms: number };
}

/** What a generator measured before verification: per-call latencies (ms) and, when known, codes. */
export interface RawRun {
  generator: GeneratorName;
  elapsedMs: number;
  latenciesMs: number[];
  started: number;
  /** Status code counts, when the generator sees them (ghz, node); undefined for h2load. */
  codes?: Record<string, number>;
  /** Transport-level failures (h2load: non-2xx, errored, timed out). */
  errors: Record<string, number>;
}

/** The ghz-shaped summary of latencies (ms) measured over `elapsedMs`. */
export function summarize(
  name: string,
  run: RawRun,
  codes: Record<string, number>,
  errors: Record<string, number>,
): GhzSummary {
  const sorted = [...run.latenciesMs].sort((a, b) => a - b);
  const ns = (ms: number) => Math.round(ms * 1e6);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    name,
    date: new Date().toISOString(),
    generator: run.generator,
    count: sorted.length,
    total: ns(run.elapsedMs),
    average: sorted.length === 0 ? 0 : ns(sum / sorted.length),
    fastest: ns(sorted[0] ?? 0),
    slowest: ns(sorted.at(-1) ?? 0),
    rps: run.elapsedMs > 0 ? sorted.length / (run.elapsedMs / 1000) : 0,
    latencyDistribution: reportedPercentiles.map((percentage) => ({ percentage, latency: ns(at(percentage)) })),
    statusCodeDistribution: codes,
    errorDistribution: errors,
  };
}

/** Latency at `percentage` of a summary, in ms (NaN when not reported). */
export function percentileMs(summary: GhzSummary, percentage: number): number {
  const entry = summary.latencyDistribution.find((item) => item.percentage === percentage);
  return entry === undefined ? Number.NaN : entry.latency / 1e6;
}

/** Calls that did not end OK, by the summary's own status codes. */
export function failedCalls(summary: GhzSummary): number {
  return Object.entries(summary.statusCodeDistribution).reduce(
    (total, [code, count]) => (code === "OK" ? total : total + count),
    0,
  );
}

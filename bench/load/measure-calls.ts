/** Latency and throughput of one measured call. */
export interface CallStats {
  calls: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  callsPerSecond: number;
}

/** Options of `measureCalls`. */
export interface MeasureOptions {
  /** How long to keep calling, ms. */
  durationMs: number;
  /** Callers running at once, each calling again as soon as its call ends. */
  callers: number;
}

/**
 * Calls `call` from `callers` concurrent loops for `durationMs` and reports latency
 * percentiles (of successful calls) and completed calls per second.
 */
export async function measureCalls(call: () => Promise<unknown>, options: MeasureOptions): Promise<CallStats> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const end = started + options.durationMs;
  const loop = async () => {
    while (performance.now() < end) {
      const before = performance.now();
      try {
        await call();
        latencies.push(performance.now() - before);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.callers }, loop));
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
  return {
    calls: latencies.length,
    errors,
    p50Ms: percentile(50),
    p99Ms: percentile(99),
    callsPerSecond: latencies.length / elapsedSeconds,
  };
}

/** Per-figure medians of several measurements of the same call; undefined for none. */
export function medianStats(samples: readonly CallStats[]): CallStats | undefined {
  if (samples.length === 0) return undefined;
  const median = (pick: (stats: CallStats) => number) => {
    const sorted = samples.map(pick).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] as number;
  };
  return {
    calls: median((s) => s.calls),
    errors: median((s) => s.errors),
    p50Ms: median((s) => s.p50Ms),
    p99Ms: median((s) => s.p99Ms),
    callsPerSecond: median((s) => s.callsPerSecond),
  };
}

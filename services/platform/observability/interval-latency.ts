/** Durations of one interval (e.g. one second), read and reset together. */
export interface IntervalLatency {
  record(durationMs: number): void;
  /** The interval's count and p50/p99 in ms (zeros when empty); starts the next interval. */
  take(): { count: number; p50: number; p99: number };
}

/**
 * Percentiles per interval, for live charts: unlike the rolling `LatencyWindow`, a change shows in
 * the very next interval and an old one never lingers. Keeps at most `maxSamples` durations per
 * interval (the first ones; the count stays exact).
 */
export function createIntervalLatency(maxSamples = 4096): IntervalLatency {
  let values: number[] = [];
  let count = 0;
  return {
    record(durationMs) {
      count += 1;
      if (values.length < maxSamples) values.push(durationMs);
    },
    take() {
      const sorted = values.sort((a, b) => a - b);
      const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
      const result = { count, p50: at(0.5), p99: at(0.99) };
      values = [];
      count = 0;
      return result;
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

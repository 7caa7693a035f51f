/** Percentiles over the most recent N durations: cheap to record, sorted only when read. */
export interface LatencyWindow {
  record(durationMs: number): void;
  /** p50/p95/p99 in ms over the window; zeros when nothing was recorded. */
  percentiles(): { p50: number; p95: number; p99: number };
}

/** A ring buffer of the last `size` durations (default 2048). */
export function createLatencyWindow(size = 2048): LatencyWindow {
  const values = new Float64Array(size);
  let count = 0;
  return {
    record(durationMs) {
      values[count % size] = durationMs;
      count += 1;
    },
    percentiles() {
      const filled = Math.min(count, size);
      if (filled === 0) return { p50: 0, p95: 0, p99: 0 };
      const sorted = values.slice(0, filled).sort();
      const at = (q: number) => round(sorted[Math.min(filled - 1, Math.floor(q * filled))] ?? 0);
      return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

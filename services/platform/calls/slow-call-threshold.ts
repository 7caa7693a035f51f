import { createLatencyWindow } from "../observability/latency-window.js";

/** Options of `createSlowCallThreshold`. All durations in milliseconds. */
export interface SlowCallThresholdOptions {
  /** A success slower than `factor` × the upstream's rolling p99 is slow. */
  factor: number;
  /** Never below this: a fast upstream's p99 jitters by milliseconds that mean nothing. */
  floorMs: number;
  /** Never above this (`FIGHTS_BREAKER_SLOW_CALL_MS`): an upstream that slows down for good cannot make its own slowness normal past it. */
  ceilingMs: number;
  /** Successes the p99 is taken over. Default 1024. */
  samples?: number;
  /** Shortest time between two recomputations of the p99 (sorting on every call would cost more than the call). Default 1000. */
  refreshMs?: number;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
}

/** The slow-call threshold of one upstream, adapted to its own latency. */
export interface SlowCallThreshold {
  /** Records the duration of a success that reached the upstream. */
  record(durationMs: number): void;
  /** The threshold now: clamp(factor × p99, floorMs, ceilingMs); the ceiling before any sample. */
  currentMs(): number;
}

/**
 * A breaker counts slow successes against its upstream; what is slow depends on the upstream: a
 * 40 ms answer is alarming from a 2 ms service and normal from a 30 ms one. So the threshold
 * follows the upstream's own rolling p99, between a floor and a ceiling.
 */
export function createSlowCallThreshold(options: SlowCallThresholdOptions): SlowCallThreshold {
  const now = options.now ?? Date.now;
  const refreshMs = options.refreshMs ?? 1000;
  const window = createLatencyWindow(options.samples ?? 1024);
  let recorded = 0;
  let threshold = options.ceilingMs;
  let computedAt = -Infinity;
  return {
    record(durationMs) {
      window.record(durationMs);
      recorded += 1;
    },
    currentMs() {
      if (recorded === 0) return options.ceilingMs;
      if (now() - computedAt >= refreshMs) {
        computedAt = now();
        const adaptive = options.factor * window.percentiles().p99;
        threshold = Math.min(options.ceilingMs, Math.max(options.floorMs, adaptive));
      }
      return threshold;
    },
  };
}

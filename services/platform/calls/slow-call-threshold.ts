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
  /**
   * Successes needed before the p99 is used; until then the threshold is the ceiling. Default 100:
   * the p99 of fewer calls is about their slowest, and the first calls after a start are the
   * slowest there are (connections opened, code not yet optimised).
   */
  minSamples?: number;
  /** Shortest time between two recomputations of the p99 (sorting on every call would cost more than the call). Default 1000. */
  refreshMs?: number;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
}

/** The slow-call threshold of one upstream, adapted to its own latency. */
export interface SlowCallThreshold {
  /** Records the duration of a success that reached the upstream. */
  record(durationMs: number): void;
  /** The threshold now: clamp(factor × p99, floorMs, ceilingMs); the ceiling before `minSamples` successes. */
  currentMs(): number;
}

/**
 * A breaker counts slow successes against its upstream; what is slow depends on the upstream: a
 * 40 ms answer is alarming from a 2 ms service and normal from a 30 ms one. So the threshold
 * follows the upstream's own rolling p99, between a floor and a ceiling, once there is a p99 to
 * follow. Measured before this rule (`FIGHTS_FIGHTER_SOURCE=direct`, 64 callers the moment the
 * services were up): the threshold came from the first success alone (3 × its time, so the
 * 50 ms floor), the next calls of the cold start took 70–300 ms, and heroes' breaker opened
 * within ~0.2 s on "slow" calls (50–85 % over 20–28 calls) in two runs of two, with fights serving
 * the fallback hero for the next 2 s; in the bench's `coalesce` warm-up heroes' and villains'
 * breakers both opened and 3,010 of 3,025 fights answered UNAVAILABLE.
 */
export function createSlowCallThreshold(options: SlowCallThresholdOptions): SlowCallThreshold {
  const now = options.now ?? Date.now;
  const refreshMs = options.refreshMs ?? 1000;
  const window = createLatencyWindow(options.samples ?? 1024);
  const minSamples = options.minSamples ?? 100;
  let recorded = 0;
  let threshold = options.ceilingMs;
  let computedAt = -Infinity;
  return {
    record(durationMs) {
      window.record(durationMs);
      recorded += 1;
    },
    currentMs() {
      if (recorded < minSamples) return options.ceilingMs;
      if (now() - computedAt >= refreshMs) {
        computedAt = now();
        const adaptive = options.factor * window.percentiles().p99;
        threshold = Math.min(options.ceilingMs, Math.max(options.floorMs, adaptive));
      }
      return threshold;
    },
  };
}

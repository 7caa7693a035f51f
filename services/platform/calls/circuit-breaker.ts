/**
 * A circuit breaker over a rolling time window of weighted failures. Protocol-free: callers
 * report outcomes as a weight (see breaker-interceptor.ts for the gRPC weights).
 *
 * CLOSED: calls flow; the window sums failure weights. When the window holds at least
 * `minimumCalls` calls and a score of `failureThreshold`, the breaker trips.
 * OPEN: calls are refused until `openMs` has passed; each trip straight after a failed probe
 * multiplies the open time by `backoffMultiplier`, up to `maxOpenMs`.
 * HALF_OPEN: at most `halfOpenProbes` calls run at once; `successThreshold` successes close the
 * breaker (and reset the backoff), one failure opens it again.
 */

export type BreakerState = "CLOSED" | "OPEN" | "HALF_OPEN";

/** Options of `createCircuitBreaker`. All durations in milliseconds. */
export interface CircuitBreakerOptions {
  /** Length of the rolling window. Default 10000. */
  windowMs?: number;
  /** Buckets the window is kept in (resolution = windowMs / buckets). Default 10. */
  buckets?: number;
  /** Weighted failure score that trips the breaker. Default 5. */
  failureThreshold?: number;
  /** Calls the window must hold before it may trip. Default 5. */
  minimumCalls?: number;
  /** First open time. Default 2000. */
  openMs?: number;
  /** Longest open time after repeated trips. Default 30000. */
  maxOpenMs?: number;
  /** Open-time growth per consecutive trip. Default 2. */
  backoffMultiplier?: number;
  /** Probe calls allowed at once while HALF_OPEN. Default 2. */
  halfOpenProbes?: number;
  /** Probe successes that close the breaker. Default 2. */
  successThreshold?: number;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
  /** Called on every state change. */
  onTransition?: (from: BreakerState, to: BreakerState, reason: string) => void;
}

/** Permission for one call: report its outcome exactly once. */
export interface BreakerPermit {
  /** Reports the outcome: weight 0 is a success, anything above is a failure of that weight. */
  done(failureWeight: number): void;
}

/** A circuit breaker and its counters. */
export interface CircuitBreaker {
  /** A permit for one call, or undefined when the call must be refused now. */
  tryAcquire(): BreakerPermit | undefined;
  state(): BreakerState;
  /** Counters since start. */
  counts(): { calls: number; failures: number; rejections: number; trips: number };
  /** Calls and failure score in the current window. */
  window(): { calls: number; score: number };
}

interface Bucket {
  start: number;
  calls: number;
  score: number;
}

/** Creates a breaker in the CLOSED state. */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const o = {
    windowMs: 10_000,
    buckets: 10,
    failureThreshold: 5,
    minimumCalls: 5,
    openMs: 2_000,
    maxOpenMs: 30_000,
    backoffMultiplier: 2,
    halfOpenProbes: 2,
    successThreshold: 2,
    now: Date.now,
    ...options,
  };
  const bucketMs = o.windowMs / o.buckets;
  let buckets: Bucket[] = [];
  let state: BreakerState = "CLOSED";
  let openUntil = 0;
  let currentOpenMs = o.openMs;
  let probesInFlight = 0;
  let probeSuccesses = 0;
  const totals = { calls: 0, failures: 0, rejections: 0, trips: 0 };

  const transition = (to: BreakerState, reason: string) => {
    const from = state;
    state = to;
    o.onTransition?.(from, to, reason);
  };
  const trip = (reason: string, backoff: boolean) => {
    if (backoff) currentOpenMs = Math.min(currentOpenMs * o.backoffMultiplier, o.maxOpenMs);
    openUntil = o.now() + currentOpenMs;
    totals.trips += 1;
    transition("OPEN", `${reason}; open for ${currentOpenMs} ms`);
  };
  const liveBuckets = () => {
    const cutoff = o.now() - o.windowMs;
    buckets = buckets.filter((bucket) => bucket.start > cutoff);
    return buckets;
  };
  const windowTotals = () =>
    liveBuckets().reduce((sum, b) => ({ calls: sum.calls + b.calls, score: sum.score + b.score }), {
      calls: 0,
      score: 0,
    });
  const record = (weight: number) => {
    const now = o.now();
    let bucket = buckets.at(-1);
    if (bucket === undefined || now - bucket.start >= bucketMs) {
      bucket = { start: now, calls: 0, score: 0 };
      buckets.push(bucket);
    }
    bucket.calls += 1;
    bucket.score += weight;
  };

  const closedPermit: BreakerPermit = {
    done(weight) {
      totals.calls += 1;
      if (weight > 0) totals.failures += 1;
      if (state !== "CLOSED") return; // a call that started before a trip says nothing new
      record(weight);
      if (weight === 0) return;
      const { calls, score } = windowTotals();
      if (calls >= o.minimumCalls && score >= o.failureThreshold) {
        trip(`failure score ${score} in ${calls} calls within ${o.windowMs} ms`, false);
      }
    },
  };
  const probePermit = (): BreakerPermit => {
    let reported = false;
    return {
      done(weight) {
        if (reported) return;
        reported = true;
        probesInFlight -= 1;
        totals.calls += 1;
        if (weight > 0) totals.failures += 1;
        if (state !== "HALF_OPEN") return;
        if (weight > 0) return trip("probe failed", true);
        probeSuccesses += 1;
        if (probeSuccesses >= o.successThreshold) {
          buckets = [];
          currentOpenMs = o.openMs;
          transition("CLOSED", `${probeSuccesses} probes succeeded`);
        }
      },
    };
  };

  return {
    tryAcquire() {
      if (state === "OPEN" && o.now() >= openUntil) {
        probesInFlight = 0;
        probeSuccesses = 0;
        transition("HALF_OPEN", "open time elapsed");
      }
      if (state === "CLOSED") return closedPermit;
      if (state === "HALF_OPEN" && probesInFlight < o.halfOpenProbes) {
        probesInFlight += 1;
        return probePermit();
      }
      totals.rejections += 1;
      return undefined;
    },
    state: () => state,
    counts: () => ({ ...totals }),
    window: windowTotals,
  };
}

/**
 * A circuit breaker over a rolling time window of weighted outcomes. Protocol-free: callers
 * report each outcome as a weight (see breaker-interceptor.ts for the gRPC weights and for which
 * outcomes are nobody's fault), or abandon the permit when the call says nothing about the
 * upstream.
 *
 * CLOSED: calls flow; the window keeps calls and failure weights in buckets. The breaker trips on
 * a *rate*, never on a count: when the newest part of the window (the newest bucket, the newest
 * two, ... up to the whole window) holds at least `minimumCalls` calls and a weighted failure
 * rate (sum of weights / calls) of at least `failureRate`. Judging every newest part, not only
 * the whole window, lets a sudden outage trip within one bucket after a long healthy spell, while
 * a trickle of failures at a high call rate stays far below the rate.
 * OPEN: calls are refused. `upstreamServing()` (the upstream's health came back) or the open time
 * passing moves to HALF_OPEN; each trip straight after a failed probe multiplies the open time by
 * `backoffMultiplier`, up to `maxOpenMs`, so the timer only bounds probing of an upstream that
 * says nothing about its health. `upstreamDown(ms)` (its health says NOT_SERVING, or it cannot be
 * reached) keeps an OPEN breaker from probing for that long: a probe would only fail.
 * HALF_OPEN: at most `halfOpenProbes` calls run at once; `successThreshold` successes close the
 * breaker (and reset the backoff), one failure opens it again, an abandoned probe frees its slot.
 */

export type BreakerState = "CLOSED" | "OPEN" | "HALF_OPEN";

/** Options of `createCircuitBreaker`. All durations in milliseconds. */
export interface CircuitBreakerOptions {
  /** Length of the rolling window. Default 10000. */
  windowMs?: number;
  /** Buckets the window is kept in (resolution = windowMs / buckets). Default 10. */
  buckets?: number;
  /** Weighted failure rate (sum of weights / calls) that trips the breaker, > 0. Default 0.5. */
  failureRate?: number;
  /** Calls a part of the window must hold before its rate may trip the breaker. Default 20. */
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

/** Permission for one call: report its outcome, or abandon it, exactly once. */
export interface BreakerPermit {
  /** Reports the outcome: weight 0 is a success, anything above is a failure of that weight. */
  done(failureWeight: number): void;
  /** The call ended for a reason that is not the upstream's (its caller went away): not counted. */
  abandon(): void;
}

/** The last state change, for /stats. */
export interface BreakerTransition {
  from: BreakerState;
  to: BreakerState;
  reason: string;
  /** Epoch ms (the breaker's clock). */
  at: number;
}

/** What the window holds now: calls, failure weights and their rate. */
export interface BreakerWindow {
  calls: number;
  score: number;
  /** score / calls, 0 without calls. */
  rate: number;
}

/** A circuit breaker and its counters. */
export interface CircuitBreaker {
  /** A permit for one call, or undefined when the call must be refused now. */
  tryAcquire(): BreakerPermit | undefined;
  state(): BreakerState;
  /** The upstream reports itself healthy again: an OPEN breaker goes HALF_OPEN at once (with `reason`). */
  upstreamServing(reason?: string): void;
  /**
   * The upstream says it is not serving (or cannot be reached): an OPEN breaker stays OPEN for at
   * least `forMs` more, whatever its open timer says. Short holds, renewed while the upstream stays
   * down, so a watcher that stops watching cannot keep the breaker open for good.
   */
  upstreamDown(forMs: number): void;
  /** Counters since start (abandoned calls are in `calls` only through `abandoned`). */
  counts(): { calls: number; failures: number; abandoned: number; rejections: number; trips: number };
  /** Calls, failure score and rate over the whole window. */
  window(): BreakerWindow;
  /** The last state change; undefined while the breaker has never left CLOSED. */
  lastTransition(): BreakerTransition | undefined;
  /** The most recent state changes, oldest first (at most 8). */
  recentTransitions(): BreakerTransition[];
  /** The trip rule in force: rate, minimum volume, window. */
  rule(): { failureRate: number; minimumCalls: number; windowMs: number };
}

interface Bucket {
  start: number;
  calls: number;
  score: number;
}

const defaults = {
  windowMs: 10_000,
  buckets: 10,
  failureRate: 0.5,
  minimumCalls: 20,
  openMs: 2_000,
  maxOpenMs: 30_000,
  backoffMultiplier: 2,
  halfOpenProbes: 2,
  successThreshold: 2,
  now: Date.now,
};

/** Creates a breaker in the CLOSED state. */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const o = { ...defaults, ...options };
  const bucketMs = o.windowMs / o.buckets;
  let buckets: Bucket[] = [];
  let state: BreakerState = "CLOSED";
  let openUntil = 0;
  let currentOpenMs = o.openMs;
  let probesInFlight = 0;
  let probeSuccesses = 0;
  const recent: BreakerTransition[] = [];
  const totals = { calls: 0, failures: 0, abandoned: 0, rejections: 0, trips: 0 };

  const transition = (to: BreakerState, reason: string) => {
    const from = state;
    state = to;
    recent.push({ from, to, reason, at: o.now() });
    if (recent.length > 8) recent.shift();
    o.onTransition?.(from, to, reason);
  };
  const trip = (reason: string, backoff: boolean) => {
    if (backoff) currentOpenMs = Math.min(currentOpenMs * o.backoffMultiplier, o.maxOpenMs);
    openUntil = o.now() + currentOpenMs;
    totals.trips += 1;
    transition("OPEN", `${reason}; open for up to ${currentOpenMs} ms`);
  };
  const halfOpen = (reason: string) => {
    probesInFlight = 0;
    probeSuccesses = 0;
    transition("HALF_OPEN", reason);
  };
  const liveBuckets = () => {
    const cutoff = o.now() - o.windowMs;
    if (buckets.length > 0 && buckets[0]!.start <= cutoff) buckets = buckets.filter((b) => b.start > cutoff);
    return buckets;
  };
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
  /** The first newest part of the window whose rate trips the breaker, as a reason; else undefined. */
  const tripReason = (): string | undefined => {
    const live = liveBuckets();
    let calls = 0;
    let score = 0;
    for (let i = live.length - 1; i >= 0; i -= 1) {
      calls += live[i]!.calls;
      score += live[i]!.score;
      if (calls >= o.minimumCalls && score / calls >= o.failureRate) {
        const spanMs = Math.round(o.now() - live[i]!.start);
        return `weighted failure rate ${percent(score / calls)} over ${calls} calls in the last ${spanMs} ms (trips at ${percent(o.failureRate)}, ${o.minimumCalls} calls)`;
      }
    }
    return undefined;
  };

  const closedPermit: BreakerPermit = {
    done(weight) {
      totals.calls += 1;
      if (weight > 0) totals.failures += 1;
      if (state !== "CLOSED") return; // a call that started before a trip says nothing new
      record(weight);
      if (weight === 0) return;
      const reason = tripReason();
      if (reason !== undefined) trip(reason, false);
    },
    abandon() {
      totals.abandoned += 1;
    },
  };
  const probePermit = (): BreakerPermit => {
    let reported = false;
    const settle = () => {
      if (reported) return false;
      reported = true;
      probesInFlight -= 1;
      return true;
    };
    return {
      done(weight) {
        if (!settle()) return;
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
      abandon() {
        if (settle()) totals.abandoned += 1;
      },
    };
  };

  return {
    tryAcquire() {
      if (state === "OPEN" && o.now() >= openUntil) halfOpen(`open time (${currentOpenMs} ms) elapsed`);
      if (state === "CLOSED") return closedPermit;
      if (state === "HALF_OPEN" && probesInFlight < o.halfOpenProbes) {
        probesInFlight += 1;
        return probePermit();
      }
      totals.rejections += 1;
      return undefined;
    },
    state: () => state,
    upstreamServing(reason = "upstream reports SERVING") {
      if (state === "OPEN") halfOpen(reason);
    },
    upstreamDown(forMs) {
      if (state === "OPEN") openUntil = Math.max(openUntil, o.now() + forMs);
    },
    counts: () => ({ ...totals }),
    window() {
      let calls = 0;
      let score = 0;
      for (const bucket of liveBuckets()) {
        calls += bucket.calls;
        score += bucket.score;
      }
      return { calls, score, rate: calls === 0 ? 0 : score / calls };
    },
    lastTransition: () => {
      const last = recent.at(-1);
      return last === undefined ? undefined : { ...last };
    },
    recentTransitions: () => recent.map((transition) => ({ ...transition })),
    rule: () => ({ failureRate: o.failureRate, minimumCalls: o.minimumCalls, windowMs: o.windowMs }),
  };
}

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10} %`;
}

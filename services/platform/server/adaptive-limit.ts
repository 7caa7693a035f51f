/** Options of `createAdaptiveLimit`. Limits are calls in flight; times are ms. */
export interface AdaptiveLimitOptions {
  /** The limit before any window was measured. */
  initialLimit: number;
  /** The limit never goes below this, however slow calls get. */
  minLimit: number;
  /** The limit never goes above this (the static hard ceiling). */
  maxLimit: number;
  /** A window of samples closes after at least this long, ms (and `minWindowSamples`). Default 100. */
  windowMs?: number;
  /** Samples a window needs before it closes; fewer say nothing reliable. Default 10. */
  minWindowSamples?: number;
  /** Windows the baseline averages over (exponential average); larger is steadier and slower. Default 50. */
  baselineWindows?: number;
  /** Share of each new estimate taken into the limit, 0 to 1. Default 0.5. */
  smoothing?: number;
  /** A window with more refusals than this many times its samples does not lower the limit. Default 4. */
  refusalsPerSampleToHold?: number;
}

/** One finished call: how long it took and how many limited calls were in flight while it ran (the most seen). */
export interface LatencySample {
  rttMs: number;
  inFlight: number;
  /** When the call finished (any monotonic clock, ms). */
  nowMs: number;
}

/** What the limit follows, for metrics and `/stats`. Undefined until the first window closed. */
export interface AdaptiveLimitState {
  limit: number;
  /** Mean round-trip time of the last closed window, ms. */
  windowRttMs: number | undefined;
  /** The no-queue latency the windows are compared with, ms. */
  baselineRttMs: number | undefined;
  /** baseline ÷ window RTT, clamped to 0.5..1: 1 means no queue, lower means calls are waiting. */
  gradient: number | undefined;
  /** Windows closed so far. */
  windows: number;
}

/** A concurrency limit that follows measured latency. Protocol-free: feed it samples. */
export interface AdaptiveLimit {
  /** Calls that may be in flight now (whole number, minLimit..maxLimit). */
  limit(): number;
  onSample(sample: LatencySample): void;
  /** A call refused because the server was at its limit (counted in the current window). */
  onRefusal(): void;
  state(): AdaptiveLimitState;
}

/**
 * A gradient concurrency limit, after Netflix concurrency-limits' Gradient2 and Envoy's adaptive
 * concurrency filter. Samples are grouped in windows (≥ `windowMs` and ≥ `minWindowSamples`); at
 * the end of each window:
 *
 * - the window's mean RTT is compared with a baseline, a slow exponential average of the windows
 *   that queued nothing (see below; it drops fast when latency falls to less than half of it);
 * - gradient = clamp(baseline ÷ window RTT, 0.5, 1): latency above the baseline means calls queue
 *   somewhere, so the limit shrinks in proportion (at most halved by one estimate);
 * - new estimate = limit × gradient + √limit: the square root is the headroom that lets the limit
 *   grow while latency stays flat, and the small queue it tolerates;
 * - limit moves `smoothing` of the way to the estimate, within minLimit..maxLimit;
 * - when fewer than half the limit were in flight in the whole window, the callers, not the
 *   server, set the pace: latency says nothing about the limit, which stays where it is;
 * - when the window refused many more calls than it served, the limit does not go down: in Node a
 *   refusal costs about as much event-loop time as a cheap call, so under a flood the latency is
 *   the refusals' (every admitted call waits for them in the event loop), not the admitted calls'
 *   queue, and a lower limit would serve fewer without serving faster (measured: bench overload).
 */
export function createAdaptiveLimit(options: AdaptiveLimitOptions): AdaptiveLimit {
  const windowMs = options.windowMs ?? 100;
  const minWindowSamples = options.minWindowSamples ?? 10;
  const baselineWindows = options.baselineWindows ?? 50;
  const smoothing = options.smoothing ?? 0.5;
  const refusalsPerSampleToHold = options.refusalsPerSampleToHold ?? 4;
  let limit = clamp(options.initialLimit, options.minLimit, options.maxLimit);
  let window = emptyWindow();
  let windowRttMs: number | undefined;
  let baselineRttMs: number | undefined;
  let gradient: number | undefined;
  let windows = 0;

  const closeWindow = () => {
    // Floor of 1 µs: a window of calls faster than the clock's resolution still has a ratio.
    const rtt = Math.max(window.sumMs / window.count, 0.001);
    const maxInFlight = window.maxInFlight;
    const refusalBound = window.refused > refusalsPerSampleToHold * window.count;
    window = emptyWindow();
    windows += 1;
    windowRttMs = rtt;
    // The baseline learns only from windows that queued nothing of ours: the callers kept fewer
    // than half the limit in flight, or the limit is already at its floor (the least concurrency
    // we allow: its latency is the best there is, e.g. after a dependency got slower). Windows at
    // the limit would lift it with our own queue, and the limit would drift up under a long flood.
    const appLimited = maxInFlight < limit / 2;
    const atFloor = Math.floor(limit) <= options.minLimit;
    if (baselineRttMs === undefined) baselineRttMs = rtt;
    else if (appLimited || atFloor) baselineRttMs += (rtt - baselineRttMs) / baselineWindows;
    // Latency fell well below the baseline: the load that raised it is gone; catch up quickly.
    if (baselineRttMs / rtt > 2) baselineRttMs *= 0.9;
    gradient = clamp(baselineRttMs / rtt, 0.5, 1);
    if (appLimited || (refusalBound && gradient < 1)) return;
    const estimate = limit * gradient + Math.sqrt(limit);
    limit = clamp(limit + (estimate - limit) * smoothing, options.minLimit, options.maxLimit);
  };

  return {
    limit: () => Math.floor(limit),
    onSample(sample) {
      if (!(sample.rttMs >= 0)) return;
      if (window.count === 0) window.startMs = sample.nowMs;
      window.count += 1;
      window.sumMs += sample.rttMs;
      window.maxInFlight = Math.max(window.maxInFlight, sample.inFlight);
      if (window.count >= minWindowSamples && sample.nowMs - window.startMs >= windowMs) closeWindow();
    },
    onRefusal() {
      window.refused += 1;
    },
    state: () => ({ limit: Math.floor(limit), windowRttMs, baselineRttMs, gradient, windows }),
  };
}

function emptyWindow() {
  return { startMs: 0, count: 0, sumMs: 0, maxInFlight: 0, refused: 0 };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

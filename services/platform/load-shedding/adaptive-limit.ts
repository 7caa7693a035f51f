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
  /**
   * Samples the baseline averages over (exponential average, each window weighted by its samples,
   * as Gradient2's long RTT): at 2,000 calls/s it follows a new steady latency within ~0.3 s, at
   * 50 calls/s within ~10 s. Default 500.
   */
  baselineSamples?: number;
  /** Latency may reach this many times the baseline before the limit shrinks (Gradient2's 1.5). Default 1.5. */
  tolerance?: number;
  /**
   * A window that refused more than this share of the calls it served is overloaded: the baseline
   * does not learn from it (its latency is our own queue's). Default 0.1.
   */
  refusalShareToFreezeBaseline?: number;
  /** Share of each new estimate taken into the limit, 0 to 1. Default 0.5. */
  smoothing?: number;
  /** A window with more refusals than this many times its samples does not lower the limit. Default 4. */
  refusalsPerSampleToHold?: number;
  /**
   * Whether the server is in a flood, or was a moment ago (the limiter's flood record): a window
   * closed then teaches the baseline nothing, whatever share of its calls it refused. While the
   * stream allowance holds a flood's connections to their share, the callers past it wait in their
   * own clients and the server refuses only what the shares exceed, which can be less than a
   * tenth of what it serves. Default: never.
   */
  inFlood?: () => boolean;
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
  /** The slowest call of the last closed window, ms. */
  windowSlowestMs: number | undefined;
  /** The normal latency the windows are compared with (learned from windows that refused little), ms. */
  baselineRttMs: number | undefined;
  /** tolerance × baseline ÷ window RTT, clamped to 0.5..1: 1 means no queue, lower means calls are waiting. */
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
 * - the window's mean RTT is compared with a baseline, an exponential average of the windows'
 *   RTTs over about `baselineSamples` calls (it drops fast when latency falls to less than half
 *   of it);
 * - gradient = clamp(tolerance × baseline ÷ window RTT, 0.5, 1): latency well above the baseline
 *   means calls queue somewhere, so the limit shrinks in proportion (at most halved by one estimate);
 * - new estimate = limit × gradient + √limit: the square root is the headroom that lets the limit
 *   grow while latency stays flat, and the small queue it tolerates;
 * - limit moves `smoothing` of the way to the estimate, within minLimit..maxLimit;
 * - when fewer than half the limit were in flight in the whole window, the callers, not the
 *   server, set the pace: latency says nothing about the limit, which stays where it is;
 * - when the window refused many more calls than it served, the limit does not go down: in Node a
 *   refusal costs about as much event-loop time as a cheap call, so under a flood the latency is
 *   the refusals' (every admitted call waits for them in the event loop), not the admitted calls'
 *   queue, and a lower limit would serve fewer without serving faster (measured: bench overload).
 *
 * What the baseline learns from decides what the limit protects. A fights service at a steady
 * 2,000 calls/s runs at ~10–12 ms where a lone fight takes ~3 ms: coalesced picks and grouped
 * commits trade latency for throughput, and the cores are shared. That is its normal at that
 * rate, not a queue: with a baseline that learned only from idle windows, its limit fell from 131
 * to 80 in 4 s at that rate and kept falling (bench fight-max). So the baseline learns from every
 * window that did not refuse a tenth of what it served, as Gradient2's long RTT does, and a
 * steady latency becomes the new normal. A flood refuses from its first window on: the baseline
 * stays what it was before it, and its own queue cannot lift it; a server started into a flood
 * learns no baseline from it and holds its initial limit until a window is served normally. At
 * minLimit the baseline learns even then (the least concurrency we allow: its latency is the best
 * there is, e.g. after a dependency got slower), except in a flood the limiter has seen (`inFlood`):
 * its connections held to their share, a flood can refuse less than a tenth of what it serves.
 */
export function createAdaptiveLimit(options: AdaptiveLimitOptions): AdaptiveLimit {
  const windowMs = options.windowMs ?? 100;
  const minWindowSamples = options.minWindowSamples ?? 10;
  const baselineSamples = options.baselineSamples ?? 500;
  const tolerance = options.tolerance ?? 1.5;
  const refusalShareToFreezeBaseline = options.refusalShareToFreezeBaseline ?? 0.1;
  const smoothing = options.smoothing ?? 0.5;
  const refusalsPerSampleToHold = options.refusalsPerSampleToHold ?? 4;
  let limit = clamp(options.initialLimit, options.minLimit, options.maxLimit);
  let window = emptyWindow();
  let windowRttMs: number | undefined;
  let windowSlowestMs: number | undefined;
  let baselineRttMs: number | undefined;
  let gradient: number | undefined;
  let windows = 0;

  const closeWindow = () => {
    // Floor of 1 µs: a window of calls faster than the clock's resolution still has a ratio.
    const rtt = Math.max(window.sumMs / window.count, 0.001);
    const { maxInFlight, count } = window;
    const refusalBound = window.refused > refusalsPerSampleToHold * count;
    const overloaded = window.refused > refusalShareToFreezeBaseline * count;
    // In a flood nothing is learned, not even at the floor: a window of 500 calls would otherwise
    // set the baseline to the flood's latency at once (seen: 10 connections flooding fights took
    // its baseline to 55 ms and its limit to 669).
    const flooded = options.inFlood?.() === true;
    windowSlowestMs = window.maxMs;
    window = emptyWindow();
    windows += 1;
    windowRttMs = rtt;
    const appLimited = maxInFlight < limit / 2;
    const atFloor = Math.floor(limit) <= options.minLimit;
    const learns = !flooded && (!overloaded || atFloor);
    // A server started into a flood has only its own queue to measure: no baseline from that,
    // and no move without one (taking it as normal let the limit climb to 479 under the flood).
    if (baselineRttMs === undefined && !learns) return;
    if (baselineRttMs === undefined) baselineRttMs = rtt;
    else if (learns) baselineRttMs += (rtt - baselineRttMs) * Math.min(1, count / baselineSamples);
    // Latency fell well below the baseline: the load that raised it is gone; catch up quickly.
    if (baselineRttMs / rtt > 2) baselineRttMs *= 0.9;
    gradient = clamp((tolerance * baselineRttMs) / rtt, 0.5, 1);
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
      window.maxMs = Math.max(window.maxMs, sample.rttMs);
      window.maxInFlight = Math.max(window.maxInFlight, sample.inFlight);
      if (window.count >= minWindowSamples && sample.nowMs - window.startMs >= windowMs) closeWindow();
    },
    onRefusal() {
      window.refused += 1;
    },
    state: () => ({ limit: Math.floor(limit), windowRttMs, windowSlowestMs, baselineRttMs, gradient, windows }),
  };
}

function emptyWindow() {
  return { startMs: 0, count: 0, sumMs: 0, maxMs: 0, maxInFlight: 0, refused: 0 };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AdaptiveLimit, createAdaptiveLimit } from "./adaptive-limit.js";

const options = { initialLimit: 50, minLimit: 10, maxLimit: 500, windowMs: 100, minWindowSamples: 10 };

/** A clock the test moves: every sample is 10 ms after the previous one, so 10 samples make a window. */
function feeder(limit: AdaptiveLimit) {
  let nowMs = 0;
  return {
    /**
     * `windows` whole windows of 11 samples of `rttMs`, each with `inFlight` calls in flight
     * (default: the limit) and `refused` calls refused (more callers than the limit).
     */
    windows(count: number, rttMs: number, inFlight?: number, refused = 0) {
      for (let window = 0; window < count; window++) {
        for (let refusal = 0; refusal < refused; refusal++) limit.onRefusal();
        for (let sample = 0; sample < 11; sample++) {
          nowMs += 10;
          limit.onSample({ rttMs, inFlight: inFlight ?? limit.limit(), nowMs });
        }
      }
    },
    sample(rttMs: number, inFlight: number, stepMs = 10) {
      nowMs += stepMs;
      limit.onSample({ rttMs, inFlight, nowMs });
    },
  };
}

describe("adaptive limit", () => {
  it("starts at the initial limit, with nothing measured", () => {
    const limit = createAdaptiveLimit(options);
    assert.deepEqual(limit.state(), {
      limit: 50,
      windowRttMs: undefined,
      windowSlowestMs: undefined,
      baselineRttMs: undefined,
      gradient: undefined,
      windows: 0,
    });
  });

  it("keeps the initial limit within minLimit..maxLimit", () => {
    assert.equal(createAdaptiveLimit({ ...options, initialLimit: 5 }).limit(), 10);
    assert.equal(createAdaptiveLimit({ ...options, initialLimit: 900 }).limit(), 500);
  });

  it("closes a window only after minWindowSamples samples and windowMs", () => {
    const limit = createAdaptiveLimit(options);
    const feed = feeder(limit);
    for (let i = 0; i < 9; i++) feed.sample(5, 50, 50); // 450 ms, but 9 samples
    assert.equal(limit.state().windows, 0);
    feed.sample(5, 50, 50); // the 10th sample
    assert.equal(limit.state().windows, 1);
    for (let i = 0; i < 20; i++) feed.sample(5, 50, 1); // 20 samples within 20 ms
    assert.equal(limit.state().windows, 1, "too short a window");
    feed.sample(5, 50, 100);
    assert.equal(limit.state().windows, 2);
  });

  it("does not move while the callers keep fewer than half the limit in flight", () => {
    const limit = createAdaptiveLimit(options);
    const feed = feeder(limit);
    feed.windows(20, 2, 3);
    feed.windows(20, 40, 24); // 20 times slower, but 24 < 50 / 2: the callers set the pace
    assert.equal(limit.limit(), 50);
    assert.equal(limit.state().windows, 40);
  });

  it("grows by about √limit × smoothing per window while latency stays at the baseline", () => {
    const limit = createAdaptiveLimit(options);
    const feed = feeder(limit);
    feed.windows(1, 2);
    assert.equal(limit.limit(), 53, "50 + √50 × 0.5");
    assert.equal(limit.state().gradient, 1);
    feed.windows(10, 2);
    assert.ok(limit.limit() > 80, `grew to ${limit.limit()}`);
    feed.windows(1000, 2);
    assert.equal(limit.limit(), 500, "never past maxLimit");
  });

  it("shrinks in proportion when latency rises above the baseline, at most by a quarter per window", () => {
    const limit = createAdaptiveLimit(options);
    const feed = feeder(limit);
    feed.windows(5, 2);
    const before = limit.limit();
    feed.windows(1, 20); // 10 times the baseline: gradient clamped to 0.5
    const state = limit.state();
    assert.equal(state.gradient, 0.5);
    assert.equal(state.windowRttMs, 20);
    // estimate = L × 0.5 + √L, and half of the way there.
    const expected = Math.floor(before + (before * 0.5 + Math.sqrt(before) - before) * 0.5);
    assert.equal(state.limit, expected);
    feed.windows(3, 6); // 3 times the baseline: gradient 1.5 × 2 ÷ 6 = 0.5
    assert.ok(limit.limit() < expected, `kept shrinking: ${limit.limit()}`);
  });

  it("tolerates latency up to 1.5 times the baseline without shrinking", () => {
    const limit = createAdaptiveLimit(options);
    const feed = feeder(limit);
    feed.windows(5, 2);
    const before = limit.limit();
    feed.windows(1, 2.9);
    assert.equal(limit.state().gradient, 1);
    assert.ok(limit.limit() > before, `still growing: ${before} → ${limit.limit()}`);
  });

  it("does not go down in windows that refused far more calls than they served", () => {
    const limit = createAdaptiveLimit(options);
    const feed = feeder(limit);
    feed.windows(5, 2);
    const before = limit.limit();
    for (let window = 0; window < 10; window++) {
      for (let i = 0; i < 50; i++) limit.onRefusal(); // 50 refusals, 11 samples: refusal-bound
      feed.windows(1, 20);
    }
    assert.equal(limit.limit(), before, "held");
    assert.equal(limit.state().gradient, 0.5, "latency 10 times the baseline");
    for (let i = 0; i < 40; i++) limit.onRefusal(); // 40 refusals, 11 samples: not refusal-bound
    feed.windows(1, 20);
    assert.ok(limit.limit() < before, `lowered once refusals are not most of the work: ${limit.limit()}`);
  });

  it("never goes below minLimit however slow calls get", () => {
    const limit = createAdaptiveLimit(options);
    const feed = feeder(limit);
    feed.windows(5, 2);
    let lowest = limit.limit();
    for (let window = 0; window < 100; window++) {
      feed.windows(1, 500);
      lowest = Math.min(lowest, limit.limit());
    }
    assert.equal(lowest, 10);
  });

  it("settles where the latency of a queueing server stays near its baseline", () => {
    // A server that serves 10 calls at once in 2 ms each: calls beyond 10 wait their turn. More
    // callers than the limit: each window refuses twice as many as it serves.
    const limit = createAdaptiveLimit({ ...options, initialLimit: 200 });
    const feed = feeder(limit);
    feed.windows(20, 2, 3); // light traffic first: the baseline is the latency of a call that waits for nothing
    for (let window = 0; window < 300; window++) {
      const inFlight = limit.limit();
      feed.windows(1, 2 * Math.max(1, inFlight / 10), inFlight, 22);
    }
    const settled = limit.limit();
    assert.ok(settled >= 10 && settled <= 30, `settled at ${settled}, near the 10 the server really serves`);
    assert.ok(limit.state().windowRttMs! <= 2 * 3, `latency ${limit.state().windowRttMs} ms, baseline 2 ms`);
  });

  it("takes a steady higher latency that refuses nothing as the new normal, and keeps the limit", () => {
    // A service whose latency rises with its rate (batching, shared cores), carrying the load:
    // 3 ms alone, 12 ms at 2,000 calls/s (a sample every 0.5 ms), bursts of 60 in flight, nothing refused.
    const limit = createAdaptiveLimit({ ...options, initialLimit: 100 });
    const feed = feeder(limit);
    feed.windows(20, 3, 3);
    let lowest = limit.limit();
    for (let sample = 0; sample < 20_000; sample++) {
      feed.sample(12, 60, 0.5);
      lowest = Math.min(lowest, limit.limit());
    }
    assert.ok(lowest >= 60, `never below the calls in flight: lowest ${lowest}`);
    assert.ok(limit.state().baselineRttMs! > 10, `baseline now ${limit.state().baselineRttMs} ms`);
  });

  it("does not let its own queue lift the baseline under a long flood", () => {
    const limit = createAdaptiveLimit({ ...options, initialLimit: 100 });
    const feed = feeder(limit);
    feed.windows(20, 2, 3);
    for (let window = 0; window < 2000; window++) feed.windows(1, 2 * Math.max(1, limit.limit() / 10), undefined, 22);
    assert.equal(limit.state().baselineRttMs, 2);
    assert.ok(limit.limit() <= 30, `still near the 10 the server serves: ${limit.limit()}`);
  });

  it("does not take a flood it starts into as its baseline, and learns one once calls are served normally", () => {
    // A server restarted into a thundering herd: its first windows already refuse far more than
    // they serve, at 250 ms a call. That is its own queue, not what a call normally takes.
    const limit = createAdaptiveLimit({ ...options, initialLimit: 100 });
    const feed = feeder(limit);
    feed.windows(300, 250, undefined, 44);
    assert.equal(limit.state().baselineRttMs, undefined, "no baseline from a flood");
    assert.equal(limit.limit(), 100, "held where it started: nothing says it can take more");
    feed.windows(5, 3, 80); // the herd is gone: calls served without refusals
    assert.equal(limit.state().baselineRttMs, 3);
    assert.ok(limit.limit() > 100, `grows from its baseline on: ${limit.limit()}`);
  });

  it("learns nothing from a flood whose callers wait in their clients, refusing few calls", () => {
    // While the stream allowance holds a flood's connections to their share, the server refuses
    // only what the shares exceed: here 1 call for 11 served at 60 ms, in 500-call windows.
    let flood = false;
    const limit = createAdaptiveLimit({ ...options, initialLimit: 100, inFlood: () => flood });
    const feed = feeder(limit);
    feed.windows(20, 3, 60);
    flood = true;
    for (let window = 0; window < 50; window++) feed.windows(1, 60, undefined, 1);
    assert.equal(limit.state().baselineRttMs, 3, "the baseline is still the one from before the flood");
    assert.equal(limit.limit(), 10, "shrank to its floor, and learned nothing there either");
    flood = false;
    feed.windows(5, 60, undefined, 1);
    assert.ok(limit.state().baselineRttMs! > 3, "outside a flood the same windows teach it");
  });

  it("learns a slower baseline at minLimit, and drops it soon after latency falls back", () => {
    const limit = createAdaptiveLimit(options);
    const feed = feeder(limit);
    feed.windows(5, 2);
    feed.windows(200, 40); // a dependency got 20 times slower for a long while
    const raised = limit.state().baselineRttMs!;
    assert.ok(raised > 20, `baseline rose to ${raised}`);
    assert.ok(limit.limit() > 10, `the limit left its floor again: ${limit.limit()}`);
    feed.windows(30, 2);
    assert.ok(limit.state().baselineRttMs! < 4, `baseline back near 2 ms: ${limit.state().baselineRttMs}`);
  });

  it("grows back from minLimit once latency is back at the baseline", () => {
    const limit = createAdaptiveLimit(options);
    const feed = feeder(limit);
    feed.windows(5, 2);
    feed.windows(30, 100, undefined, 22); // overloaded: more callers than the limit, refused
    assert.equal(limit.limit(), 10);
    feed.windows(30, 2);
    assert.ok(limit.limit() >= 40, `grew back to ${limit.limit()}`);
  });

  it("ignores samples without a duration", () => {
    const limit = createAdaptiveLimit(options);
    const feed = feeder(limit);
    for (let i = 0; i < 20; i++) feed.sample(Number.NaN, 50, 20);
    assert.equal(limit.state().windows, 0);
  });
});

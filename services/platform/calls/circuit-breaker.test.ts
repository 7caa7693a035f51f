import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCircuitBreaker, type BreakerState, type CircuitBreakerOptions } from "./circuit-breaker.js";

function breakerWithClock(options: CircuitBreakerOptions = {}) {
  let now = 1_000_000;
  const transitions: string[] = [];
  const breaker = createCircuitBreaker({
    windowMs: 10_000,
    buckets: 10,
    failureRate: 0.5,
    minimumCalls: 4,
    openMs: 1_000,
    maxOpenMs: 4_000,
    halfOpenProbes: 2,
    successThreshold: 2,
    now: () => now,
    onTransition: (from: BreakerState, to: BreakerState) => transitions.push(`${from}->${to}`),
    ...options,
  });
  const call = (weight: number) => {
    const permit = breaker.tryAcquire();
    assert.ok(permit, "expected the call to be allowed");
    permit.done(weight);
  };
  const trip = () => {
    for (let i = 0; i < 4; i += 1) call(2);
    assert.equal(breaker.state(), "OPEN");
  };
  return { breaker, transitions, call, trip, advance: (ms: number) => (now += ms) };
}

describe("createCircuitBreaker", () => {
  it("opens when the weighted failure rate reaches the threshold over the minimum volume", () => {
    const { breaker, call, transitions } = breakerWithClock();
    call(0);
    call(0);
    call(2); // UNAVAILABLE: rate 2/3, but only 3 calls
    assert.equal(breaker.state(), "CLOSED");
    call(0.5); // rate 2.5/4 = 62.5 % over 4 calls
    assert.equal(breaker.state(), "OPEN");
    assert.deepEqual(transitions, ["CLOSED->OPEN"]);
    assert.match(breaker.lastTransition()!.reason, /weighted failure rate 62.5 % over 4 calls/);
  });

  it("does not open on a low failure rate, however many failures a high call rate brings", () => {
    const { breaker, call, advance } = breakerWithClock({ minimumCalls: 100 });
    // 20,000 calls over 10 s, 1 in 1000 UNAVAILABLE: 20 failures, rate 0.2 %.
    for (let i = 0; i < 20_000; i += 1) {
      call(i % 1000 === 999 ? 2 : 0);
      if (i % 2000 === 1999) advance(1000);
    }
    assert.equal(breaker.state(), "CLOSED");
    assert.equal(breaker.counts().failures, 20);
  });

  it("opens within one bucket when an upstream starts failing after a long healthy spell", () => {
    const { breaker, call, advance } = breakerWithClock({ minimumCalls: 20 });
    for (let second = 0; second < 10; second += 1) {
      for (let i = 0; i < 1000; i += 1) call(0);
      advance(1000);
    }
    // 60 % UNAVAILABLE from now on: the whole window is at 1.2 % after 25 calls, the newest bucket at 120 %.
    let calls = 0;
    while (breaker.state() === "CLOSED" && calls < 1000) {
      call(calls % 5 < 3 ? 2 : 0);
      calls += 1;
    }
    assert.equal(breaker.state(), "OPEN");
    assert.ok(calls <= 25, `tripped after ${calls} calls of the failing spell`);
  });

  it("forgets failures older than the window", () => {
    const { breaker, call, advance } = breakerWithClock();
    call(2);
    call(2);
    call(2);
    advance(10_001);
    call(2);
    call(0);
    assert.equal(breaker.state(), "CLOSED");
    assert.deepEqual(breaker.window(), { calls: 2, score: 2, rate: 1 });
  });

  it("counts NOT_FOUND-like zero weights as successes", () => {
    const { breaker, call } = breakerWithClock();
    for (let i = 0; i < 20; i += 1) call(0);
    assert.equal(breaker.state(), "CLOSED");
  });

  it("neither counts nor judges an abandoned call", () => {
    const { breaker, call } = breakerWithClock();
    for (let i = 0; i < 10; i += 1) breaker.tryAcquire()!.abandon();
    call(2);
    call(2);
    assert.deepEqual(breaker.window(), { calls: 2, score: 4, rate: 2 });
    assert.equal(breaker.state(), "CLOSED", "abandoned calls add no volume");
    assert.equal(breaker.counts().abandoned, 10);
  });

  it("refuses calls while open and counts the rejections", () => {
    const { breaker, trip } = breakerWithClock();
    trip();
    assert.equal(breaker.tryAcquire(), undefined);
    assert.equal(breaker.tryAcquire(), undefined);
    assert.deepEqual(breaker.counts(), { calls: 4, failures: 4, abandoned: 0, rejections: 2, trips: 1 });
  });

  it("lets a bounded number of probes through when half-open and closes after the success threshold", () => {
    const { breaker, trip, advance, transitions } = breakerWithClock();
    trip();
    advance(1_000);
    const first = breaker.tryAcquire();
    const second = breaker.tryAcquire();
    assert.ok(first && second);
    assert.equal(breaker.state(), "HALF_OPEN");
    assert.equal(breaker.tryAcquire(), undefined, "a third concurrent probe is refused");
    first.done(0);
    assert.equal(breaker.state(), "HALF_OPEN");
    second.done(0);
    assert.equal(breaker.state(), "CLOSED");
    assert.deepEqual(transitions, ["CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED"]);
    assert.deepEqual(breaker.window(), { calls: 0, score: 0, rate: 0 }, "closing starts a fresh window");
  });

  it("does not close on abandoned probes; they only free their slot", () => {
    const { breaker, trip, advance } = breakerWithClock();
    trip();
    advance(1_000);
    breaker.tryAcquire()!.abandon();
    breaker.tryAcquire()!.abandon();
    assert.equal(breaker.state(), "HALF_OPEN");
    const probe = breaker.tryAcquire();
    assert.ok(probe, "an abandoned probe's slot is free again");
    probe.done(2);
    assert.equal(breaker.state(), "OPEN");
  });

  it("goes half-open at once when the upstream reports SERVING, before the open time", () => {
    const { breaker, trip, transitions } = breakerWithClock({ openMs: 60_000 });
    trip();
    breaker.upstreamServing();
    assert.equal(breaker.state(), "HALF_OPEN");
    assert.equal(breaker.lastTransition()?.reason, "upstream reports SERVING");
    breaker.tryAcquire()!.done(0);
    breaker.tryAcquire()!.done(0);
    breaker.upstreamServing();
    assert.deepEqual(transitions, ["CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED"], "no effect unless OPEN");
  });

  it("stays open past its open time while the upstream says it is down, and probes once the hold lapses", () => {
    const { breaker, trip, advance } = breakerWithClock({ openMs: 1_000 });
    trip();
    advance(900);
    breaker.upstreamDown(600); // open until +1500 instead of +1000
    advance(200);
    assert.equal(breaker.tryAcquire(), undefined, "no probe while the upstream says NOT_SERVING");
    assert.equal(breaker.state(), "OPEN");
    advance(400);
    assert.ok(breaker.tryAcquire(), "the hold lapsed: the open timer lets a probe through");
    assert.equal(breaker.state(), "HALF_OPEN");
    breaker.upstreamDown(60_000);
    assert.equal(breaker.state(), "HALF_OPEN", "a hold only applies to an OPEN breaker");
  });

  it("backs off the open time on repeated trips, up to the maximum, and resets it after closing", () => {
    const { breaker, trip, advance } = breakerWithClock();
    trip();
    const reopenAfterFailedProbe = () => {
      breaker.tryAcquire()!.done(2);
      assert.equal(breaker.state(), "OPEN");
    };
    advance(1_000);
    reopenAfterFailedProbe(); // open 2000
    advance(1_999);
    assert.equal(breaker.tryAcquire(), undefined, "still open after 1999 ms of 2000");
    advance(1);
    reopenAfterFailedProbe(); // open 4000
    advance(4_000);
    reopenAfterFailedProbe(); // capped at 4000
    advance(3_999);
    assert.equal(breaker.tryAcquire(), undefined);
    advance(1);
    breaker.tryAcquire()!.done(0);
    breaker.tryAcquire()!.done(0);
    assert.equal(breaker.state(), "CLOSED");
    trip();
    advance(1_000);
    assert.ok(breaker.tryAcquire(), "after closing, the open time is back to 1000 ms");
  });
});

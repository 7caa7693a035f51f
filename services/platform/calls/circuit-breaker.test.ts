import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCircuitBreaker, type BreakerState, type CircuitBreakerOptions } from "./circuit-breaker.js";

function breakerWithClock(options: CircuitBreakerOptions = {}) {
  let now = 1_000_000;
  const transitions: string[] = [];
  const breaker = createCircuitBreaker({
    windowMs: 10_000,
    buckets: 10,
    failureThreshold: 5,
    minimumCalls: 3,
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
  return { breaker, transitions, call, advance: (ms: number) => (now += ms) };
}

describe("createCircuitBreaker", () => {
  it("opens after a weighted score of 5 within the window", () => {
    const { breaker, call, transitions } = breakerWithClock();
    call(2); // UNAVAILABLE
    call(2); // DEADLINE_EXCEEDED
    assert.equal(breaker.state(), "CLOSED");
    call(1); // slow success: score 5 over 3 calls
    assert.equal(breaker.state(), "OPEN");
    assert.deepEqual(transitions, ["CLOSED->OPEN"]);
  });

  it("does not open below the minimum number of calls, whatever the score", () => {
    const { breaker, call } = breakerWithClock({ minimumCalls: 4 });
    call(2);
    call(2);
    call(2);
    assert.equal(breaker.state(), "CLOSED");
    call(0);
    assert.equal(breaker.state(), "CLOSED", "a success does not trip");
    call(0.5);
    assert.equal(breaker.state(), "OPEN");
  });

  it("forgets failures older than the window", () => {
    const { breaker, call, advance } = breakerWithClock();
    call(2);
    call(2);
    advance(10_001);
    call(2);
    call(0);
    assert.equal(breaker.state(), "CLOSED");
    assert.deepEqual(breaker.window(), { calls: 2, score: 2 });
  });

  it("counts NOT_FOUND-like zero weights as successes", () => {
    const { breaker, call } = breakerWithClock();
    for (let i = 0; i < 20; i += 1) call(0);
    assert.equal(breaker.state(), "CLOSED");
  });

  it("refuses calls while open and counts the rejections", () => {
    const { breaker, call } = breakerWithClock();
    call(2);
    call(2);
    call(2);
    assert.equal(breaker.tryAcquire(), undefined);
    assert.equal(breaker.tryAcquire(), undefined);
    assert.deepEqual(breaker.counts(), { calls: 3, failures: 3, rejections: 2, trips: 1 });
  });

  it("lets a bounded number of probes through when half-open and closes after the success threshold", () => {
    const { breaker, call, advance, transitions } = breakerWithClock();
    call(2);
    call(2);
    call(2);
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
    assert.deepEqual(breaker.window(), { calls: 0, score: 0 }, "closing starts a fresh window");
  });

  it("backs off the open time on repeated trips, up to the maximum, and resets it after closing", () => {
    const { breaker, call, advance } = breakerWithClock();
    call(2);
    call(2);
    call(2);
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
    call(2);
    call(2);
    call(2);
    advance(1_000);
    assert.ok(breaker.tryAcquire(), "after closing, the open time is back to 1000 ms");
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { status as Status } from "@grpc/grpc-js";
import { failureWeight } from "./breaker-interceptor.js";
import { createCircuitBreaker } from "./circuit-breaker.js";
import { createHealthRecovery } from "./health-recovery.js";
import type { ServingStatus } from "./health-check.js";
import { createSlowCallThreshold } from "./slow-call-threshold.js";

const fullBudget = { callBudgetMs: 1000, upstreamBudgetMs: 1000, slowCallMs: 100 };

describe("failureWeight: the breaker judges the upstream, not the caller", () => {
  it("counts DEADLINE_EXCEEDED against the upstream only when the upstream's own budget ran out", () => {
    assert.equal(failureWeight(Status.DEADLINE_EXCEEDED, 1000, fullBudget), 2);
    assert.equal(failureWeight(Status.DEADLINE_EXCEEDED, 998, { ...fullBudget, callBudgetMs: 998 }), 2);
    assert.equal(failureWeight(Status.DEADLINE_EXCEEDED, 5, { ...fullBudget, callBudgetMs: 5 }), undefined);
    assert.equal(failureWeight(Status.DEADLINE_EXCEEDED, 200, { ...fullBudget, callBudgetMs: 200 }), undefined);
  });

  it("counts a cancelled call neither way", () => {
    assert.equal(failureWeight(Status.CANCELLED, 3, fullBudget), undefined);
    assert.equal(failureWeight(Status.CANCELLED, 3000, fullBudget), undefined);
  });

  it("keeps the weights: UNAVAILABLE 2, INTERNAL 1.5, slow success 1, other errors 0.5, NOT_FOUND and OK 0", () => {
    assert.equal(failureWeight(Status.UNAVAILABLE, 1, { ...fullBudget, callBudgetMs: 5 }), 2);
    assert.equal(failureWeight(Status.INTERNAL, 1, fullBudget), 1.5);
    assert.equal(failureWeight(Status.OK, 101, fullBudget), 1);
    assert.equal(failureWeight(Status.OK, 99, fullBudget), 0);
    assert.equal(failureWeight(Status.RESOURCE_EXHAUSTED, 1, fullBudget), 0.5);
    assert.equal(failureWeight(Status.NOT_FOUND, 1, fullBudget), 0);
  });
});

describe("createSlowCallThreshold", () => {
  it("is the ceiling before any success, then factor × p99 between floor and ceiling", () => {
    let now = 0;
    const threshold = createSlowCallThreshold({ factor: 3, floorMs: 50, ceilingMs: 1000, now: () => now });
    assert.equal(threshold.currentMs(), 1000);
    for (let i = 0; i < 100; i += 1) threshold.record(40);
    assert.equal(threshold.currentMs(), 120, "3 × a 40 ms p99");
    now += 1000;
    for (let i = 0; i < 1024; i += 1) threshold.record(2);
    assert.equal(threshold.currentMs(), 50, "the floor under a 2 ms upstream");
    now += 1000;
    for (let i = 0; i < 1024; i += 1) threshold.record(900);
    assert.equal(threshold.currentMs(), 1000, "the ceiling over a 900 ms upstream");
  });

  it("stays the ceiling until 100 successes make a p99, so a cold start's slow first calls are not slow", () => {
    let now = 0;
    const threshold = createSlowCallThreshold({ factor: 3, floorMs: 50, ceilingMs: 1000, now: () => now });
    threshold.record(8); // the first call: fast
    for (let i = 0; i < 98; i += 1) threshold.record(250); // then a cold burst
    assert.equal(threshold.currentMs(), 1000, "99 successes: still the ceiling");
    threshold.record(250);
    assert.equal(threshold.currentMs(), 750, "100: 3 × the p99 of what was seen");
    now += 1000;
    for (let i = 0; i < 1024; i += 1) threshold.record(5);
    assert.equal(threshold.currentMs(), 50, "warm: the floor under a 5 ms upstream");
  });

  it("recomputes the p99 at most once per refresh interval", () => {
    let now = 0;
    const threshold = createSlowCallThreshold({ factor: 3, floorMs: 1, ceilingMs: 10_000, now: () => now });
    for (let i = 0; i < 1024; i += 1) threshold.record(10);
    assert.equal(threshold.currentMs(), 30);
    for (let i = 0; i < 1024; i += 1) threshold.record(100);
    assert.equal(threshold.currentMs(), 30);
    now += 1000;
    assert.equal(threshold.currentMs(), 300);
  });
});

describe("createHealthRecovery", () => {
  const openBreaker = () => {
    const breaker = createCircuitBreaker({ minimumCalls: 1, openMs: 600_000 });
    breaker.tryAcquire()!.done(2);
    assert.equal(breaker.state(), "OPEN");
    return breaker;
  };
  const until = async (condition: () => boolean) => {
    for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 2));
  };

  it("moves an open breaker to HALF_OPEN once the upstream is SERVING again after being down", async () => {
    const breaker = openBreaker();
    const answers: (ServingStatus | Error)[] = [new Error("UNAVAILABLE"), "NOT_SERVING", "SERVING"];
    let checks = 0;
    const recovery = createHealthRecovery(breaker, {
      intervalMs: 1,
      check: async () => {
        const answer = answers[Math.min(checks++, answers.length - 1)]!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    recovery.breakerOpened();
    await until(() => breaker.state() !== "OPEN");
    recovery.close();
    assert.equal(breaker.state(), "HALF_OPEN");
    assert.equal(checks, 3);
  });

  it("leaves the open timer in charge when the upstream said SERVING all along", async () => {
    const breaker = openBreaker();
    let checks = 0;
    const recovery = createHealthRecovery(breaker, {
      intervalMs: 1,
      check: async () => {
        checks += 1;
        return "SERVING";
      },
    });
    recovery.breakerOpened();
    await until(() => checks >= 20);
    recovery.close();
    assert.equal(breaker.state(), "OPEN");
  });

  it("holds an open breaker past its open timer while the upstream answers NOT_SERVING, cannot be reached or does not answer", async () => {
    const breaker = createCircuitBreaker({ minimumCalls: 1, openMs: 5 });
    breaker.tryAcquire()!.done(2);
    const unreachable = Object.assign(new Error("connect ECONNREFUSED"), { code: Status.UNAVAILABLE });
    const hung = Object.assign(new Error("Deadline exceeded"), { code: Status.DEADLINE_EXCEEDED });
    let checks = 0;
    const recovery = createHealthRecovery(breaker, {
      intervalMs: 20,
      check: async () => {
        checks += 1;
        if (checks % 3 === 1) throw unreachable;
        if (checks % 3 === 2) throw hung;
        return "NOT_SERVING";
      },
    });
    recovery.breakerOpened();
    await until(() => checks >= 6);
    assert.equal(
      breaker.tryAcquire(),
      undefined,
      "a down upstream gets no probe, though the 5 ms open time is long past",
    );
    assert.equal(breaker.state(), "OPEN");
    recovery.close();
  });

  it("does not hold the breaker open when the upstream has no health service to ask", async () => {
    const breaker = createCircuitBreaker({ minimumCalls: 1, openMs: 5 });
    breaker.tryAcquire()!.done(2);
    let checks = 0;
    const recovery = createHealthRecovery(breaker, {
      intervalMs: 20,
      check: async () => {
        checks += 1;
        throw Object.assign(new Error("unknown service grpc.health.v1.Health"), { code: Status.UNIMPLEMENTED });
      },
    });
    recovery.breakerOpened();
    await until(() => checks >= 3);
    recovery.close();
    assert.ok(breaker.tryAcquire(), "the open timer decides: an upstream without health is still probed");
  });
});

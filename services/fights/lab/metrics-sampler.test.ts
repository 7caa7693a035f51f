import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { UpstreamStats } from "../../platform/calls/upstream-client.js";
import type { Fight } from "../fight.js";
import { createMetricsSampler, type MetricsSample } from "./metrics-sampler.js";

function upstream(name: string, calls: number, trips: number, state: UpstreamStats["breakerState"]): UpstreamStats {
  return {
    name,
    target: "127.0.0.1:1",
    breakerState: state,
    channelState: "READY",
    calls,
    failures: calls / 2,
    rejections: 0,
    successRate: 1,
    failuresByCode: {},
    latencyMs: { p50: 0, p95: 0, p99: 0 },
    breaker: {
      state,
      failureRate: 0,
      windowCalls: 0,
      tripRate: 0.5,
      minimumCalls: 20,
      slowCallThresholdMs: 50,
      trips,
      abandoned: 0,
      recentTransitions: [],
    },
  };
}

function fight(fallback: boolean): Fight {
  const side = { name: "x", level: 1, powers: "", picture: "", fallback: false };
  return {
    id: 1n,
    fightTime: new Date(),
    winner: { ...side, team: "heroes" },
    loser: { ...side, team: "villains", fallback },
    location: { name: "y", description: "", picture: "", type: "CITY", fallback: false },
  };
}

async function nextSample(samples: AsyncIterator<MetricsSample>): Promise<MetricsSample> {
  const next = await samples.next();
  if (next.done === true) throw new Error("the stream ended");
  return next.value;
}

describe("createMetricsSampler", () => {
  it("samples each interval: fallback share and latency of the fights recorded, upstream calls and trips as differences", async () => {
    let stats = [upstream("heroes", 10, 0, "CLOSED"), upstream("villains", 10, 0, "CLOSED")];
    const sampler = createMetricsSampler({ upstreams: () => stats, intervalMs: 50 });
    const controller = new AbortController();
    // The sampler's timer does not hold the process open; this test must stay up for two intervals.
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      const watched = sampler.watch(controller.signal)[Symbol.asyncIterator]();
      await nextSample(watched); // the first interval: counts from zero
      stats = [upstream("heroes", 16, 1, "CLOSED"), upstream("villains", 14, 0, "OPEN")];
      sampler.recordFights([fight(false), fight(true)], 8);
      sampler.recordFights([fight(false), fight(false)], 4);
      for (const durationMs of [1, 2, 300])
        sampler.recordUpstreamCall({ upstream: "heroes", method: "m", code: 0, durationMs });
      const sample = await nextSample(watched);
      assert.equal(sample.fallbackShare, 0.25);
      assert.deepEqual([sample.fightLatencyP50Ms, sample.fightLatencyP99Ms], [8, 8]);
      assert.ok(sample.fightsPerSecond > 0);
      assert.deepEqual(
        sample.upstreams.map((each) => [each.name, each.calls, each.failures, each.breakerState, each.breakerOpened]),
        [
          ["heroes", 6, 3, "CLOSED", true],
          ["villains", 4, 2, "OPEN", true],
        ],
      );
      assert.equal(sample.upstreams[0]?.latencyP99Ms, 300);
      assert.ok(sampler.history().length >= 2, "samples are kept for the next watcher");
    } finally {
      controller.abort();
      sampler.close();
      clearInterval(keepAlive);
    }
  });
});

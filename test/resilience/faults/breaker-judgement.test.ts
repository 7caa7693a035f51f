import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Team, type PerformRandomFightResponse } from "../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { FightService } from "../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { createPromiseClient, type ServiceClient } from "../../../services/platform/calls/grpc-client.js";
import type { UpstreamStats } from "../../../services/platform/calls/upstream-client.js";
import { adminRequest, readMetric } from "../../../testkit/processes/admin-client.js";
import { watchBreaker } from "../../../testkit/load/breaker-watch.js";
import { startLoad } from "../../../testkit/load/load.js";
import { recordOutcome } from "../../../testkit/load/outcomes.js";
import {
  fightsTargets,
  launchService,
  launchSystem,
  type ProcessSystem,
  type ServiceProcess,
} from "../../../testkit/processes/service-processes.js";
import { waitFor } from "../../../testkit/wait-for.js";

// The breaker must judge the upstream, not the caller, by a rate, and come back with the
// upstream's health. Four real processes, plus a second fights process (`direct` fighter source,
// one upstream call per fight) where a test needs to count calls.

async function upstreamStats(fights: ServiceProcess): Promise<UpstreamStats[]> {
  const { body } = await adminRequest(fights.adminPort, "/stats");
  return (body as { upstreams: UpstreamStats[] }).upstreams;
}

async function heroesOf(fights: ServiceProcess): Promise<UpstreamStats> {
  return (await upstreamStats(fights)).find((upstream) => upstream.name === "heroes")!;
}

function heroOf(response: PerformRandomFightResponse | undefined) {
  return [response?.fight?.winner, response?.fight?.loser].find((fighter) => fighter?.team === Team.HEROES);
}

function setHeroesFaults(system: ProcessSystem, faults: Record<string, unknown>) {
  return adminRequest(system.heroes.adminPort, "/faults", { method: "PUT", body: faults });
}

async function heroesHandled(system: ProcessSystem): Promise<number> {
  const { body } = await adminRequest(system.heroes.adminPort, "/metrics");
  let total = 0;
  for (const line of String(body).split("\n"))
    if (line.startsWith("grpc_server_handled_total{") && line.includes('grpc_method="GetRandomHero"'))
      total += Number(line.split(" ").at(-1));
  return total;
}

describe("circuit breakers that judge the upstream, not the caller", { timeout: 240_000 }, () => {
  let system: ProcessSystem;
  let direct: ServiceProcess;
  let directClient: ServiceClient<typeof FightService>;
  before(
    async () => {
      system = await launchSystem({ heroes: { HEROES_FAULTS_ENABLED: "true" } });
      direct = await launchService("fights", {
        env: {
          ...fightsTargets(system),
          FIGHTS_DATABASE_URL: system.databases.fights.url,
          FIGHTS_FIGHTER_SOURCE: "direct",
          // One attempt per call, so the calls heroes handles are the calls the breaker judged.
          FIGHTS_UPSTREAM_MAX_ATTEMPTS: "1",
          FIGHTS_BREAKER_OPEN_MS: "500",
          FIGHTS_BREAKER_MAX_OPEN_MS: "500",
          // Slowness is injected on purpose below; only timeouts and errors are judged here.
          FIGHTS_BREAKER_SLOW_CALL_FLOOR_MS: "5000",
          FIGHTS_BREAKER_SLOW_CALL_MS: "5000",
        },
      });
      directClient = createPromiseClient(FightService, `127.0.0.1:${direct.grpcPort}`);
    },
    { timeout: 120_000 },
  );
  after(async () => {
    directClient?.close();
    await direct?.kill();
    await system?.stop();
  });

  it("leaves every breaker CLOSED and fights real when callers with 5 ms deadlines hang up on a healthy system", async (t) => {
    const outcomes: Record<string, number> = {};
    const abandonedSoFar = async () =>
      (await upstreamStats(system.fights)).reduce((sum, upstream) => sum + (upstream.breaker?.abandoned ?? 0), 0);
    // Six rounds of ten; more (up to 24) only if none of the 5 ms calls got as far as an upstream
    // call yet (on a starved machine a call can expire before fights picks anything).
    for (let round = 0; round < 6 || (round < 24 && (await abandonedSoFar()) === 0); round += 1) {
      const calls = Array.from({ length: 10 }, () =>
        system.client.methods.performRandomFight({}, { deadline: Date.now() + 5 }).then(
          () => "OK",
          (error: { code?: number }) => String(error.code),
        ),
      );
      for (const code of await Promise.all(calls)) outcomes[code] = (outcomes[code] ?? 0) + 1;
    }
    const stats = await upstreamStats(system.fights);
    const abandoned = stats.reduce((sum, upstream) => sum + (upstream.breaker?.abandoned ?? 0), 0);
    assert.deepEqual(
      stats.map((upstream) => [upstream.name, upstream.breakerState]),
      [
        ["heroes", "CLOSED"],
        ["villains", "CLOSED"],
        ["locations", "CLOSED"],
      ],
    );
    assert.ok(abandoned > 0, "some upstream calls ended by their callers' deadlines, judged neither way");
    for (let i = 0; i < 20; i += 1) {
      const { fight } = await system.client.methods.performRandomFight({}, { deadline: Date.now() + 5000 });
      assert.equal(fight?.winner?.fallback, false);
      assert.equal(fight?.loser?.fallback, false);
    }
    const calls = Object.values(outcomes).reduce((sum, count) => sum + count, 0);
    t.diagnostic(
      `${calls} calls with 5 ms deadlines: ${JSON.stringify(outcomes)}; ${abandoned} upstream calls abandoned`,
    );
  });

  it("does not close a breaker on probes whose callers gave up while heroes is still slow", async (t) => {
    await setHeroesFaults(system, { latencyMs: 3000 });
    try {
      // 24 callers at once, each heroes call hits heroes' own 1 s budget: 100 % DEADLINE_EXCEEDED.
      await Promise.all(
        Array.from({ length: 24 }, () => directClient.methods.performRandomFight({}, { deadline: Date.now() + 5000 })),
      );
      assert.equal((await heroesOf(direct)).breakerState, "OPEN");
      const breaker = watchBreaker(directClient.methods, "heroes");
      const since = performance.now();
      // Callers with 0.2 s deadlines for 2 s: every half-open probe ends by its caller's deadline.
      const probing = startLoad({
        concurrency: 4,
        call: () => directClient.methods.performRandomFight({}, { deadline: Date.now() + 200 }),
      });
      await sleep(2000);
      await probing.stop();
      breaker.stop();
      const heroes = await heroesOf(direct);
      assert.equal(breaker.firstSeen("HALF_OPEN", since) !== undefined, true, "probes were let through");
      assert.equal(breaker.firstSeen("CLOSED", since), undefined, "never closed by a cancelled probe");
      assert.notEqual(heroes.breakerState, "CLOSED");
      const closes = await readMetric(direct.adminPort, "grpc_client_circuit_transitions_total", {
        upstream: "heroes",
        from: "HALF_OPEN",
        to: "CLOSED",
      });
      assert.equal(closes ?? 0, 0);
      t.diagnostic(
        `heroes breaker ${heroes.breakerState} after 2 s of 0.2 s callers; ${heroes.breaker?.abandoned} abandoned`,
      );
    } finally {
      await setHeroesFaults(system, { latencyMs: 0 });
    }
    await waitFor(
      "the heroes breaker to close once heroes is fast",
      async () => {
        await directClient.methods.performRandomFight({}, { deadline: Date.now() + 5000 });
        return (await heroesOf(direct)).breakerState === "CLOSED";
      },
      15_000,
    );
  });

  it("stays CLOSED at 0.1 % failures under load, and opens within a few dozen calls at 60 %", async (t) => {
    const load = startLoad({
      concurrency: 16,
      call: () => directClient.methods.performRandomFight({}, { deadline: Date.now() + 5000 }),
    });
    try {
      await setHeroesFaults(system, { errorRate: 0.001, errorCode: "UNAVAILABLE" });
      const before = await heroesOf(direct);
      const startedAt = performance.now();
      await waitFor(
        "2 injected failures at 0.1 %",
        async () =>
          ((await heroesOf(direct)).failuresByCode.UNAVAILABLE ?? 0) >= (before.failuresByCode.UNAVAILABLE ?? 0) + 2,
        60_000,
      );
      const low = await heroesOf(direct);
      const lowCalls = low.calls - before.calls;
      assert.equal(low.breakerState, "CLOSED");
      assert.equal(low.breaker?.trips, before.breaker?.trips, "no trip at 0.1 %");
      const lowSeconds = (performance.now() - startedAt) / 1000;

      const breaker = watchBreaker(directClient.methods, "heroes", 10);
      const handledBefore = await heroesHandled(system);
      const failingFrom = performance.now();
      await setHeroesFaults(system, { errorRate: 0.6, errorCode: "UNAVAILABLE" });
      await waitFor("heroes breaker OPEN at 60 %", () => breaker.firstSeen("OPEN", failingFrom) !== undefined, 15_000);
      const openedAfterMs = breaker.firstSeen("OPEN", failingFrom)! - failingFrom;
      breaker.stop();
      const callsToTrip = (await heroesHandled(system)) - handledBefore;
      // "Within a second", counted in calls so a busy machine cannot fail it: at most one second of
      // this load's heroes calls (measured in the 0.1 % phase), plus what was already in flight when it
      // tripped (16 callers, up to 3 attempts each under the channel's retry policy).
      const bound = Math.ceil(lowCalls / lowSeconds) + 16 * 3;
      assert.ok(
        callsToTrip <= bound,
        `${callsToTrip} heroes calls reached heroes before the breaker opened (bound: ${bound})`,
      );
      t.diagnostic(
        recordOutcome({
          group: "fault",
          what: "heroes failing 0.1 %, then 60 % (UNAVAILABLE) under 16 closed-loop fight callers, direct fighter source",
          outcome:
            `0.1 %: ${lowCalls} heroes calls (${(lowCalls / lowSeconds).toFixed(0)}/s), ${(low.failuresByCode.UNAVAILABLE ?? 0) - (before.failuresByCode.UNAVAILABLE ?? 0)} failed, breaker CLOSED; ` +
            `60 %: OPEN ${(openedAfterMs / 1000).toFixed(2)} s after the fault, ${callsToTrip} heroes calls in between`,
        }),
      );
    } finally {
      await setHeroesFaults(system, { errorRate: 0 });
      await load.stop();
    }
  });

  it("uses a healed heroes again as soon as its health says SERVING, long before the open timer", async (t) => {
    // The open timer is long here (first open 2 s, then backing off to 30 s): only health can bring it back fast.
    const breaker = watchBreaker(system.client.methods, "heroes", 10);
    const load = startLoad({
      concurrency: 10,
      ratePerSecond: 50,
      call: () => system.client.methods.performRandomFight({}, { deadline: Date.now() + 5000 }),
    });
    try {
      await sleep(500);
      const killedAt = performance.now();
      await system.heroes.kill("SIGKILL");
      await waitFor("heroes breaker OPEN", () => breaker.firstSeen("OPEN", killedAt) !== undefined, 15_000);
      // Down long enough for the open time to back off past the point the old breaker took 20 s.
      await sleep(5000);
      await system.heroes.restart();
      const readyAt = performance.now();
      await waitFor("heroes breaker CLOSED", () => breaker.firstSeen("CLOSED", readyAt) !== undefined, 15_000);
      const closedAt = breaker.firstSeen("CLOSED", readyAt)!;
      await sleep(500);
      const samples = await load.stop();
      const after = samples.filter((sample) => sample.startedAt > closedAt + 50);
      const fallbackAfterReady = samples.filter(
        (sample) => sample.startedAt > readyAt && heroOf(sample.value)?.fallback === true,
      ).length;
      const transitions = (await heroesOf(system.fights)).breaker?.recentTransitions ?? [];
      assert.ok(after.length > 0 && after.every((sample) => heroOf(sample.value)?.fallback === false));
      assert.ok(
        samples.every((sample) => sample.code === 0),
        "no fight failed",
      );
      assert.deepEqual(
        transitions.slice(-2).map(({ to, reason }) => [to, reason]),
        [
          ["HALF_OPEN", "upstream reports SERVING"],
          ["CLOSED", "2 probes succeeded"],
        ],
        "half-open because heroes' health said SERVING, not because a timer ran out",
      );
      t.diagnostic(
        recordOutcome({
          group: "fault",
          what: "heroes SIGKILLed for 5 s under 50 fights/s, restarted: breaker recovery from health",
          outcome: `real heroes again ${((closedAt - readyAt) / 1000).toFixed(2)} s after heroes was ready (breaker CLOSED), ${fallbackAfterReady} fights with the fallback hero after it was ready; every fight OK`,
        }),
      );
    } finally {
      breaker.stop();
      await load.stop();
    }
  });
});

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { adminRequest, readMetric } from "../../testkit/processes/admin-client.js";
import { waitFor } from "../../testkit/wait-for.js";
import type { UpstreamStats } from "../platform/calls/upstream-client.js";
import { startFightsSystem, type FightsSystem } from "../../testkit/systems/fights-system.js";

const breakerEnv = {
  FIGHTS_FIGHTER_SOURCE: "direct",
  FIGHTS_BREAKER_MIN_CALLS: "3",
  FIGHTS_BREAKER_FAILURE_RATE: "50",
  // With so few calls judged, one call slowed by a busy machine must not count as a failure.
  FIGHTS_BREAKER_SLOW_CALL_MS: "5000",
  // Long enough that the open breaker cannot time out during the first test on a busy machine.
  FIGHTS_BREAKER_OPEN_MS: "2000",
  FIGHTS_BREAKER_HALF_OPEN_PROBES: "1",
  FIGHTS_BREAKER_SUCCESS_THRESHOLD: "2",
  // One attempt per call, so the heroes' call count below is exactly the calls that got through.
  FIGHTS_UPSTREAM_MAX_ATTEMPTS: "1",
};

async function heroesStats(system: FightsSystem): Promise<UpstreamStats> {
  const { body } = await adminRequest(system.fights.adminPort, "/stats");
  return (body as { upstreams: UpstreamStats[] }).upstreams.find((upstream) => upstream.name === "heroes")!;
}

async function heroesHandled(system: FightsSystem): Promise<number> {
  const handled = await Promise.all(
    ["OK", "UNAVAILABLE"].map((code) =>
      readMetric(system.data.heroes.adminPort, "grpc_server_handled_total", {
        grpc_method: "GetRandomHero",
        grpc_code: code,
      }),
    ),
  );
  return handled.reduce<number>((sum, value) => sum + (value ?? 0), 0);
}

describe("fights with a failing heroes service", () => {
  let system: FightsSystem;
  before(async () => {
    system = await startFightsSystem({ fights: breakerEnv });
  });
  after(() => system.stop());

  it("keeps fighting with the fallback hero, opens the breaker once the weighted failure rate passes 50 % over 3 calls, and stops calling heroes", async () => {
    await adminRequest(system.data.heroes.adminPort, "/faults", {
      method: "PUT",
      body: { errorRate: 1, errorCode: "UNAVAILABLE" },
    });
    for (let i = 0; i < 3; i += 1) {
      const { fight } = await system.client.methods.performRandomFight({});
      const hero = fight?.winner?.team === 1 ? fight.winner : fight?.loser;
      assert.equal(hero?.name, "Fallback hero");
      assert.equal(hero?.fallback, true);
    }
    // Three UNAVAILABLE (weight 2 each) in three calls: a weighted rate of 200 %, open.
    const stats = await heroesStats(system);
    assert.equal(stats.breakerState, "OPEN");
    assert.equal(stats.failuresByCode.UNAVAILABLE, 3);
    assert.equal(await readMetric(system.fights.adminPort, "grpc_client_circuit_state", { upstream: "heroes" }), 1);
    const reachedBefore = await heroesHandled(system);
    for (let i = 0; i < 5; i += 1) await system.client.methods.performRandomFight({});
    assert.equal(await heroesHandled(system), reachedBefore, "no call reaches heroes while the breaker is open");
    assert.equal((await heroesStats(system)).rejections, 5);
    assert.equal(
      await readMetric(system.fights.adminPort, "grpc_client_circuit_rejections_total", { upstream: "heroes" }),
      5,
    );
  });

  it("closes again through half-open probes once heroes is healthy, and real heroes return", async () => {
    await adminRequest(system.data.heroes.adminPort, "/faults", { method: "PUT", body: { errorRate: 0 } });
    await waitFor(
      "the breaker to close",
      async () => {
        await system.client.methods.performRandomFight({});
        return (await heroesStats(system)).breakerState === "CLOSED";
      },
      10_000,
    );
    const { fight } = await system.client.methods.performRandomFight({});
    const hero = fight?.winner?.team === 1 ? fight.winner : fight?.loser;
    assert.equal(hero?.fallback, false);
    assert.notEqual(hero?.name, "Fallback hero");
    assert.equal(
      await readMetric(system.fights.adminPort, "grpc_client_circuit_transitions_total", {
        upstream: "heroes",
        from: "HALF_OPEN",
        to: "CLOSED",
      }),
      1,
    );
    assert.equal(await readMetric(system.fights.adminPort, "grpc_client_circuit_state", { upstream: "heroes" }), 0);
  });
});

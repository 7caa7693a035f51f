import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFightsAgainst, startFightsSystem, type FightsSystem } from "../../testkit/systems/fights-system.js";
import { createPromiseClient, type ServiceClient } from "../platform/calls/grpc-client.js";
import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";

const latency = (prefix: string) => ({ [`${prefix}_FAULT_LATENCY_MS`]: "50" });

/** The fastest of `rounds` real fights, ms: the least disturbed by whatever else the machine runs. */
async function fastestFight(client: ServiceClient<typeof FightService>, rounds = 3): Promise<number> {
  let fastest = Infinity;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const { fight } = await client.methods.performRandomFight({}, { deadline: Date.now() + 5000 });
    const elapsedMs = performance.now() - started;
    assert.equal(fight?.winner?.fallback || fight?.loser?.fallback || fight?.location?.fallback, false, "a real fight");
    fastest = Math.min(fastest, elapsedMs);
  }
  return fastest;
}

// Compared within one run, concurrent against sequential, never against a wall-clock budget:
// a busy machine slows both, and the gap between max and sum remains.
describe("fights fan-out with 50 ms in each data service", () => {
  let system: FightsSystem;
  let sequentialMs = 0;
  before(async () => {
    system = await startFightsSystem({
      heroes: latency("HEROES"),
      villains: latency("VILLAINS"),
      locations: latency("LOCATIONS"),
      fights: { FIGHTS_FIGHTER_SOURCE: "direct" },
    });
    await system.client.methods.performRandomFight({}); // connect the channels first
  });
  after(() => system.stop());

  it("takes at least the sum of the three calls in sequential mode (the contrast)", async () => {
    const targets = {
      heroes: `127.0.0.1:${system.data.heroes.grpcPort}`,
      villains: `127.0.0.1:${system.data.villains.grpcPort}`,
      locations: `127.0.0.1:${system.data.locations.grpcPort}`,
    };
    const sequential = await startFightsAgainst(targets, {
      FIGHTS_UPSTREAM_MODE: "sequential",
      FIGHTS_FIGHTER_SOURCE: "direct",
    });
    const client = createPromiseClient(FightService, `127.0.0.1:${sequential.grpcPort}`);
    try {
      await client.methods.performRandomFight({});
      sequentialMs = await fastestFight(client);
      assert.ok(sequentialMs >= 150, `three sequential 50 ms calls took only ${sequentialMs} ms`);
    } finally {
      client.close();
      await sequential.stop();
    }
  });

  it("performs a random fight in about one call's time: far less than the sequential chain", async () => {
    const concurrentMs = await fastestFight(system.client);
    assert.ok(concurrentMs >= 50, `a fight cannot be faster than one upstream call (took ${concurrentMs} ms)`);
    // Sequential is ≥ 3 × 50 ms; concurrent ≈ 1 × 50 ms plus the same overhead.
    assert.ok(
      concurrentMs < sequentialMs - 75,
      `concurrent ${concurrentMs.toFixed(1)} ms vs sequential ${sequentialMs.toFixed(1)} ms`,
    );
  });
});

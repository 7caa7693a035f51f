import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFightsAgainst, startFightsSystem, type FightsSystem } from "../../testkit/systems/fights-system.js";
import { createPromiseClient } from "../platform/calls/grpc-client.js";
import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";

const latency = (prefix: string) => ({ [`${prefix}_FAULT_LATENCY_MS`]: "50" });

describe("fights fan-out with 50 ms in each data service", () => {
  let system: FightsSystem;
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

  it("performs a random fight in well under the 150 ms a sequential chain takes", async () => {
    const started = performance.now();
    const { fight } = await system.client.methods.performRandomFight({}, { deadline: Date.now() + 5000 });
    const elapsedMs = performance.now() - started;
    assert.equal(fight?.winner?.fallback, false);
    assert.equal(fight?.loser?.fallback, false);
    assert.equal(fight?.location?.fallback, false);
    assert.ok(elapsedMs >= 50, `a fight cannot be faster than one upstream call (took ${elapsedMs} ms)`);
    assert.ok(elapsedMs < 120, `three concurrent 50 ms calls took ${elapsedMs} ms`);
  });

  it("takes at least the sum of the three calls in sequential mode (the benchmark's contrast)", async () => {
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
      const started = performance.now();
      await client.methods.performRandomFight({}, { deadline: Date.now() + 5000 });
      const elapsedMs = performance.now() - started;
      assert.ok(elapsedMs >= 150, `three sequential 50 ms calls took only ${elapsedMs} ms`);
    } finally {
      client.close();
      await sequential.stop();
    }
  });
});

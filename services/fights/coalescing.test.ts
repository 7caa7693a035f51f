import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { readMetric } from "../../testkit/processes/admin-client.js";
import { startFightsSystem, type FightsSystem } from "../../testkit/systems/fights-system.js";

/** Calls the heroes server handled, single and batch picks together. */
async function heroesPickCalls(system: FightsSystem): Promise<number> {
  const values = await Promise.all(
    ["GetRandomHero", "GetRandomHeroes"].map((method) =>
      readMetric(system.data.heroes.adminPort, "grpc_server_handled_total", { grpc_method: method, grpc_code: "OK" }),
    ),
  );
  return values.reduce<number>((sum, value) => sum + (value ?? 0), 0);
}

async function concurrentFights(system: FightsSystem, count: number) {
  const fights = await Promise.all(Array.from({ length: count }, () => system.client.methods.performRandomFight({})));
  return fights.map(({ fight }) => fight!);
}

// Upstream calls get 10 s instead of 1 s: on a starved machine a 1 s cap ends some picks in
// fallbacks, and a fight with neither hero nor villain fails UNAVAILABLE; this file counts calls.
const patient = {
  FIGHTS_HEROES_TIMEOUT_MS: "10000",
  FIGHTS_VILLAINS_TIMEOUT_MS: "10000",
  FIGHTS_LOCATIONS_TIMEOUT_MS: "10000",
};

describe("coalescing of random picks", () => {
  const systems: FightsSystem[] = [];
  after(() => Promise.all(systems.map((system) => system.stop())));

  it("turns 100 concurrent fights into far fewer heroes calls than fights", async () => {
    const system = await startFightsSystem({ fights: { ...patient, FIGHTS_FIGHTER_SOURCE: "coalesce" } });
    systems.push(system);
    const fights = await concurrentFights(system, 100);
    const calls = await heroesPickCalls(system);
    assert.equal(fights.filter((fight) => fight.winner?.fallback || fight.loser?.fallback).length, 0);
    assert.ok(calls >= 1 && calls <= 20, `100 concurrent fights made ${calls} heroes calls`);
  });

  it("makes one heroes call per fight without coalescing (the contrast)", async () => {
    const system = await startFightsSystem({ fights: { ...patient, FIGHTS_FIGHTER_SOURCE: "direct" } });
    systems.push(system);
    await concurrentFights(system, 100);
    assert.equal(await heroesPickCalls(system), 100);
  });

  it("serves most fights from the pool once it is filled", async () => {
    const system = await startFightsSystem({
      fights: { ...patient, FIGHTS_FIGHTER_SOURCE: "pool", FIGHTS_POOL_SIZE: "200" },
    });
    systems.push(system);
    await concurrentFights(system, 5); // starts the first refill
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = await heroesPickCalls(system);
    await concurrentFights(system, 50);
    const calls = (await heroesPickCalls(system)) - before;
    assert.ok(calls <= 2, `50 fights from a filled pool made ${calls} heroes calls`);
  });
});

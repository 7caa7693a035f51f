import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { createPromiseClient, type ServiceClient } from "../platform/calls/grpc-client.js";
import type { RunningService } from "../platform/server/service-process.js";
import type { RunningFights } from "./app.js";
import { startDataService, startFightsAgainst } from "../../testkit/systems/fights-system.js";

describe("hedged upstream reads (FIGHTS_HEDGE_MS)", () => {
  let services: RunningService[];
  let fights: RunningFights;
  let client: ServiceClient<typeof FightService>;
  before(async () => {
    // Two heroes instances behind one target: one answers after 1 s, the other at once.
    services = await Promise.all([
      startDataService("heroes", { HEROES_FAULT_LATENCY_MS: "1000" }),
      startDataService("heroes"),
      startDataService("villains"),
      startDataService("locations"),
    ]);
    const [slow, fast, villains, locations] = services as [
      RunningService,
      RunningService,
      RunningService,
      RunningService,
    ];
    fights = await startFightsAgainst(
      {
        heroes: `ipv4:127.0.0.1:${slow.grpcPort},127.0.0.1:${fast.grpcPort}`,
        villains: `127.0.0.1:${villains.grpcPort}`,
        locations: `127.0.0.1:${locations.grpcPort}`,
      },
      { FIGHTS_FIGHTER_SOURCE: "direct", FIGHTS_HEDGE_MS: "50", FIGHTS_HEROES_TIMEOUT_MS: "3000" },
    );
    client = createPromiseClient(FightService, `127.0.0.1:${fights.grpcPort}`);
    await client.methods.getRandomFighters({}); // connect every channel
  });
  after(async () => {
    client.close();
    await fights.stop();
    await Promise.all(services.map((service) => service.stop()));
  });

  it("answers from the fast instance when the first attempt lands on the slow one", async () => {
    const durations: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const started = performance.now();
      const { fighters } = await client.methods.getRandomFighters({}, { deadline: Date.now() + 5000 });
      durations.push(performance.now() - started);
      assert.equal(fighters?.heroFallback, false);
    }
    // Round robin sends about half of the first attempts to the 1 s instance; without hedging
    // those take a second.
    assert.ok(Math.max(...durations) < 800, `slowest of 10: ${Math.round(Math.max(...durations))} ms`);
  });
});

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { createPromiseClient, type ServiceClient } from "../platform/calls/grpc-client.js";
import type { RunningService } from "../platform/server/service-process.js";
import { readMetric } from "../../testkit/processes/admin-client.js";
import { spawnService, type NodeProcess } from "../../testkit/processes/node-process.js";
import type { RunningFights } from "./app.js";
import { dataServiceEnv, startDataService, startFightsAgainst } from "../../testkit/systems/fights-system.js";
import { serviceList } from "../service-list.js";

interface HeroesInstance {
  process: NodeProcess;
  grpcPort: number;
  adminPort: number;
}

async function spawnHeroes(): Promise<HeroesInstance> {
  const process = spawnService(serviceList.heroes.entryPoint, {
    ...dataServiceEnv("heroes"),
    LOG_LEVEL: "info",
    HEROES_GRPC_HOST: "127.0.0.1",
  });
  const line = await process.waitForLine((entry) => entry.msg === "heroes listening", 90_000);
  return { process, grpcPort: Number(line.grpcPort), adminPort: Number(line.adminPort) };
}

const handled = async (instance: HeroesInstance) =>
  (await readMetric(instance.adminPort, "grpc_server_handled_total", {
    grpc_method: "GetRandomHero",
    grpc_code: "OK",
  })) ?? 0;

describe("two heroes instances behind one target", { timeout: 180_000 }, () => {
  let instances: HeroesInstance[];
  let others: RunningService[];
  let fights: RunningFights;
  let client: ServiceClient<typeof FightService>;
  before(async () => {
    instances = await Promise.all([spawnHeroes(), spawnHeroes()]);
    others = await Promise.all([startDataService("villains"), startDataService("locations")]);
    fights = await startFightsAgainst(
      {
        heroes: `ipv4:${instances.map((instance) => `127.0.0.1:${instance.grpcPort}`).join(",")}`,
        villains: `127.0.0.1:${others[0]!.grpcPort}`,
        locations: `127.0.0.1:${others[1]!.grpcPort}`,
      },
      { FIGHTS_FIGHTER_SOURCE: "direct" },
    );
    client = createPromiseClient(FightService, `127.0.0.1:${fights.grpcPort}`);
  });
  after(async () => {
    client.close();
    await fights.stop();
    await Promise.all([
      ...instances.map((instance) => instance.process.kill()),
      ...others.map((service) => service.stop()),
    ]);
  });

  it("spreads calls over both instances (round_robin)", async () => {
    for (let i = 0; i < 20; i += 1) await client.methods.performRandomFight({});
    const [first, second] = await Promise.all(instances.map(handled));
    assert.equal(first! + second!, 20);
    assert.ok(first! >= 5 && second! >= 5, `calls were ${first} and ${second}`);
  });

  it("keeps every fight real when one instance is killed with SIGKILL", async () => {
    const [victim, survivor] = instances as [HeroesInstance, HeroesInstance];
    const survivorBefore = await handled(survivor);
    victim.process.child.kill("SIGKILL");
    const fallbacks: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, () => client.methods.getRandomFighters({}, { deadline: Date.now() + 3000 })),
      );
      fallbacks.push(batch.filter(({ fighters }) => fighters?.heroFallback).length);
    }
    assert.deepEqual(fallbacks, [0, 0, 0, 0, 0]);
    assert.ok((await handled(survivor)) - survivorBefore >= 50, "the surviving instance served every call");
    assert.equal((await victim.process.exited).signal, "SIGKILL");
  });
});

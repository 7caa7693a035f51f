import { HeroService } from "../../gen/superheroes/hero/v1/hero_service_pb.js";
import { type DatabaseVariant, type TestDatabase, testEnv } from "./catalog-kit.js";
import { createEnvReader } from "../../services/platform/config/env-reader.js";
import { createPromiseClient, type PromiseClient } from "../../services/platform/calls/grpc-client.js";
import type { RunningService } from "../../services/platform/server/service-process.js";
import { startHeroes } from "../../services/heroes/app.js";
import { serviceList } from "../../services/service-list.js";

/** A heroes service under test with a client and its database. */
export interface HeroesUnderTest {
  service: RunningService;
  client: PromiseClient<typeof HeroService>;
  database: TestDatabase;
  stop(): Promise<void>;
}

/** Starts the heroes service on a fresh database of `variant` (empty unless `env` seeds it). */
export async function startHeroesUnderTest(
  variant: DatabaseVariant,
  env: Record<string, string> = {},
): Promise<HeroesUnderTest> {
  const database = await variant.open();
  const service = await startHeroes(serviceList.heroes.readConfig(createEnvReader(testEnv("HEROES", database, env))));
  const client = createPromiseClient(HeroService, `127.0.0.1:${service.grpcPort}`);
  return {
    service,
    client: client.methods,
    database,
    async stop() {
      client.close();
      await service.stop();
      await database.close();
    },
  };
}

/** A valid hero input with `name`; other fields fixed. */
export function heroInput(name: string, level = 10) {
  return { name, otherName: `${name} (alias)`, level, picture: "/pictures/heroes/test.svg", powers: "Testing" };
}

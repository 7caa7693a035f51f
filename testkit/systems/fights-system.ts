import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { startHeroes } from "../../services/heroes/app.js";
import { startLocations } from "../../services/locations/app.js";
import { createEnvReader } from "../../services/platform/config/env-reader.js";
import { createPromiseClient, type ServiceClient } from "../../services/platform/calls/grpc-client.js";
import type { RunningService } from "../../services/platform/server/service-process.js";
import { startVillains } from "../../services/villains/app.js";
import { startFights, type RunningFights } from "../../services/fights/app.js";
import type { FighterKind } from "../../services/fights/fighters/fighter-source.js";
import { serviceList } from "../../services/service-list.js";

/** Extra environment per part of the system, e.g. `{ heroes: { HEROES_FAULT_LATENCY_MS: "50" } }`. */
export interface FightsSystemOptions {
  heroes?: Record<string, string>;
  villains?: Record<string, string>;
  locations?: Record<string, string>;
  fights?: Record<string, string>;
}

/** Three data services on PGlite and a fights service calling them, all on ephemeral ports. */
export interface FightsSystem {
  data: Record<FighterKind, RunningService>;
  fights: RunningFights;
  client: ServiceClient<typeof FightService>;
  stop(): Promise<void>;
}

const quiet = { LOG_LEVEL: "warn" };

/** The environment of a data service on ephemeral ports with fault injection enabled. */
export function dataServiceEnv(kind: FighterKind, extra: Record<string, string> = {}): Record<string, string> {
  const prefix = serviceList[kind].envPrefix;
  return {
    ...quiet,
    [`${prefix}_GRPC_PORT`]: "0",
    [`${prefix}_ADMIN_PORT`]: "0",
    [`${prefix}_FAULTS_ENABLED`]: "true",
    ...extra,
  };
}

/** Starts one data service in-process. */
export async function startDataService(kind: FighterKind, env: Record<string, string> = {}): Promise<RunningService> {
  const reader = createEnvReader(dataServiceEnv(kind, env));
  if (kind === "heroes") return startHeroes(serviceList.heroes.readConfig(reader));
  if (kind === "villains") return startVillains(serviceList.villains.readConfig(reader));
  return startLocations(serviceList.locations.readConfig(reader));
}

/** Starts the fights service against the given upstream targets. */
export async function startFightsAgainst(
  targets: Record<FighterKind, string>,
  env: Record<string, string> = {},
): Promise<RunningFights> {
  return startFights(
    serviceList.fights.readConfig(
      createEnvReader({
        ...quiet,
        FIGHTS_GRPC_PORT: "0",
        FIGHTS_ADMIN_PORT: "0",
        FIGHTS_WEB_PORT: "0",
        FIGHTS_HEROES_TARGET: targets.heroes,
        FIGHTS_VILLAINS_TARGET: targets.villains,
        FIGHTS_LOCATIONS_TARGET: targets.locations,
        ...env,
      }),
    ),
  );
}

/** Starts the whole system; `stop()` tears every part down. */
export async function startFightsSystem(options: FightsSystemOptions = {}): Promise<FightsSystem> {
  const [heroes, villains, locations] = await Promise.all([
    startDataService("heroes", options.heroes),
    startDataService("villains", options.villains),
    startDataService("locations", options.locations),
  ]);
  const data = { heroes, villains, locations };
  const fights = await startFightsAgainst(
    {
      heroes: `127.0.0.1:${heroes.grpcPort}`,
      villains: `127.0.0.1:${villains.grpcPort}`,
      locations: `127.0.0.1:${locations.grpcPort}`,
    },
    options.fights,
  );
  const client = createPromiseClient(FightService, `127.0.0.1:${fights.grpcPort}`);
  return {
    data,
    fights,
    client,
    async stop() {
      client.close();
      await fights.stop();
      await Promise.all(Object.values(data).map((service) => service.stop()));
    },
  };
}

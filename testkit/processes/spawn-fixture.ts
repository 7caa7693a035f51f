import { serviceEntryPoints, spawnService, type SpawnedService } from "./node-process.js";

export type { ProcessExit, SpawnedService as SpawnedFixture } from "./node-process.js";

/** Starts `fixture-service.ts` as a real process with only PATH and `env` in its environment. */
export function spawnFixture(env: Record<string, string>): SpawnedService {
  return spawnService(serviceEntryPoints.fixture, env);
}

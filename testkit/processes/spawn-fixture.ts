import { spawnService, type NodeProcess, fixtureEntryPoint } from "./node-process.js";

export type { ProcessExit, NodeProcess as SpawnedFixture } from "./node-process.js";

/** Starts `fixture-service.ts` as a real process with only PATH and `env` in its environment. */
export function spawnFixture(env: Record<string, string>): NodeProcess {
  return spawnService(fixtureEntryPoint, env);
}

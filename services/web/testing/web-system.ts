import { startHeroes } from "../../heroes/app.js";
import { heroesConfigFromEnv } from "../../heroes/config.js";
import { startLocations } from "../../locations/app.js";
import { locationsConfigFromEnv } from "../../locations/config.js";
import { createEnvReader } from "../../platform/config.js";
import type { RunningService } from "../../platform/service-process.js";
import { startVillains } from "../../villains/app.js";
import { villainsConfigFromEnv } from "../../villains/config.js";
import { startFights, type RunningFights } from "../../fights/app.js";
import { fightsConfigFromEnv } from "../../fights/config.js";

/** Options of `startWebSystem`. */
export interface WebSystemOptions {
  /** Folder of the built page the web edge serves (FIGHTS_WEB_STATIC_DIR). */
  staticDir: string;
  /** Extra FIGHTS_* variables, e.g. a low breaker threshold. */
  fightsEnv?: Record<string, string>;
}

/** The whole system in this process: three data services on in-memory PGlite and fights. */
export interface WebSystem {
  /** `http://127.0.0.1:<web port>`: the page and the Connect edge. */
  baseUrl: string;
  fights: RunningFights;
  /** Stops the heroes service (the others keep running). */
  stopHeroes(): Promise<void>;
  /** Starts heroes again on the port it had, with freshly seeded data. */
  restartHeroes(): Promise<void>;
  /** Stops everything that is still running. */
  stop(): Promise<void>;
}

const quiet = { LOG_LEVEL: "warn" };

/** Starts the data services on port 0, then fights against them with its web edge on port 0. */
export async function startWebSystem(options: WebSystemOptions): Promise<WebSystem> {
  const startHeroesOn = (port: number) => startHeroes(heroesConfigFromEnv(createEnvReader({ ...quiet, HEROES_GRPC_PORT: String(port), HEROES_ADMIN_PORT: "0" })));
  const [firstHeroes, villains, locations] = await Promise.all([
    startHeroesOn(0),
    startVillains(villainsConfigFromEnv(createEnvReader({ ...quiet, VILLAINS_GRPC_PORT: "0", VILLAINS_ADMIN_PORT: "0" }))),
    startLocations(locationsConfigFromEnv(createEnvReader({ ...quiet, LOCATIONS_GRPC_PORT: "0", LOCATIONS_ADMIN_PORT: "0" }))),
  ]);
  let heroes: RunningService | undefined = firstHeroes;
  const heroesPort = firstHeroes.grpcPort;
  const fights = await startFights(
    fightsConfigFromEnv(
      createEnvReader({
        ...quiet,
        FIGHTS_GRPC_PORT: "0",
        FIGHTS_ADMIN_PORT: "0",
        FIGHTS_WEB_PORT: "0",
        FIGHTS_WEB_HOST: "127.0.0.1",
        FIGHTS_WEB_STATIC_DIR: options.staticDir,
        FIGHTS_HEROES_TARGET: `127.0.0.1:${heroesPort}`,
        FIGHTS_VILLAINS_TARGET: `127.0.0.1:${villains.grpcPort}`,
        FIGHTS_LOCATIONS_TARGET: `127.0.0.1:${locations.grpcPort}`,
        ...options.fightsEnv,
      }),
    ),
  );
  return {
    baseUrl: `http://127.0.0.1:${fights.webPort}`,
    fights,
    async stopHeroes() {
      await heroes?.stop();
      heroes = undefined;
    },
    async restartHeroes() {
      heroes ??= await startHeroesOn(heroesPort);
    },
    async stop() {
      await fights.stop();
      await Promise.all([heroes?.stop(), villains.stop(), locations.stop()]);
      heroes = undefined;
    },
  };
}

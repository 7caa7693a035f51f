import type { RunningFights } from "../../services/fights/app.js";
import { startDataService, startFightsAgainst } from "./fights-system.js";
import type { RunningService } from "../../services/platform/server/service-process.js";

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

/** Starts the data services on port 0, then fights against them with its web edge on port 0. */
export async function startWebSystem(options: WebSystemOptions): Promise<WebSystem> {
  const startHeroesOn = (port: number) => startDataService("heroes", { HEROES_GRPC_PORT: String(port) });
  const [firstHeroes, villains, locations] = await Promise.all([
    startHeroesOn(0),
    startDataService("villains"),
    startDataService("locations"),
  ]);
  let heroes: RunningService | undefined = firstHeroes;
  const heroesPort = firstHeroes.grpcPort;
  const fights = await startFightsAgainst(
    {
      heroes: `127.0.0.1:${heroesPort}`,
      villains: `127.0.0.1:${villains.grpcPort}`,
      locations: `127.0.0.1:${locations.grpcPort}`,
    },
    { FIGHTS_WEB_HOST: "127.0.0.1", FIGHTS_WEB_STATIC_DIR: options.staticDir, ...options.fightsEnv },
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

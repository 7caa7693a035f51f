import type { RunningFights } from "../../services/fights/app.js";
import { startDataService, startFightsAgainst } from "./fights-system.js";
import type { RunningService } from "../../services/platform/server/service-process.js";
import { fighterKinds, type FighterKind } from "../../services/fights/fighters/fighter-source.js";
import { serviceList } from "../../services/service-list.js";

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
  /** Stops the villains service (the others keep running). */
  stopVillains(): Promise<void>;
  /** Starts villains again on the port it had, with freshly seeded data. */
  restartVillains(): Promise<void>;
  /** Stops everything that is still running. */
  stop(): Promise<void>;
}

/** Starts the data services on port 0, then fights against them with its web edge on port 0. */
export async function startWebSystem(options: WebSystemOptions): Promise<WebSystem> {
  const startOn = (kind: FighterKind, port: number) =>
    startDataService(kind, { [`${serviceList[kind].envPrefix}_GRPC_PORT`]: String(port) });
  const running: Partial<Record<FighterKind, RunningService>> = {};
  await Promise.all(fighterKinds.map(async (kind) => (running[kind] = await startOn(kind, 0))));
  const ports = Object.fromEntries(fighterKinds.map((kind) => [kind, running[kind]!.grpcPort])) as Record<
    FighterKind,
    number
  >;
  const fights = await startFightsAgainst(
    {
      heroes: `127.0.0.1:${ports.heroes}`,
      villains: `127.0.0.1:${ports.villains}`,
      locations: `127.0.0.1:${ports.locations}`,
    },
    { FIGHTS_WEB_HOST: "127.0.0.1", FIGHTS_WEB_STATIC_DIR: options.staticDir, ...options.fightsEnv },
  );
  const stopOne = async (kind: FighterKind) => {
    await running[kind]?.stop();
    delete running[kind];
  };
  const restartOne = async (kind: FighterKind) => {
    running[kind] ??= await startOn(kind, ports[kind]);
  };
  return {
    baseUrl: `http://127.0.0.1:${fights.webPort}`,
    fights,
    stopHeroes: () => stopOne("heroes"),
    restartHeroes: () => restartOne("heroes"),
    stopVillains: () => stopOne("villains"),
    restartVillains: () => restartOne("villains"),
    async stop() {
      await fights.stop();
      await Promise.all(fighterKinds.map(stopOne));
    },
  };
}

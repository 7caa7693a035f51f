import pg from "pg";
import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { createPromiseClient, type ServiceClient } from "../../services/platform/calls/grpc-client.js";
import type { RunningService } from "../../services/platform/server/service-process.js";
import type { RunningFights } from "../../services/fights/app.js";
import { fighterKinds, type FighterKind } from "../../services/fights/fighters/fighter-source.js";
import { serviceList } from "../../services/service-list.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../postgres.js";
import { startDataService, startFightsAgainst, type FightsSystemOptions } from "./fights-system.js";

/** Options of `startPostgresFightsSystem`: extra environment per part, and upstreams that are down. */
export interface PostgresFightsSystemOptions extends FightsSystemOptions {
  /** Upstreams fights reaches at this target instead of a started data service (e.g. a refuser). */
  downTargets?: Partial<Record<FighterKind, string>>;
}

/**
 * Data services and fights in this process, each on its own throw-away PostgreSQL database (no
 * PGlite: light enough to run beside other suites), with a client of the fights database to
 * count what was stored.
 */
export interface PostgresFightsSystem {
  data: Partial<Record<FighterKind, RunningService>>;
  fights: RunningFights;
  client: ServiceClient<typeof FightService>;
  /** The fights database: the test reads and changes it directly. */
  fightsDb: pg.Client;
  /** Its URL, e.g. for a second fights service on the same database. */
  fightsUrl: string;
  /** Rows in the fights table now. */
  storedFights(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the data services that are not down, then fights against them. */
export async function startPostgresFightsSystem(
  options: PostgresFightsSystemOptions = {},
): Promise<PostgresFightsSystem> {
  const databases: ThrowawayDatabase[] = [];
  const database = async () => {
    const created = await createThrowawayDatabase({ prefix: "fights_system" });
    databases.push(created);
    return created.url;
  };
  const data: Partial<Record<FighterKind, RunningService>> = {};
  const targets = {} as Record<FighterKind, string>;
  await Promise.all(
    fighterKinds.map(async (kind) => {
      const down = options.downTargets?.[kind];
      if (down !== undefined) {
        targets[kind] = down;
        return;
      }
      const prefix = serviceList[kind].envPrefix;
      const service = await startDataService(kind, { [`${prefix}_DATABASE_URL`]: await database(), ...options[kind] });
      data[kind] = service;
      targets[kind] = `127.0.0.1:${service.grpcPort}`;
    }),
  );
  const fightsUrl = await database();
  const fights = await startFightsAgainst(targets, { FIGHTS_DATABASE_URL: fightsUrl, ...options.fights });
  const client = createPromiseClient(FightService, `127.0.0.1:${fights.grpcPort}`);
  const fightsDb = new pg.Client({ connectionString: fightsUrl });
  await fightsDb.connect();
  return {
    data,
    fights,
    client,
    fightsDb,
    fightsUrl,
    storedFights: async () =>
      Number((await fightsDb.query<{ count: string }>("select count(*) from fights")).rows[0]!.count),
    async stop() {
      client.close();
      await fightsDb.end();
      await fights.stop();
      await Promise.all(Object.values(data).map((service) => service.stop()));
      await Promise.all(databases.map((created) => created.drop()));
    },
  };
}

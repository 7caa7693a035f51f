import { Kysely, PostgresDialect, type Migration, Migrator, sql } from "kysely";
import pg from "pg";
import { redactUrl, type Logger } from "../observability/logger.js";
import { checkChannel, listenOnPostgres, type DatabaseListener, type ListenOptions } from "./database-listener.js";
import type { PglitePool, PoolLike } from "./pglite-pool.js";
import { fusedBeginPool } from "./fused-begin.js";
import { preparingPool } from "./prepared-statements.js";

/** Options of `openDatabase`. */
export interface DatabaseOptions {
  /** PostgreSQL connection URL; when absent an embedded PGlite is used. */
  url?: string;
  /** PGlite data directory (data survives restarts); in memory when absent. Ignored with `url`. */
  dataDir?: string;
  /** Most PostgreSQL connections held at once. */
  poolSize: number;
  logger: Logger;
}

/** An open database of one service. */
export interface Database<DB> {
  db: Kysely<DB>;
  /** `postgresql://user:***@host/db` or `pglite (memory)`: safe to log and show in /stats. */
  description: string;
  /** Whether the database answers a trivial query within `timeoutMs`. */
  ping(timeoutMs: number): Promise<boolean>;
  /**
   * LISTEN on a channel: on PostgreSQL over a dedicated connection that reconnects (every process
   * on the database hears every NOTIFY); on PGlite in this process (one session, one process).
   */
  listen(options: ListenOptions): Promise<DatabaseListener>;
  close(): Promise<void>;
}

/**
 * Opens PostgreSQL through a pg Pool when `url` is set, else an embedded PGlite, both behind the
 * same kysely dialect, so every query is the same SQL on either.
 */
export async function openDatabase<DB>(options: DatabaseOptions): Promise<Database<DB>> {
  const { url, logger } = options;
  // PGlite's module is loaded only when used: a service on PostgreSQL (also on the shared PGlite
  // of `npm start`, reached through pg) never pays for it in its memory.
  const engine =
    url === undefined
      ? {
          kind: "pglite" as const,
          pool: await (await import("./pglite-pool.js")).createPglitePool(options.dataDir),
        }
      : { kind: "postgres" as const, url, pool: createPgPool(url, options.poolSize, logger) };
  const { pool } = engine;
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });
  const description = options.url === undefined ? `pglite (${options.dataDir ?? "memory"})` : redactUrl(options.url);
  return {
    db,
    description,
    ping: (timeoutMs) => ping(db as unknown as Kysely<unknown>, timeoutMs),
    listen: (listenOptions) =>
      engine.kind === "pglite"
        ? listenOnPglite(engine.pool, listenOptions)
        : listenOnPostgres(engine.url, listenOptions, logger),
    close: () => db.destroy(),
  };
}

/**
 * Runs the given migrations in name order. kysely's Postgres adapter takes an advisory lock for
 * the whole run, so two instances starting at once migrate once.
 */
export async function migrate<DB>(db: Kysely<DB>, migrations: Record<string, Migration>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
}

async function listenOnPglite(pglite: PglitePool, options: ListenOptions): Promise<DatabaseListener> {
  checkChannel(options.channel);
  const unlisten = await pglite.listen(options.channel, options.onNotification);
  return { close: () => unlisten() };
}

function createPgPool(url: string, poolSize: number, logger: Logger): PoolLike {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Fail fast while the database is down instead of queueing callers until their deadline.
    connectionTimeoutMillis: 2_000,
    idleTimeoutMillis: 30_000,
    // A query stuck for this long is cancelled server-side; no RPC deadline is longer.
    statement_timeout: 10_000,
    // Queries given to a connection before the last one answered go out at once (pg's pipeline
    // mode): what lets `fusedBeginPool` send a transaction's BEGIN with its first statement.
    pipeline: true,
  });
  // Idle clients error when PostgreSQL restarts; without a listener that would crash the process.
  pool.on("error", (error) => logger.warn({ err: error }, "idle database connection failed"));
  // pg-pool takes its idle listener off a client while it is checked out, so a connection reset
  // during a query (database restart, network cut) is an 'error' event nobody hears: the process
  // crashed (seen on Node 26 under load). The query itself still fails with the error; this only
  // keeps the event from being unhandled.
  pool.on("connect", (client) =>
    client.on("error", (error) => logger.warn({ err: error }, "database connection failed during a query")),
  );
  return fusedBeginPool(preparingPool(pool));
}

async function ping(db: Kysely<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([sql`select 1`.execute(db).then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

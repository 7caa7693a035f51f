import { Kysely, PostgresDialect, type Migration, Migrator, sql } from "kysely";
import pg from "pg";
import { UnavailableError } from "../core/errors.js";
import { redactUrl, type Logger } from "../observability/logger.js";
import { createPglitePool, type PoolLike } from "./pglite-pool.js";

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
  close(): Promise<void>;
}

/**
 * Opens PostgreSQL through a pg Pool when `url` is set, else an embedded PGlite, both behind the
 * same kysely dialect, so every query is the same SQL on either.
 */
export async function openDatabase<DB>(options: DatabaseOptions): Promise<Database<DB>> {
  const pool = options.url === undefined ? await createPglitePool(options.dataDir) : createPgPool(options.url, options.poolSize, options.logger);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });
  const description = options.url === undefined ? `pglite (${options.dataDir ?? "memory"})` : redactUrl(options.url);
  return {
    db,
    description,
    ping: (timeoutMs) => ping(db as unknown as Kysely<unknown>, timeoutMs),
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

/** Turns a failure to reach the database into UnavailableError; other errors pass unchanged. */
export function unavailableIfDisconnected(error: unknown): unknown {
  return isConnectionError(error) ? new UnavailableError("database unavailable; retry later") : error;
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
  });
  // Idle clients error when PostgreSQL restarts; without a listener that would crash the process.
  pool.on("error", (error) => logger.warn({ err: error }, "idle database connection failed"));
  return pool as unknown as PoolLike;
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

// Node socket errors, and PostgreSQL SQLSTATEs for a server that is going away (57P0x), a broken
// connection (08xxx), a database that is gone (3D000) or full (53300): all worth a retry later.
const connectionErrorCodes = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006", "3D000", "53300"]);

function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && connectionErrorCodes.has(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i.test(error.message);
}

import { openPglite } from "./pglite-template.js";

/** The slice of pg's Pool that kysely's PostgresDialect uses. */
export interface PoolLike {
  connect(): Promise<PoolClientLike>;
  end(): Promise<void>;
}

/** The slice of pg's PoolClient that kysely's PostgresDialect uses. */
export interface PoolClientLike {
  query(
    sql: string,
    parameters: readonly unknown[],
  ): Promise<{ command?: string; rowCount?: number | null; rows: unknown[] }>;
  /** `destroy` true: the connection is broken, drop it instead of reusing it. */
  release(destroy?: boolean): void;
}

/** The PGlite "pool", which can also LISTEN on its one session. */
export interface PglitePool extends PoolLike {
  /** LISTEN on `channel`; notifications arrive in commit order, in this process only. Resolves to UNLISTEN. */
  listen(channel: string, onNotification: (payload: string) => void): Promise<() => Promise<void>>;
}

/**
 * An embedded PostgreSQL (PGlite, in memory or in `dataDir`) behind a pg-Pool-shaped object, so
 * the same kysely `PostgresDialect` and the same SQL run on both. PGlite has one session, so the
 * "pool" lends it to one borrower at a time: a transaction never interleaves with other queries.
 */
export async function createPglitePool(dataDir?: string): Promise<PglitePool> {
  const database = await openPglite(dataDir);
  let queue: Promise<void> = Promise.resolve();
  return {
    async connect() {
      let release!: () => void;
      const turn = queue;
      queue = new Promise<void>((resolve) => (release = resolve));
      await turn;
      let released = false;
      return {
        query: async (sql, parameters) => {
          const result = await database.query(sql, [...parameters]);
          return { command: result.command, rowCount: result.rowCount ?? result.affectedRows, rows: result.rows };
        },
        release: () => {
          if (released) return;
          released = true;
          release();
        },
      };
    },
    // PGlite runs LISTEN on its session and calls back when a statement's result carries a
    // notification: its own NOTIFYs, at commit, in commit order, like a second PostgreSQL session.
    listen: (channel, onNotification) => database.listen(channel, onNotification),
    end: () => database.close(),
  };
}

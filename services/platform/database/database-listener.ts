import pg from "pg";
import type { Logger } from "../observability/logger.js";

/** What to do with the notifications of one channel. */
export interface ListenOptions {
  /** A channel name of lower-case letters, digits and underscores. */
  channel: string;
  /** Each notification's payload, in the order PostgreSQL sends them (commit order). */
  onNotification(payload: string): void;
  /**
   * Called once a lost connection is listening again: notifications sent while it was down were
   * missed, so the caller catches up from its tables.
   */
  onReconnected?(): void;
}

/** A LISTEN that lasts until closed. */
export interface DatabaseListener {
  close(): Promise<void>;
}

/** Reconnect delays: 100 ms, doubling, at most this long. */
const maxReconnectDelayMs = 5_000;

/**
 * LISTEN on a dedicated PostgreSQL connection (never a pooled one: a pool would hand it back and
 * the LISTEN with it). When the connection is lost (database restart, `pg_terminate_backend`,
 * network) it logs so, reconnects with backoff, LISTENs again, logs that too and calls
 * `onReconnected`. Resolves once the first LISTEN is in place.
 */
export async function listenOnPostgres(url: string, options: ListenOptions, logger: Logger): Promise<DatabaseListener> {
  const { channel } = options;
  checkChannel(channel);
  let current: pg.Client | undefined;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let lostAt = 0;
  let attempts = 0;

  const connect = async () => {
    const client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: 2_000,
      // TCP keepalive after 10 s idle: a connection cut without a FIN (a partition) is noticed.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      // Named in pg_stat_activity, so an operator (or a test) can tell the listener from the pool.
      application_name: listenerApplicationName(channel),
    });
    client.on("notification", (message) => {
      if (message.channel === channel) options.onNotification(message.payload ?? "");
    });
    client.on("error", (error) => lose(client, error));
    client.on("end", () => lose(client, new Error("connection ended")));
    try {
      await client.connect();
      await client.query(`listen ${channel}`);
    } catch (error: unknown) {
      client.removeAllListeners("end");
      await client.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      await client.end();
      return;
    }
    current = client;
  };
  const lose = (client: pg.Client, error: Error) => {
    if (client !== current || closed) return;
    current = undefined;
    lostAt = performance.now();
    client.removeAllListeners("end");
    client.end().catch(() => undefined);
    logger.warn({ err: error, channel }, `lost the database connection listening on ${channel}; reconnecting`);
    scheduleReconnect();
  };
  const scheduleReconnect = () => {
    const delayMs = Math.min(100 * 2 ** attempts, maxReconnectDelayMs);
    retryTimer = setTimeout(() => void reconnect(), delayMs);
  };
  const reconnect = async () => {
    attempts += 1;
    try {
      await connect();
    } catch (error: unknown) {
      if (closed) return;
      logger.warn({ err: error, channel, attempts }, `reconnecting to listen on ${channel} failed; retrying`);
      scheduleReconnect();
      return;
    }
    if (closed) return;
    logger.warn(
      { channel, attempts, downMs: Math.round(performance.now() - lostAt) },
      `reconnected to the database and listening on ${channel} again`,
    );
    attempts = 0;
    options.onReconnected?.();
  };

  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      const client = current;
      current = undefined;
      await client?.end();
    },
  };
}

/** `application_name` of the connection that listens on `channel`, e.g. `listen fight_stored`. */
export function listenerApplicationName(channel: string): string {
  return `listen ${channel}`;
}

/** Channel names go into `LISTEN` as identifiers, so only plain lower-case names are allowed. */
export function checkChannel(channel: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`"${channel}" is not a plain channel name`);
}

import { createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import { openPglite } from "../../../services/platform/database/pglite-template.js";
import {
  fatalError,
  firstError,
  type FrontendMessage,
  listenChange,
  readFrontendMessages,
  simpleQuery,
  startupReply,
  syncMessage,
  takeNotifications,
} from "./pg-wire.js";

/**
 * One PGlite behind a PostgreSQL socket, shared by every service `npm start` runs: each service
 * connects with `pg` exactly as it would to PostgreSQL, so there is one database code path, and
 * the system holds one PGlite instead of one per service (README: Running it, for the figures).
 *
 * PGlite is one PostgreSQL session. So each database a client names in its start-up message is a
 * schema of that one session (`postgresql://heroes@host:port/heroes` → schema `heroes`), and the
 * server gives the session to one connection at a time: a connection holds it from its first
 * message to the end of its batch (up to Sync or a simple Query) and for as long as it is inside
 * a transaction, and the server sets `search_path` to the connection's schema whenever the session
 * changes hands. Why not `@electric-sql/pglite-socket` (0.2.17): it pins `@electric-sql/pglite`
 * 0.5.14 exactly as a peer (we have 0.5.16), and, tried with 0.5.14, a `set search_path` on one
 * connection changed it for every other (one session), so the schema-per-service split it would
 * need cannot be kept per connection; its queue also hands the session over between any two
 * messages, not at a Sync. This file is the part of it we need plus the per-connection schema.
 *
 * LISTEN/NOTIFY: PGlite delivers a notification to its one session, that is in the output of
 * whichever batch committed the NOTIFY. The server takes notifications out of every output and
 * writes them to the connections that sent `LISTEN channel` (as PostgreSQL delivers them to each
 * listening session), so fights' live feed works here as on PostgreSQL. The session itself keeps
 * listening once any connection has: an UNLISTEN only ends that connection's share. A LISTEN is
 * recognised only as a simple-protocol Query holding that one statement (what `pg` sends for
 * `client.query("LISTEN x")`, and what fights' listener does): one sent through the extended
 * protocol or inside a multi-statement Query runs, but its notifications are not routed to it.
 */

/** Options of `startPgliteServer`. */
export interface PgliteServerOptions {
  host: string;
  /** 0: the OS picks one. */
  port: number;
  /** PGlite data directory (data survives restarts); in memory when absent. */
  dataDir?: string;
  /** The databases clients may name; each is a schema, created when PGlite opens. */
  databases: readonly string[];
  /**
   * How long a connection may hold the session inside a transaction without sending anything, ms
   * (default 5000): then it is rolled back and disconnected, as PostgreSQL's
   * idle_in_transaction_session_timeout does. One stopped client must not stall every service.
   */
  idleInTransactionMs?: number;
  /** Opens the PGlite; default `openPglite` (a template-loaded cluster). Tests pass one they can break. */
  open?: (dataDir: string | undefined) => Promise<PGlite>;
}

/** A running shared PGlite server. */
export interface PgliteServer {
  port: number;
  /** The URL a service connects with to its database (a schema of the one PGlite). */
  url(database: string): string;
  /** Resolves with PGlite's open time in ms; rejects when PGlite cannot open. Clients may connect before. */
  ready: Promise<number>;
  /** Resolves when PGlite fails while serving (the server has closed every connection then). */
  failed: Promise<Error>;
  /** Connections open now. */
  connections(): number;
  close(): Promise<void>;
}

/** Listens at once and opens PGlite meanwhile: a client's queries wait until it is ready. */
export async function startPgliteServer(options: PgliteServerOptions): Promise<PgliteServer> {
  for (const name of options.databases)
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name "${name}" is not a plain identifier`);
  const openedAt = performance.now();
  let database: PGlite | undefined;
  const ready = (options.open ?? openPglite)(options.dataDir).then((opened) => {
    database = opened;
    for (const name of options.databases) runOrThrow(opened, `create schema if not exists "${name}"`);
    // Loading the cluster leaves ~70 MB of buffers behind that V8 does not collect on its own in an
    // idle process; `npm start` runs with --expose-gc for this one collection (measured 294 → 225 MiB).
    (globalThis as { gc?: () => void }).gc?.();
    return performance.now() - openedAt;
  });
  ready.catch(() => undefined);
  let reportFailure: (error: Error) => void = () => undefined;
  const failed = new Promise<Error>((resolve) => (reportFailure = resolve));

  const session = createSessionLock();
  const listeners = createListenerTable();
  const sockets = new Set<Socket>();
  let nextId = 1;
  let broken: Error | undefined;
  const fail = (error: Error) => {
    if (broken !== undefined) return;
    broken = error;
    for (const socket of sockets) socket.destroy();
    reportFailure(error);
  };

  const server = createServer((socket) => {
    if (broken !== undefined) return void socket.destroy();
    sockets.add(socket);
    socket.setNoDelay(true);
    const connection = serveConnection({
      id: nextId++,
      socket,
      databases: options.databases,
      session,
      listeners,
      database: async () => {
        await ready;
        if (broken !== undefined || database === undefined) throw broken ?? new Error("PGlite is not open");
        return database;
      },
      fail,
      idleInTransactionMs: options.idleInTransactionMs ?? 5_000,
    });
    socket.on("close", () => {
      sockets.delete(socket);
      connection.closed();
    });
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (name) => `postgresql://${name}@${options.host}:${port}/${name}`,
    ready,
    failed,
    connections: () => sockets.size,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ready.then(
        () => database?.close(),
        () => undefined,
      );
    },
  };
}

/** Who holds PGlite's one session; the others wait in line (first come, first served). */
interface SessionLock {
  /** Resolves once `holder` holds the session (at once if it already does). */
  acquire(holder: number): Promise<void>;
  /** Hands the session to the next in line, if `holder` holds it. */
  release(holder: number): void;
  /** Leaves the line without ever holding the session. */
  forget(holder: number): void;
  holder(): number | undefined;
  /** The schema `search_path` points at now. */
  schema: string | undefined;
}

function createSessionLock(): SessionLock {
  let holder: number | undefined;
  const line: { id: number; resolve: () => void }[] = [];
  return {
    schema: undefined,
    holder: () => holder,
    acquire(id) {
      if (holder === undefined || holder === id) {
        holder = id;
        return Promise.resolve();
      }
      return new Promise((resolve) => line.push({ id, resolve }));
    },
    release(id) {
      if (holder !== id) return;
      const next = line.shift();
      holder = next?.id;
      next?.resolve();
    },
    forget(id) {
      const index = line.findIndex((waiting) => waiting.id === id);
      if (index >= 0) line.splice(index, 1);
    },
  };
}

/** Which connections LISTEN on which channel. */
interface ListenerTable {
  listen(channel: string, socket: Socket): void;
  /** `*`: every channel of this connection. */
  unlisten(channel: string, socket: Socket): void;
  /** Writes each notification to the connections listening on its channel. */
  deliver(notifications: readonly { channel: string; bytes: Uint8Array }[]): void;
}

function createListenerTable(): ListenerTable {
  const byChannel = new Map<string, Set<Socket>>();
  return {
    listen(channel, socket) {
      const sockets = byChannel.get(channel) ?? new Set<Socket>();
      sockets.add(socket);
      byChannel.set(channel, sockets);
      socket.once("close", () => this.unlisten("*", socket));
    },
    unlisten(channel, socket) {
      for (const [name, sockets] of byChannel) if (channel === "*" || name === channel) sockets.delete(socket);
    },
    deliver(notifications) {
      for (const { channel, bytes } of notifications)
        for (const socket of byChannel.get(channel) ?? []) if (!socket.destroyed) socket.write(bytes);
    },
  };
}

interface ConnectionOptions {
  id: number;
  socket: Socket;
  databases: readonly string[];
  session: SessionLock;
  listeners: ListenerTable;
  database(): Promise<PGlite>;
  fail(error: Error): void;
  idleInTransactionMs: number;
}

/** Messages that end a batch: the client waits for the answer after them. */
const batchEnds = new Set(["S", "Q", "H", "X"]);

/**
 * One client connection: answers the start-up itself, then runs the client's messages on PGlite
 * batch by batch, holding the session as described at the top of this file.
 */
function serveConnection(options: ConnectionOptions): { closed(): void } {
  const { id, socket, session } = options;
  // Received bytes not yet read as messages, and how many the incomplete message needs in all.
  let chunks: Buffer[] = [];
  let buffered = 0;
  let needed = 0;
  let startedUp = false;
  let schema: string | undefined;
  const pending: Uint8Array[] = [];
  const pendingTypes: string[] = [];
  let running = false;
  let isClosed = false;
  // Between a Flush and the next Sync the client's unnamed statement and portal live in the session.
  let midSequence = false;
  // Runs while this connection holds the session between batches (inside a transaction).
  let holdTimer: NodeJS.Timeout | undefined;
  const dropIdleHolder = () => {
    const seconds = (options.idleInTransactionMs / 1000).toFixed(1);
    socket.end(
      fatalError("25P03", `terminating connection: idle in transaction for ${seconds} s on the shared PGlite`),
    );
    socket.destroy();
  };

  const handle = (message: FrontendMessage) => {
    if (message.kind === "ssl-request") return void socket.write("N");
    if (message.kind === "cancel-request") return void socket.end();
    if (message.kind === "startup") {
      const name = message.parameters.database ?? message.parameters.user ?? "";
      if (!options.databases.includes(name)) {
        socket.end(
          fatalError("3D000", `database "${name}" does not exist; this server has ${options.databases.join(", ")}`),
        );
        return;
      }
      schema = name;
      return void socket.write(startupReply(id));
    }
    pending.push(listenedQuery(message.bytes));
    pendingTypes.push(message.type);
  };
  /** Records a LISTEN or UNLISTEN; an UNLISTEN runs as an empty query (the session stays listening for the others). */
  const listenedQuery = (bytes: Uint8Array): Uint8Array => {
    const change = listenChange(bytes);
    if (change === undefined) return bytes;
    if ("listen" in change) {
      options.listeners.listen(change.listen, socket);
      return bytes;
    }
    options.listeners.unlisten(change.unlisten, socket);
    return simpleQuery("");
  };

  const runBatches = async () => {
    if (running) return;
    running = true;
    try {
      for (;;) {
        const end = pendingTypes.findIndex((type) => batchEnds.has(type));
        if (end < 0 || isClosed) break;
        const batch = pending.splice(0, end + 1);
        const types = pendingTypes.splice(0, end + 1);
        if (types.at(-1) === "X") {
          socket.end();
          break;
        }
        await session.acquire(id);
        clearTimeout(holdTimer);
        const database = await options.database();
        if (session.schema !== schema) {
          runOrThrow(database, `set search_path to "${schema}"`);
          session.schema = schema;
        }
        for (const bytes of batch) {
          const { rest, notifications } = takeNotifications(await database.execProtocolRaw(bytes));
          if (rest.length > 0 && !socket.destroyed) socket.write(rest);
          options.listeners.deliver(notifications);
        }
        midSequence = types.at(-1) === "H" || (midSequence && !types.includes("S") && !types.includes("Q"));
        if (!midSequence && !database.isInTransaction()) session.release(id);
        else holdTimer = setTimeout(dropIdleHolder, options.idleInTransactionMs);
      }
    } catch (error: unknown) {
      options.fail(error instanceof Error ? error : new Error(String(error)));
      socket.destroy();
    } finally {
      running = false;
    }
    if (isClosed) await leaveSession();
    else if (pendingTypes.some((type) => batchEnds.has(type))) void runBatches();
  };

  /** A connection that goes away inside a transaction leaves it rolled back, as PostgreSQL does. */
  const leaveSession = async () => {
    session.forget(id);
    if (session.holder() !== id) return;
    try {
      const database = await options.database();
      if (midSequence) await database.execProtocolRaw(syncMessage());
      if (database.isInTransaction()) await database.execProtocolRaw(simpleQuery("rollback"));
    } catch (error: unknown) {
      options.fail(error instanceof Error ? error : new Error(String(error)));
    }
    session.release(id);
  };

  socket.on("data", (chunk: Buffer) => {
    if (isClosed) return;
    chunks.push(chunk);
    buffered += chunk.length;
    if (buffered < needed) return;
    try {
      const read = readFrontendMessages(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered), startedUp);
      chunks = read.rest.length > 0 ? [read.rest] : [];
      buffered = read.rest.length;
      needed = read.needed;
      startedUp = read.startedUp;
      for (const message of read.messages) handle(message);
    } catch (error: unknown) {
      socket.end(fatalError("08P01", error instanceof Error ? error.message : String(error)));
      return;
    }
    void runBatches();
  });

  return {
    closed() {
      isClosed = true;
      clearTimeout(holdTimer);
      if (!running) void leaveSession();
    },
  };
}

/** Runs a statement of the server's own; throws with PostgreSQL's message when it fails. */
function runOrThrow(database: PGlite, text: string): void {
  const error = firstError(database.execProtocolRawSync(simpleQuery(text)));
  if (error !== undefined) throw new Error(`${text}: ${error.message} (${error.code})`);
}

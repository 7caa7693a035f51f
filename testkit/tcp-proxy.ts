import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";

/** A TCP forwarder a test can cut and restore, to take a dependency away under a running service. */
export interface TcpProxy {
  /** The loopback port clients connect to; the same after `restore()`. */
  port: number;
  /** Stops accepting and resets every open connection: clients see resets, then refusals. */
  cut(): Promise<void>;
  /** Accepts connections on the same port again. */
  restore(): Promise<void>;
  /** Cuts and releases everything. */
  close(): Promise<void>;
  /**
   * Round trips so far, over every connection: the times a client sent something after its
   * server had answered (the first send of a connection counts too).
   */
  roundTrips(): number;
}

/**
 * Forwards 127.0.0.1:<port> to `targetHost:targetPort`. Used to make PostgreSQL unreachable to
 * one service without touching the cluster other tests share, and to count round trips.
 */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  let server: Server | undefined;
  let port = 0;
  let roundTrips = 0;
  const listen = async () => {
    const listening: Server = createServer((client) => {
      // A connection the kernel accepted just before cut() can reach this callback after it:
      // forwarding it would keep the "unreachable" database reachable (a pool would reuse it).
      if (server !== listening) {
        client.resetAndDestroy();
        return;
      }
      const upstream = connect(targetPort, targetHost);
      track(client);
      track(upstream);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
      let serverSpokeLast = true;
      client.on("data", () => {
        if (serverSpokeLast) roundTrips += 1;
        serverSpokeLast = false;
      });
      upstream.on("data", () => (serverSpokeLast = true));
      client.pipe(upstream).pipe(client);
    });
    listening.listen(port, "127.0.0.1");
    await once(listening, "listening");
    const address = listening.address();
    if (address === null || typeof address === "string") throw new Error("proxy has no TCP address");
    port = address.port;
    server = listening;
  };
  const cut = async () => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.resetAndDestroy();
    if (closing !== undefined) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  await listen();
  return {
    port,
    cut,
    restore: () => (server === undefined ? listen() : Promise.resolve()),
    close: cut,
    roundTrips: () => roundTrips,
  };
}

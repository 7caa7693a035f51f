import { once } from "node:events";
import { createServer, type Socket } from "node:net";

/** A loopback listener that resets every connection: an upstream that is down. */
export interface Refuser {
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on a loopback port and resets each connection at once. Used instead of a port nobody
 * listens on: a client reconnecting in a loop to a closed port in the ephemeral range can end up
 * connected to itself (TCP simultaneous open) and hang until its deadline.
 */
export async function startRefuser(): Promise<Refuser> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.once("close", () => sockets.delete(socket));
    socket.resetAndDestroy();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return {
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

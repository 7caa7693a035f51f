import { once } from "node:events";
import { createServer } from "node:net";

/**
 * A loopback TCP port that was free a moment ago: for a process that must be restarted on the
 * same port, where port 0 would give it a new one each time.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { connect, createServer } from "node:http2";

/**
 * Whether this Node publishes on the named node:http2 diagnostics channel (26 publishes
 * `http2.server.stream.start` and `.close`, 20 none): one request to a throw-away server tells.
 * Tests of code built on those channels skip where they are silent.
 */
export async function nodePublishesOn(channel: string): Promise<boolean> {
  let published = false;
  const seen = () => void (published = true);
  subscribe(channel, seen);
  const server = createServer((_request, response) => response.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const session = connect(`http://127.0.0.1:${port}`);
  await new Promise<void>((resolve) => session.request({ ":path": "/" }).on("close", resolve).resume().end());
  session.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  unsubscribe(channel, seen);
  return published;
}

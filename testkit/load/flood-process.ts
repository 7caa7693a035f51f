/**
 * A flood of concurrent unary calls from a process of its own, so the test that watches it
 * measures with an event loop the flood does not hold. Run by `startFlood` (flood.ts):
 * FLOOD_PORT (127.0.0.1), FLOOD_PATH (/package.Service/Method, empty request), FLOOD_CALLERS
 * (closed loops: each calls again as soon as its call ends), FLOOD_CONNECTIONS, FLOOD_SECONDS,
 * FLOOD_DEADLINE_MS. Raw node:http2 requests, as h2load sends them: a grpc-js client costs
 * several times more per call and would slow the flood more than the server does. Prints
 * `{"flooding":true}` once every connection is up, then one JSON line: calls per gRPC status
 * name (`NO_STATUS` when a stream ended without one).
 */
import { once } from "node:events";
import { connect, type ClientHttp2Session } from "node:http2";
import { status as Status } from "@grpc/grpc-js";
import { callOnSession } from "../grpc/session-call.js";

const env = (name: string) => {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set`);
  return value;
};
const port = Number(env("FLOOD_PORT"));
const path = env("FLOOD_PATH");
const callers = Number(env("FLOOD_CALLERS"));
const connections = Number(env("FLOOD_CONNECTIONS"));
const seconds = Number(env("FLOOD_SECONDS"));
const deadlineMs = Number(env("FLOOD_DEADLINE_MS"));

const emptyMessage = Buffer.alloc(5); // a gRPC frame: not compressed, length 0
const names = new Map(
  Object.entries(Status).flatMap(([name, code]) => (typeof code === "number" ? [[String(code), name]] : [])),
);
const sessions: ClientHttp2Session[] = await Promise.all(
  Array.from({ length: connections }, async () => {
    const session = connect(`http://127.0.0.1:${port}`);
    session.on("error", () => undefined);
    await once(session, "connect");
    return session;
  }),
);
process.stdout.write(`${JSON.stringify({ flooding: true })}\n`);

const codes: Record<string, number> = {};
const count = (name: string) => (codes[name] = (codes[name] ?? 0) + 1);
const call = async (session: ClientHttp2Session) => {
  const outcome = await callOnSession(session, path, emptyMessage, { "grpc-timeout": `${deadlineMs}m` });
  count(names.get(outcome) ?? outcome);
};
const end = performance.now() + seconds * 1000;
const loop = async (index: number) => {
  const session = sessions[index % sessions.length]!;
  while (performance.now() < end) await call(session);
};
await Promise.all(Array.from({ length: callers }, (_, index) => loop(index)));
for (const session of sessions) session.close();
process.stdout.write(`${JSON.stringify({ codes })}\n`);

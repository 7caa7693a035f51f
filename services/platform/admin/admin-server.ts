import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { InvalidArgumentError } from "../core/errors.js";
import type { FaultInjector } from "../faults/faults.js";
import { bearerMatches } from "./admin-access.js";

/** Options of `startAdminServer`. */
export interface AdminServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Whether the service is ready for traffic (drives `/readyz`). */
  ready: () => boolean;
  /** The `/stats` document. */
  stats: () => unknown;
  /** When set, `/faults` reads and changes injected faults; when absent it answers 403. */
  faults?: FaultInjector;
  /** When set, every route but `/healthz` and `/readyz` needs `Authorization: Bearer <token>`. */
  token?: string;
}

/** A listening admin server. */
export interface RunningAdminServer {
  port: number;
  close(): Promise<void>;
}

/** Largest accepted request body, in bytes: a fault change is a few dozen. */
const maxBodyBytes = 4096;

/**
 * The admin HTTP server of a service: `/metrics` (Prometheus), `/healthz` (live), `/readyz`
 * (ready), `/stats` (JSON) and `/faults` (GET and PUT JSON, only when fault injection is enabled).
 */
export async function startAdminServer(options: AdminServerOptions): Promise<RunningAdminServer> {
  const server = createServer((request, response) => {
    route(options, request, response).catch((error: unknown) => {
      const status = error instanceof InvalidArgumentError ? 400 : 500;
      send(response, status, { error: status === 400 ? (error as Error).message : "internal error" });
    });
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return { port: (server.address() as AddressInfo).port, close: () => close(server) };
}

/** The read-only routes: they answer GET (and HEAD) only. */
const readRoutes = new Set(["/healthz", "/readyz", "/metrics", "/stats"]);

async function route(options: AdminServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? "/", "http://admin").pathname;
  if (readRoutes.has(path) && request.method !== "GET" && request.method !== "HEAD") {
    response.setHeader("allow", "GET, HEAD");
    return send(response, 405, { error: `${path} takes GET` });
  }
  if (path === "/healthz") return send(response, 200, { status: "live" });
  if (path === "/readyz")
    return options.ready() ? send(response, 200, { status: "ready" }) : send(response, 503, { status: "not ready" });
  if (options.token !== undefined && !bearerMatches(request.headers.authorization, options.token)) {
    return send(response, 401, { error: "missing or wrong bearer token" });
  }
  if (path === "/metrics") {
    response.writeHead(200, { "content-type": options.registry.contentType });
    response.end(await options.registry.metrics());
    return;
  }
  if (path === "/stats") return send(response, 200, options.stats());
  if (path === "/faults") return faultsRoute(options.faults, request, response);
  send(response, 404, { error: `no route ${path}; try /metrics, /healthz, /readyz, /stats, /faults` });
}

async function faultsRoute(
  faults: FaultInjector | undefined,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (faults === undefined)
    return send(response, 403, { error: "fault injection is disabled; set <SERVICE>_FAULTS_ENABLED=true to allow it" });
  if (request.method === "GET") return send(response, 200, faults.current());
  if (request.method !== "PUT") {
    response.setHeader("allow", "GET, PUT");
    return send(response, 405, { error: "use GET or PUT" });
  }
  const change = parseObject(await readBody(request));
  send(response, 200, faults.update(change));
}

function parseObject(body: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidArgumentError("body", "is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidArgumentError("body", "must be a JSON object");
  return value as Record<string, unknown>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > maxBodyBytes) throw new InvalidArgumentError("body", `is larger than ${maxBodyBytes} bytes`);
  }
  return body;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(`${JSON.stringify(body)}\n`);
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

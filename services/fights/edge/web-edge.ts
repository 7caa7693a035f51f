import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { cors as connectCors } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { FightService } from "../../../gen/superheroes/fight/v1/fight_service_pb.js";
import {
  connectCallerValues,
  connectImplementationFrom,
  connectTraceInterceptor,
} from "../../platform/connect/connect-service.js";
import { withClearDecodeErrors } from "../../platform/connect/connect-decode-errors.js";
import { createConnectLoadShedding } from "../../platform/load-shedding/connect-load-shedding.js";
import type { ConcurrencyLimiter } from "../../platform/load-shedding/concurrency-limiter.js";
import type { ServiceImplementation } from "../../platform/core/service-implementation.js";
import type { SpanTracer } from "../../platform/core/span-tracer.js";
import { createConnectSpanInterceptor } from "../../platform/connect/connect-span-interceptor.js";
import type { Logger } from "../../platform/observability/logger.js";
import type { KeyPair } from "../../platform/config/tls-config.js";
import { pictureSvg } from "./pictures.js";

/** Options of `startWebEdge`. */
export interface WebEdgeOptions {
  host: string;
  port: number;
  /** Origins allowed to call from other pages (CORS); the page served here needs none. */
  allowedOrigins: readonly string[];
  /** Folder of the built page (index.html, app.js). */
  staticDir: string;
  /** Largest request and response message, bytes. */
  maxMessageBytes: number;
  implementation: ServiceImplementation<typeof FightService>;
  /** The process's concurrency limiter, shared with its gRPC server: one process, one capacity. */
  limiter: ConcurrencyLimiter;
  logger: Logger;
  /** HTTPS with this key pair; undefined: plain HTTP (the local default). */
  tls?: KeyPair;
  /** Set when tracing is on: a server span per call. */
  tracer?: SpanTracer;
}

/** A listening web edge. */
export interface RunningWebEdge {
  port: number;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".map": "application/json",
};

/**
 * The browser edge of the fights service on one HTTP/1.1 port (HTTPS when `tls` is set):
 * FightService over the Connect protocol and gRPC-Web (connect-node), the page, and the
 * pictures it shows.
 */
export async function startWebEdge(options: WebEdgeOptions): Promise<RunningWebEdge> {
  const shedding = createConnectLoadShedding(options.limiter);
  const rpc = connectNodeAdapter({
    routes: (router) => {
      router.service(
        FightService,
        connectImplementationFrom(FightService, options.implementation, options.logger, {
          beforeUnary: shedding.checkDeadline,
        }),
      );
      // The adapter serves `router.handlers` as they are once this returns: wrap them in place.
      router.handlers.splice(0, router.handlers.length, ...router.handlers.map(withClearDecodeErrors));
    },
    interceptors: [
      shedding.interceptor,
      ...(options.tracer === undefined ? [] : [createConnectSpanInterceptor(options.tracer)]),
      connectTraceInterceptor,
    ],
    contextValues: connectCallerValues,
    readMaxBytes: options.maxMessageBytes,
    writeMaxBytes: options.maxMessageBytes,
    grpc: false,
    fallback: (request, response) =>
      void serveStatic(options.staticDir, request as IncomingMessage, response as ServerResponse),
  });
  const handle: RequestListener = (request, response) => {
    if (!applyCors(options.allowedOrigins, request, response)) return;
    rpc(request, response);
  };
  const server: Server =
    options.tls === undefined
      ? createServer(handle)
      : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle);
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return { port: (server.address() as AddressInfo).port, close: () => close(server) };
}

/** Sets CORS headers for allowed origins; answers preflights. Returns false when the request is done. */
function applyCors(allowed: readonly string[], request: IncomingMessage, response: ServerResponse): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const permitted = allowed.includes(origin) || allowed.includes("*");
  if (permitted) {
    response.setHeader("Access-Control-Allow-Origin", origin);
    response.setHeader("Vary", "Origin");
    response.setHeader("Access-Control-Expose-Headers", connectCors.exposedHeaders.join(", "));
  }
  if (request.method !== "OPTIONS") return true;
  if (!permitted) {
    response
      .writeHead(403, { "content-type": "text/plain" })
      .end(`origin ${origin} is not allowed; add it to FIGHTS_WEB_ORIGINS\n`);
    return false;
  }
  response.writeHead(204, {
    "Access-Control-Allow-Methods": connectCors.allowedMethods.join(", "),
    "Access-Control-Allow-Headers": [...connectCors.allowedHeaders, "traceparent", "x-request-id"].join(", "),
    "Access-Control-Max-Age": "7200",
  });
  response.end();
  return false;
}

/** `/<package>.<Service>/<Method>`: the shape of a Connect or gRPC-Web call's path. */
const rpcPath = /^\/[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+\/[A-Za-z_]\w*$/;

async function serveStatic(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://web");
  const path = url.pathname;
  // A POST to a `/<package>.<Service>/<Method>` path the router does not know is an RPC that is
  // not served here: 404 with the Connect error, as connect-node answers for its own services.
  if (request.method === "POST" && rpcPath.test(path)) {
    response.writeHead(404, { "content-type": "application/json" }).end(
      JSON.stringify({
        code: "unimplemented",
        message: `${path.slice(1)} is not served here; this port serves ${FightService.typeName}`,
      }),
    );
    return;
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405, { "content-type": "text/plain" }).end("method not allowed\n");
    return;
  }
  const svg = path.startsWith("/pictures/") ? pictureSvg(url) : undefined;
  if (svg !== undefined) {
    response
      .writeHead(200, { "content-type": contentTypes[".svg"], "cache-control": "public, max-age=86400" })
      .end(svg);
    return;
  }
  const file = normalize(join(root, path === "/" ? "index.html" : path));
  if (!file.startsWith(normalize(root)) || !(await isFile(file))) {
    response.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${path}\n`);
    return;
  }
  response.writeHead(200, {
    "content-type": contentTypes[extname(file)] ?? "application/octet-stream",
    "cache-control": "no-cache",
  });
  createReadStream(file).pipe(response);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

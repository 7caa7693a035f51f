import type { DescFile, DescService } from "@bufbuild/protobuf";
import { setTimeout as sleep } from "node:timers/promises";
import { Server, type ServerCredentials, type ServerInterceptor } from "@grpc/grpc-js";
import type { Registry } from "prom-client";
import { type AccessLogMode, createAccessLogObserver } from "../observability/access-log.js";
import type { ServiceImplementation } from "../core/service-implementation.js";
import { grpcDefinitionFromDesc } from "../grpc/grpc-definition.js";
import { grpcHandlersFromImplementation } from "./grpc-handlers.js";
import { traceObserver } from "./call-trace.js";
import { createHealthReporter, type HealthReporter } from "./health.js";
import { createLoadShedder, type LoadShedder } from "../load-shedding/grpc-load-shedding.js";
import { createConcurrencyLimiter, type ConcurrencyLimitSettings } from "../load-shedding/concurrency-limiter.js";
import type { Logger } from "../observability/logger.js";
import { addReflection } from "./reflection.js";
import { combineObservers, createCallNaming, createObservingInterceptor } from "./server-call-observer.js";
import { createServerMetrics } from "../observability/server-metrics.js";
import type { ServerTls } from "../config/tls-config.js";
import { serverCredentialsFromTls } from "../grpc/tls-credentials.js";
import { governStreamAllowance, type StreamAllowance } from "../load-shedding/stream-allowance.js";
import type { SpanTracer } from "../core/span-tracer.js";
import { createServerSpanObserver } from "./server-span.js";

/** A generated service and its protocol-free implementation, ready to register. */
export interface ServiceRegistration {
  service: DescService;
  implementation: unknown;
}

/** Pairs a generated service with its implementation, checking the implementation's type. */
export function registration<S extends DescService>(
  service: S,
  implementation: ServiceImplementation<S>,
): ServiceRegistration {
  return { service, implementation };
}

/** Options of `startGrpcServer`. */
export interface GrpcServerOptions {
  host: string;
  /** 0 binds a free port; the bound one is in the result. */
  port: number;
  services: readonly ServiceRegistration[];
  /** Generated files whose descriptors reflection serves (their imports are added). */
  files: readonly DescFile[];
  logger: Logger;
  registry: Registry;
  /** Access log lines: every call (default), errors only, or none. */
  accessLog?: AccessLogMode;
  /** Hard ceiling: calls (streams included) handled at once before new ones get RESOURCE_EXHAUSTED. */
  maxInFlight: number;
  /** The limit on unary calls under the ceiling; absent: the ceiling alone. */
  concurrencyLimit?: ConcurrencyLimitSettings;
  /** Largest request or response message, in bytes. */
  maxMessageBytes: number;
  /** Innermost interceptors, after logging, metrics and load shedding (e.g. fault injection). */
  interceptors?: readonly ServerInterceptor[];
  /** TLS (mutual when it has a client CA) from the service config; absent: plaintext h2c, the local default. */
  tls?: ServerTls;
  /** Overrides `tls` with ready-made credentials. */
  credentials?: ServerCredentials;
  /** Set when tracing is on: a server span per call. Undefined: no span observer at all. */
  tracer?: SpanTracer;
}

/** A listening server. */
export interface RunningGrpcServer {
  port: number;
  health: HealthReporter;
  loadShedder: LoadShedder;
  /** Streams each connection may keep open now (its share while the server is flooded). */
  streamAllowance: StreamAllowance;
  /** NOT_SERVING, refuse new calls, let in-flight ones finish within `graceMs`, then close. */
  shutdown(graceMs: number): Promise<void>;
}

/** SETTINGS_MAX_CONCURRENT_STREAMS of every connection while the server is not flooded. */
const maxStreamsPerConnection = 100;

/**
 * Server-side channel options, one reason each.
 */
function serverOptions(maxMessageBytes: number) {
  return {
    // Oversize messages are refused with RESOURCE_EXHAUSTED before they are buffered whole.
    "grpc.max_receive_message_length": maxMessageBytes,
    "grpc.max_send_message_length": maxMessageBytes,
    // Ping idle clients every 2 min and drop those that do not answer within 20 s, so dead
    // peers (a killed pod, a pulled cable) do not hold streams forever. grpc-js servers never
    // answer client pings with GOAWAY too_many_pings, so clients may ping as often as they like.
    "grpc.keepalive_time_ms": 120_000,
    "grpc.keepalive_timeout_ms": 20_000,
    // Bound concurrent streams per connection: one client cannot open unbounded work. At 1000,
    // one connection opening 500 ListHeroes streams queued ~2.7 s of work on the 10-connection
    // database pool and other clients' calls waited behind it (test/resilience/http2); at 100
    // they wait < 0.6 s. Clients queue streams past the limit on their side.
    // While the server is flooded, each connection gets only its share (load-shedding/stream-allowance.ts).
    "grpc.max_concurrent_streams": maxStreamsPerConnection,
    // Cap per-session buffered memory (MiB) so a client that never reads cannot grow us.
    "grpc-node.max_session_memory": 32,
  };
}

/**
 * Starts a grpc-js server with everything every service needs: grpc.health.v1 (starting
 * NOT_SERVING), reflection, one access log line and go-grpc-prometheus metrics per call,
 * bounded in-flight work, message size limits and keepalive.
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const metrics = createServerMetrics(options.registry);
  const namesOf = createCallNaming();
  const loadShedder = createLoadShedder(
    createConcurrencyLimiter({ ceiling: options.maxInFlight, settings: options.concurrencyLimit }),
    (descriptor) => {
      metrics.countRefused(namesOf(descriptor));
      // Made once the server listens (it needs the port); a refusal needs a call, so none comes sooner.
      streamAllowance.onRefusal();
    },
  );
  // One observing interceptor for the span (tracing on), the trace, the access log and the
  // metrics, in that order: the trace is born before anything logs it; one interceptor per call
  // costs less than three.
  const observers = [
    ...(options.tracer === undefined ? [] : [createServerSpanObserver(options.tracer)]),
    traceObserver,
    ...(options.accessLog === "off" ? [] : [createAccessLogObserver(options.logger, options.accessLog)]),
    metrics.observer,
  ];
  // Load shedding first: a refused call skips the trace, the access log line and the timing
  // (it is counted in grpc_server_handled_total and grpc_server_shed_total). Under a flood every
  // caller waits for the refusals ahead of it: a server refusing everything refused 1.3–2× as
  // many calls a second this way as behind the observers (alternating runs, h2load, 3,000 streams).
  const interceptors = [
    loadShedder.interceptor,
    createObservingInterceptor(combineObservers(observers)),
    ...(options.interceptors ?? []),
  ];
  const server = new Server({ ...serverOptions(options.maxMessageBytes), interceptors });
  // Aborted when shutdown starts: server streams end at once instead of holding the drain.
  const stopping = new AbortController();
  for (const { service, implementation } of options.services) {
    const handlers = grpcHandlersFromImplementation(service, implementation as ServiceImplementation<DescService>, {
      logger: options.logger,
      shutdownSignal: stopping.signal,
    });
    server.addService(grpcDefinitionFromDesc(service), handlers);
  }
  const health = createHealthReporter(options.services.map(({ service }) => service.typeName));
  health.addToServer(server);
  addReflection(server, options.files);
  const port = await bind(
    server,
    `${formatHost(options.host)}:${options.port}`,
    options.credentials ?? serverCredentialsFromTls(options.tls),
  );
  const streamAllowance = governStreamAllowance({
    port,
    maxStreams: maxStreamsPerConnection,
    limiter: loadShedder.limiter,
  });
  return {
    port,
    health,
    loadShedder,
    streamAllowance,
    shutdown: (graceMs) => {
      stopping.abort();
      streamAllowance.stop();
      return shutdown(server, health, loadShedder, graceMs);
    },
  };
}

function bind(server: Server, address: string, credentials: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port)));
  });
}

/**
 * Graceful stop: NOT_SERVING, refuse new calls, and wait for our in-flight calls, at most
 * `graceMs`. Health Watch and reflection streams are not ours to wait for: once our calls are
 * done they are closed with the server.
 */
async function shutdown(
  server: Server,
  health: HealthReporter,
  loadShedder: LoadShedder,
  graceMs: number,
): Promise<void> {
  health.setServing(false);
  const drained = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  const deadline = Date.now() + graceMs;
  while (loadShedder.inFlight() > 0 && Date.now() < deadline) await sleep(10);
  server.forceShutdown();
  await drained;
}

function formatHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

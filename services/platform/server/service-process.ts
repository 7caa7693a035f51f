import type { DescFile } from "@bufbuild/protobuf";
import { collectDefaultMetrics, Registry } from "prom-client";
import { startAdminServer, type RunningAdminServer } from "../admin/admin-server.js";
import { createFaultInjector, type FaultInjector } from "../faults/faults.js";
import { createFaultServiceImplementation } from "../faults/fault-service.js";
import {
  FaultService,
  file_superheroes_fault_v1_fault_service,
} from "../../../gen/superheroes/fault/v1/fault_service_pb.js";
import { registration, startGrpcServer, type RunningGrpcServer, type ServiceRegistration } from "./grpc-server.js";
import { releaseClosedStreams } from "../grpc/closed-streams.js";
import { registerConcurrencyMetrics } from "../observability/concurrency-metrics.js";
import type { Logger } from "../observability/logger.js";
import type { ServiceConfig } from "../config/service-config.js";
import type { Tracing } from "../observability/tracing.js";
import type { ConcurrencyLimiter } from "../load-shedding/concurrency-limiter.js";

/** Options of `startServiceProcess`. */
export interface ServiceProcessOptions {
  /** Short name: heroes, villains, locations, fights. */
  name: string;
  config: ServiceConfig;
  logger: Logger;
  /** Registry the service's own metrics are in; server and process metrics are added to it. */
  registry: Registry;
  services: readonly ServiceRegistration[];
  files: readonly DescFile[];
  /** Polled every `readinessIntervalMs`; drives grpc.health.v1 and /readyz. */
  readiness: () => Promise<boolean>;
  readinessIntervalMs?: number;
  /** Extra `/stats` content. */
  stats?: () => Record<string, unknown>;
  /** Closes what the service opened (pools, channels), after the servers stopped. */
  close: () => Promise<void>;
  /** Tracing, when on (`startTracing`): server spans, and its last spans flushed at stop. */
  tracing?: Tracing;
}

/** A running service process. */
export interface RunningService {
  grpcPort: number;
  adminPort: number;
  grpc: RunningGrpcServer;
  faults: FaultInjector | undefined;
  /** Health NOT_SERVING, drain in-flight calls (bounded), close servers and resources. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the gRPC server and the admin server of a service, keeps health in step with
 * readiness, and stops everything in order.
 */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<RunningService> {
  const { config, logger, registry } = options;
  collectDefaultMetrics({ register: registry });
  const faults = config.faultsEnabled ? createFaultInjector(config.faults) : undefined;
  const grpc = await startGrpcServer({
    host: config.grpcHost,
    port: config.grpcPort,
    // Every service serves FaultService; it refuses with FAILED_PRECONDITION while faults are disabled.
    services: [
      ...options.services,
      registration(
        FaultService,
        createFaultServiceImplementation(faults, {
          token: config.adminToken,
          tokenVariable: `${config.envPrefix}_ADMIN_TOKEN`,
          envPrefix: config.envPrefix,
        }),
      ),
    ],
    files: [...options.files, file_superheroes_fault_v1_fault_service],
    logger,
    registry,
    accessLog: config.accessLog,
    tls: config.tls,
    maxInFlight: config.maxInFlight,
    concurrencyLimit: config.concurrencyLimit,
    maxMessageBytes: config.maxMessageBytes,
    interceptors: faults === undefined ? [] : [faults.interceptor],
    ...(options.tracing === undefined ? {} : { tracer: options.tracing.tracer }),
  });
  const undoStreamRelease = config.releaseClosedStreams ? releaseClosedStreams() : undefined;
  let admin: RunningAdminServer;
  try {
    admin = await startAdminServer({
      host: config.adminHost,
      port: config.adminPort,
      registry,
      token: config.adminToken,
      faults,
      ready: () => grpc.health.isServing(),
      stats: () => ({
        service: options.name,
        serving: grpc.health.isServing(),
        inFlight: grpc.loadShedder.inFlight(),
        shed: grpc.loadShedder.shed(),
        concurrencyLimit: {
          ...grpc.loadShedder.limiter.snapshot(),
          streamsPerConnection: grpc.streamAllowance.current(),
          connections: grpc.streamAllowance.connections(),
        },
        ...(faults === undefined ? {} : { faults: faults.current() }),
        ...options.stats?.(),
      }),
    });
  } catch (error: unknown) {
    await grpc.shutdown(0);
    undoStreamRelease?.();
    throw error;
  }
  registerConcurrencyMetrics(registry, grpc.loadShedder.limiter, grpc.streamAllowance);
  const readiness = startReadinessLoop(options, grpc);
  const shedReport = startShedReport(logger, grpc.loadShedder.limiter);
  logger.info(
    { grpcPort: grpc.port, adminPort: admin.port, faultsEnabled: faults !== undefined },
    `${options.name} listening`,
  );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      readiness.stop();
      clearInterval(shedReport);
      await grpc.shutdown(config.shutdownGraceMs);
      await admin.close();
      await options.close();
      undoStreamRelease?.();
      await options.tracing
        ?.shutdown()
        .catch((error: unknown) => logger.warn({ err: error }, "flushing traces failed"));
      logger.info(`${options.name} stopped`);
    })());
  return { grpcPort: grpc.port, adminPort: admin.port, grpc, faults, stop };
}

/** Stops the service on SIGTERM or SIGINT and exits 0 (1 if stopping failed). */
export function stopOnSignals(service: RunningService, logger: Logger): void {
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, "shutting down");
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}

function startReadinessLoop(options: ServiceProcessOptions, grpc: RunningGrpcServer) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const check = async () => {
    const ready = await options.readiness().catch(() => false);
    if (stopped) return;
    if (ready !== grpc.health.isServing()) {
      options.logger[ready ? "info" : "warn"]({ ready }, ready ? "ready: SERVING" : "not ready: NOT_SERVING");
    }
    grpc.health.setServing(ready);
    timer = setTimeout(check, options.readinessIntervalMs ?? 1000);
    timer.unref();
  };
  void check();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/**
 * One warn line per 10 s while the server sheds load, with the figures an operator needs:
 * refused calls are not in the access log (a flood would write a line per refusal).
 */
function startShedReport(logger: Logger, limiter: ConcurrencyLimiter): NodeJS.Timeout {
  const everyMs = 10_000;
  let reported = limiter.snapshot().shed;
  const timer = setInterval(() => {
    const now = limiter.snapshot();
    const adaptive = now.shed.adaptive - reported.adaptive;
    const ceiling = now.shed.ceiling - reported.ceiling;
    const deadline = now.shed.deadline - reported.deadline;
    reported = now.shed;
    const refused = adaptive + ceiling + deadline;
    if (refused === 0) return;
    logger.warn(
      { refused: { adaptive, ceiling, deadline }, limit: now.limit, ceiling: now.ceiling, inFlight: now.inFlight },
      `shedding load: ${refused} calls refused with RESOURCE_EXHAUSTED in the last ${everyMs / 1000} s (limit ${now.limit}, ceiling ${now.ceiling})`,
    );
  }, everyMs);
  timer.unref();
  return timer;
}

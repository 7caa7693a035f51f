import type { DescService } from "@bufbuild/protobuf";
import { Client, connectivityState, Metadata, status as Status } from "@grpc/grpc-js";
import { Counter, Gauge, type Registry } from "prom-client";
import { createBreakerInterceptor } from "./breaker-interceptor.js";
import type { CallContext } from "../core/call-context.js";
import { cappedDeadline } from "../core/deadline.js";
import {
  createCircuitBreaker,
  type BreakerState,
  type CircuitBreaker,
  type CircuitBreakerOptions,
} from "./circuit-breaker.js";
import { checkHealthOver } from "./health-check.js";
import { createHealthRecovery, type HealthRecovery } from "./health-recovery.js";
import {
  createSlowCallThreshold,
  type SlowCallThreshold,
  type SlowCallThresholdOptions,
} from "./slow-call-threshold.js";
import {
  createTimingInterceptor,
  type ClientMetrics,
  type UpstreamCallRecord,
} from "../observability/client-metrics.js";
import { createPromiseClient, type PromiseClient, type UnaryCallOptions } from "./grpc-client.js";
import { codeName } from "../grpc/grpc-status.js";
import { createMirroredCounter } from "../observability/mirrored-counter.js";
import { createLatencyWindow } from "../observability/latency-window.js";
import type { Logger } from "../observability/logger.js";
import { childTraceContext, formatTraceparent } from "../core/trace-context.js";
import { channelCredentialsFromTls } from "../grpc/tls-credentials.js";
import type { ClientTls } from "../config/tls-config.js";
import { upstreamChannelOptions } from "./upstream-channel.js";
import type { SpanTracer } from "../core/span-tracer.js";
import { createClientSpanInterceptor } from "./client-span-interceptor.js";

/** Settings of one upstream. */
export interface UpstreamSettings {
  /** Short name used in metrics, logs and /stats: heroes, villains, locations. */
  name: string;
  /** grpc-js target: `host:port`, `ipv4:a:1,b:2`, `dns:///heroes:50051`. */
  target: string;
  /** Cap on every call's deadline, ms. */
  timeoutMs: number;
  /** Proto names of the idempotent methods to retry or hedge. */
  idempotentMethods: readonly string[];
  maxAttempts: number;
  hedgeDelayMs: number;
  /** Calls slower than this get a warn log line. */
  slowCallMs: number;
  /** What a slow success is for the breaker: factor × the upstream's rolling p99, between floor and ceiling. */
  breakerSlowCall: Omit<SlowCallThresholdOptions, "now">;
  /** Time between two health checks while the breaker is open, ms. */
  breakerHealthIntervalMs: number;
  /** When false, no breaker: every call goes to the network (for the benchmark's comparison). */
  breakerEnabled: boolean;
  breaker: CircuitBreakerOptions;
  /** TLS to the upstream (mutual when it has a key pair); undefined: plaintext h2c. */
  tls?: ClientTls;
}

/** Shared instruments of all upstreams of a process. */
export interface UpstreamInstruments {
  logger: Logger;
  clientMetrics: ClientMetrics;
  breakerMetrics: BreakerMetrics;
  /** Set when tracing is on: a client span per call. Undefined: no span interceptor at all. */
  tracer?: SpanTracer;
  /** Told of every finished call of every upstream (e.g. for live per-second charts). */
  onCall?: (record: UpstreamCallRecord) => void;
}

/** One upstream: a long-lived channel with breaker and timing interceptors, plus its numbers. */
export interface UpstreamClient<S extends DescService> {
  name: string;
  methods: PromiseClient<S>;
  breaker: CircuitBreaker | undefined;
  /** Per-call options: deadline = min(caller's deadline, now + timeoutMs), cancellation, trace. */
  callOptions(context: CallContext): UnaryCallOptions;
  /**
   * Typed methods of another service of the same upstream (e.g. its FaultService) over this
   * upstream's channel, without the breaker and timing interceptors: an open breaker must not
   * refuse the call that ends the upstream's trouble. Never closed on its own: `close()` closes the channel.
   */
  sideClient<T extends DescService>(service: T): PromiseClient<T>;
  stats(): UpstreamStats;
  close(): void;
}

/** Why a breaker is in its state: what /stats and GetUpstreamStatus show of it. */
export interface BreakerStats {
  state: BreakerState;
  /** Weighted failure rate over the window (sum of weights / calls) and the calls it is over. */
  failureRate: number;
  windowCalls: number;
  /** The rate and volume that trip it. */
  tripRate: number;
  minimumCalls: number;
  /** What a slow success is now, ms (adapts to the upstream's p99). */
  slowCallThresholdMs: number;
  trips: number;
  /** Calls that ended for their caller's reasons (cancelled, caller's shorter deadline): not counted. */
  abandoned: number;
  /** The last state change: from, to, why, when (ISO time); undefined when it never left CLOSED. */
  lastTransition?: BreakerTransitionStats;
  /** The last few state changes, oldest first. */
  recentTransitions: BreakerTransitionStats[];
}

/** One state change of a breaker, as /stats shows it. */
export interface BreakerTransitionStats {
  from: BreakerState;
  to: BreakerState;
  reason: string;
  /** ISO time. */
  at: string;
}

/** What /stats and GetUpstreamStatus show of one upstream. */
export interface UpstreamStats {
  name: string;
  target: string;
  breakerState: BreakerState;
  /** Undefined when the breaker is disabled. */
  breaker?: BreakerStats;
  channelState: string;
  calls: number;
  failures: number;
  rejections: number;
  successRate: number;
  failuresByCode: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number };
}

/**
 * Creates the channel to one upstream, once, at start-up. Interceptors, outermost first: timing
 * (sees everything, including refusals), breaker (fails fast when open), then the channel with
 * its retry policy, so the breaker judges each call by its final outcome.
 */
export function createUpstreamClient<S extends DescService>(
  service: S,
  settings: UpstreamSettings,
  instruments: UpstreamInstruments,
): UpstreamClient<S> {
  const { logger, clientMetrics, breakerMetrics } = instruments;
  const latency = createLatencyWindow();
  const failuresByCode: Record<string, number> = {};
  let calls = 0;
  let failures = 0;
  let recovery: HealthRecovery | undefined;
  const breaker = settings.breakerEnabled
    ? createCircuitBreaker({
        ...settings.breaker,
        onTransition: (from, to, reason) => {
          breakerMetrics.transitions.inc({ upstream: settings.name, from, to });
          logger.warn({ upstream: settings.name, from, to, reason }, `circuit breaker ${from} -> ${to}`);
          if (to === "OPEN") recovery?.breakerOpened();
        },
      })
    : undefined;
  const slowCall = createSlowCallThreshold(settings.breakerSlowCall);
  if (breaker !== undefined) breakerMetrics.track(settings.name, breaker);
  const timing = createTimingInterceptor({
    upstream: settings.name,
    metrics: clientMetrics,
    logger,
    slowCallMs: settings.slowCallMs,
    onCall: (record) => {
      instruments.onCall?.(record);
      const { code, durationMs } = record;
      calls += 1;
      latency.record(durationMs);
      if (code !== Status.OK) {
        failures += 1;
        const name = codeName(code);
        failuresByCode[name] = (failuresByCode[name] ?? 0) + 1;
      }
    },
  });
  const { tracer } = instruments;
  const interceptors = [
    ...(tracer === undefined
      ? []
      : [createClientSpanInterceptor({ tracer, upstream: settings.name, target: settings.target })]),
    timing,
    ...(breaker === undefined
      ? []
      : [createBreakerInterceptor(settings.name, breaker, { upstreamBudgetMs: settings.timeoutMs, slowCall })]),
  ];
  const client = createPromiseClient(service, settings.target, {
    credentials: channelCredentialsFromTls(settings.tls),
    channelOptions: upstreamChannelOptions({
      serviceName: service.typeName,
      idempotentMethods: settings.idempotentMethods,
      maxAttempts: settings.maxAttempts,
      hedgeDelayMs: settings.hedgeDelayMs,
    }),
    interceptors,
  });
  if (breaker !== undefined) {
    // Health checks share the upstream's channel (same connection, same view of it) but not its
    // interceptors: an open breaker must not refuse the very check that can close it.
    const health = new Client(settings.target, channelCredentialsFromTls(settings.tls), {
      channelOverride: client.grpc.getChannel(),
    });
    const timeoutMs = Math.min(500, settings.timeoutMs);
    recovery = createHealthRecovery(breaker, {
      check: () => checkHealthOver(health, { timeoutMs }),
      intervalMs: settings.breakerHealthIntervalMs,
    });
  }
  return {
    name: settings.name,
    methods: client.methods,
    breaker,
    callOptions: (context) => ({
      deadline: cappedDeadline(context.deadline, settings.timeoutMs),
      signal: context.signal,
      metadata: upstreamMetadata(context, tracer !== undefined),
    }),
    sideClient: (other) =>
      createPromiseClient(other, settings.target, {
        credentials: channelCredentialsFromTls(settings.tls),
        channelOverride: client.grpc.getChannel(),
      }).methods,
    stats: () => ({
      name: settings.name,
      target: settings.target,
      breakerState: breaker?.state() ?? "CLOSED",
      ...(breaker === undefined ? {} : { breaker: breakerStats(breaker, slowCall) }),
      channelState: connectivityState[client.grpc.getChannel().getConnectivityState(false)] ?? "UNKNOWN",
      calls,
      failures,
      rejections: breaker?.counts().rejections ?? 0,
      successRate: calls === 0 ? 1 : Math.round(((calls - failures) / calls) * 10_000) / 10_000,
      failuresByCode: { ...failuresByCode },
      latencyMs: latency.percentiles(),
    }),
    close: () => {
      recovery?.close();
      client.close();
    },
  };
}

function breakerStats(breaker: CircuitBreaker, slowCall: SlowCallThreshold): BreakerStats {
  const window = breaker.window();
  const counts = breaker.counts();
  const recent = breaker.recentTransitions().map((transition) => ({
    ...transition,
    at: new Date(transition.at).toISOString(),
  }));
  const last = recent.at(-1);
  return {
    state: breaker.state(),
    failureRate: Math.round(window.rate * 10_000) / 10_000,
    windowCalls: window.calls,
    tripRate: breaker.rule().failureRate,
    minimumCalls: breaker.rule().minimumCalls,
    slowCallThresholdMs: Math.round(slowCall.currentMs() * 1000) / 1000,
    trips: counts.trips,
    abandoned: counts.abandoned,
    ...(last === undefined ? {} : { lastTransition: last }),
    recentTransitions: recent,
  };
}

/**
 * Metadata for an upstream call: the caller's trace with a new span id (the call's own), and its
 * request id. With `traced`, the caller's context as it is: the client span interceptor starts
 * the call's span as its child and puts that span's id on the wire instead.
 */
export function upstreamMetadata(context: Pick<CallContext, "trace" | "requestId">, traced = false): Metadata {
  const metadata = new Metadata();
  metadata.set("traceparent", formatTraceparent(traced ? context.trace : childTraceContext(context.trace)));
  if (context.requestId !== undefined) metadata.set("x-request-id", context.requestId);
  return metadata;
}

/** Breaker metrics of all upstreams: state gauge, transitions and rejections. */
export interface BreakerMetrics {
  transitions: Counter<"upstream" | "from" | "to">;
  track(upstream: string, breaker: CircuitBreaker): void;
}

const stateValue: Record<BreakerState, number> = { CLOSED: 0, OPEN: 1, HALF_OPEN: 2 };

/**
 * Registers grpc_client_circuit_state, _failure_rate, _window_calls, _transitions_total and
 * _rejections_total: the state, and why it is in it (the transitions' reasons are in the log and /stats).
 */
export function createBreakerMetrics(registry: Registry): BreakerMetrics {
  const breakers = new Map<string, CircuitBreaker>();
  new Gauge({
    name: "grpc_client_circuit_state",
    help: "Circuit breaker state per upstream: 0 closed, 1 open, 2 half-open.",
    labelNames: ["upstream"],
    registers: [registry],
    collect() {
      for (const [upstream, breaker] of breakers) this.set({ upstream }, stateValue[breaker.state()]);
    },
  });
  createMirroredCounter({
    name: "grpc_client_circuit_rejections_total",
    help: "Calls refused by an open circuit breaker, per upstream.",
    labelNames: ["upstream"],
    registry,
    read: () => [...breakers].map(([upstream, breaker]) => [{ upstream }, breaker.counts().rejections] as const),
  });
  new Gauge({
    name: "grpc_client_circuit_failure_rate",
    help: "Weighted failure rate (sum of failure weights / calls) in the breaker's rolling window, per upstream.",
    labelNames: ["upstream"],
    registers: [registry],
    collect() {
      for (const [upstream, breaker] of breakers) this.set({ upstream }, breaker.window().rate);
    },
  });
  new Gauge({
    name: "grpc_client_circuit_window_calls",
    help: "Calls judged in the breaker's rolling window (the volume the failure rate is over), per upstream.",
    labelNames: ["upstream"],
    registers: [registry],
    collect() {
      for (const [upstream, breaker] of breakers) this.set({ upstream }, breaker.window().calls);
    },
  });
  const transitions = new Counter({
    name: "grpc_client_circuit_transitions_total",
    help: "Circuit breaker state changes per upstream.",
    labelNames: ["upstream", "from", "to"],
    registers: [registry],
  });
  return { transitions, track: (upstream, breaker) => void breakers.set(upstream, breaker) };
}

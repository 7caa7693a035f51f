import type { TraceContext } from "./trace-context.js";

/**
 * Spans, as protocol-free code sees them: domain code (the fights service, its coalescer) marks
 * its stages with these, and `observability/otel-tracing.ts` implements them with the
 * OpenTelemetry SDK. When tracing is off there is no tracer at all (`undefined`), so callers
 * skip span work with one check and no span object is made.
 */
export interface SpanTracer {
  /** Starts a span, a child of `parent` (the call's current span), or a new trace's root when undefined. */
  startSpan(name: string, parent: TraceContext | undefined, options?: SpanStartOptions): TracedSpan;
}

/** Values a span attribute may hold. */
export type SpanAttributes = Readonly<Record<string, string | number | boolean>>;

/** How a span starts. */
export interface SpanStartOptions {
  /** OpenTelemetry span kind; `internal` (a stage inside a process) by default. */
  kind?: "server" | "client" | "internal";
  attributes?: SpanAttributes;
  /** Other spans this one works for (a coalesced batch links every fight it serves). */
  links?: readonly TraceContext[];
  /** Epoch milliseconds, when the span began before it was created; now by default. */
  startTime?: number;
}

/** A started span. */
export interface TracedSpan {
  /** This span's own context: the parent of its children, the `traceparent` of a call it makes. */
  readonly context: TraceContext;
  /** Ends the span; `error` marks it failed, with that description. Later calls do nothing. */
  end(outcome?: SpanOutcome): void;
}

/** How a span ended. */
export interface SpanOutcome {
  attributes?: SpanAttributes;
  /** Set when the span's work failed. */
  error?: string;
}

/** Where spans go and under which service name; undefined settings mean tracing is off. */
export interface TracingSettings {
  /** `service.name` of the spans: OTEL_SERVICE_NAME, else the service's own name. */
  serviceName: string;
  /** Full OTLP/HTTP traces URL, e.g. `http://jaeger:4318/v1/traces`. */
  tracesUrl: string;
}

/** A running tracer and how to flush it at shutdown. */
export interface Tracing {
  tracer: SpanTracer;
  /** Exports what is still queued, then stops. */
  shutdown(): Promise<void>;
}

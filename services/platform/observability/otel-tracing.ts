import {
  type Attributes,
  type Context,
  type Link,
  type SpanContext,
  type Span,
  type Tracer,
  DiagLogLevel,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  diag,
  trace,
} from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { SpanStartOptions, SpanTracer, TracedSpan, Tracing, TracingSettings } from "../core/span-tracer.js";
import { newSpanId, newTraceId, type TraceContext } from "../core/trace-context.js";
import type { Logger } from "./logger.js";

/**
 * The OpenTelemetry SDK behind `SpanTracer`; imported only by `tracing.ts`, and only when an OTLP
 * endpoint is set. No context manager, no propagator, no auto-instrumentation: the platform
 * already carries each call's W3C trace context (`CallContext.trace`) and its interceptors say
 * where spans start and end, so a span's parent is always given explicitly, and the ids the SDK
 * exports are the ids the `traceparent` headers and the log lines carry.
 */
export function startOtelTracing(settings: TracingSettings, logger: Logger): Tracing {
  // The SDK reports export failures through diag; without a logger they vanish.
  diag.setLogger(diagLoggerFrom(logger), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  const provider = new BasicTracerProvider({
    resource: defaultResource()
      .merge(detectResources({ detectors: [envDetector] }))
      .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName })),
    // Ids from the same pooled CSPRNG as the trace context the services propagate.
    idGenerator: { generateTraceId: newTraceId, generateSpanId: newSpanId },
    // Batches are sent every OTEL_BSP_SCHEDULE_DELAY ms (5 s by default), off the request path.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.tracesUrl }))],
  });
  const tracer = provider.getTracer("superheroes");
  return {
    tracer: { startSpan: (name, parent, options) => startSpan(tracer, name, parent, options) },
    shutdown: () => provider.shutdown(),
  };
}

const kinds = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL } as const;

function startSpan(
  tracer: Tracer,
  name: string,
  parent: TraceContext | undefined,
  options: SpanStartOptions = {},
): TracedSpan {
  const span = tracer.startSpan(
    name,
    {
      kind: kinds[options.kind ?? "internal"],
      ...(options.attributes === undefined ? {} : { attributes: options.attributes as Attributes }),
      ...(options.links === undefined ? {} : { links: options.links.map(linkTo) }),
      ...(options.startTime === undefined ? {} : { startTime: options.startTime }),
    },
    parentContext(parent),
  );
  return tracedSpan(span);
}

function tracedSpan(span: Span): TracedSpan {
  const own = span.spanContext();
  const context: TraceContext = {
    traceId: own.traceId,
    spanId: own.spanId,
    flags: own.traceFlags.toString(16).padStart(2, "0"),
  };
  let ended = false;
  return {
    context,
    end(outcome) {
      if (ended) return;
      ended = true;
      if (outcome?.attributes !== undefined) span.setAttributes(outcome.attributes as Attributes);
      if (outcome?.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error });
      span.end();
    },
  };
}

/** The context whose span is `parent`, as an OpenTelemetry Context: remote, from a traceparent. */
function parentContext(parent: TraceContext | undefined): Context {
  if (parent === undefined) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, spanContextOf(parent));
}

function spanContextOf(context: TraceContext): SpanContext {
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    traceFlags: Number.parseInt(context.flags, 16),
    isRemote: true,
  };
}

function linkTo(context: TraceContext): Link {
  return { context: spanContextOf(context) };
}

function diagLoggerFrom(logger: Logger) {
  const log =
    (level: "error" | "warn" | "info" | "debug" | "trace") =>
    (message: string, ...args: unknown[]) =>
      logger[level]({ otel: args.length === 0 ? undefined : args.map(String) }, `opentelemetry: ${message}`);
  return { error: log("error"), warn: log("warn"), info: log("info"), debug: log("debug"), verbose: log("trace") };
}

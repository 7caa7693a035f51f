import { randomFillSync } from "node:crypto";

/**
 * W3C trace context (https://www.w3.org/TR/trace-context/): `traceparent` is
 * `00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>`. We keep the trace id of an
 * incoming call and give every outgoing call a new span id, so one fight's log lines across
 * the four services share a trace id.
 */
export interface TraceContext {
  traceId: string;
  spanId: string;
  flags: string;
}

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses a `traceparent` header; undefined when absent or malformed (all-zero ids are invalid). */
export function parseTraceparent(value: string | undefined): TraceContext | undefined {
  const match = value === undefined ? null : traceparentPattern.exec(value.trim().toLowerCase());
  if (match === null) return undefined;
  const [, traceId = "", spanId = "", flags = ""] = match;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, flags };
}

/** A fresh sampled trace context. */
export function newTraceContext(): TraceContext {
  return { traceId: newTraceId(), spanId: newSpanId(), flags: "01" };
}

/**
 * The trace a call carries in its `traceparent` header: parsed when valid, else born here and
 * written back with `write`, so everything after sees the same trace id. Both edges (the grpc-js
 * trace interceptor and the Connect interceptor) call this, first thing: the one place a
 * served call's trace is created.
 */
export function ensureTraceparent(value: string | undefined, write: (traceparent: string) => void): TraceContext {
  const parsed = parseTraceparent(value);
  if (parsed !== undefined) return parsed;
  const trace = newTraceContext();
  write(formatTraceparent(trace));
  return trace;
}

/** The same trace with a new span id: what a caller sends to the next hop. */
export function childTraceContext(parent: TraceContext): TraceContext {
  return { ...parent, spanId: newSpanId() };
}

/** Formats a context as a `traceparent` header value. */
export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.flags}`;
}

/** A new random 16-hex-digit span id (also the span ids of exported spans: observability/otel-tracing.ts). */
export function newSpanId(): string {
  return randomHex(8);
}

/** A new random 32-hex-digit trace id. */
export function newTraceId(): string {
  return randomHex(16);
}

// Ids are drawn from a 4 KiB block of CSPRNG bytes, refilled when used up: one call into the
// CSPRNG per ~170 ids instead of one per id (two per fight hop).
const randomBlock = Buffer.alloc(4096);
let randomOffset = randomBlock.length;

function randomHex(bytes: number): string {
  if (randomOffset + bytes > randomBlock.length) {
    randomFillSync(randomBlock);
    randomOffset = 0;
  }
  randomOffset += bytes;
  return randomBlock.toString("hex", randomOffset - bytes, randomOffset);
}

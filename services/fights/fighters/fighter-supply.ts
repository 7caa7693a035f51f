import type { CallContext } from "../../platform/core/call-context.js";
import { createCoalescer, type BatchFetch, type Coalescer } from "./coalescer.js";
import type { FighterSourceMode } from "../config.js";
import { createFighterPool, type FighterPool } from "./fighter-pool.js";
import { fighterKinds, type FighterKind, type FighterSource } from "./fighter-source.js";
import type { SpanTracer } from "../../platform/core/span-tracer.js";

/** Options of `createFighterSource`. */
export interface FighterSourceOptions {
  mode: FighterSourceMode;
  coalesceMaxWaitMs: number;
  poolSize: number;
  poolTtlMs: number;
  refillTimeoutMs: number;
  /** Set when tracing is on: a span per coalesced batch call. */
  tracer?: SpanTracer;
}

/** The source the service uses, and its counters for /stats. */
export interface ConfiguredFighterSource {
  source: FighterSource;
  stats(): Record<string, unknown>;
}

/** Largest count the data services accept in one batch call. */
const maxBatch = 1000;

/**
 * Wraps the upstream source as configured: `direct` calls per pick, `coalesce` merges the picks
 * of one event-loop turn into one batch call per upstream, `pool` serves from a refilled pool
 * and falls through to coalesced calls when it runs dry.
 */
export function createFighterSource(upstream: FighterSource, options: FighterSourceOptions): ConfiguredFighterSource {
  if (options.mode === "direct") return { source: upstream, stats: () => ({ mode: "direct" }) };
  const coalescers = mapKinds((kind) =>
    createCoalescer(fetchOf(upstream, kind), {
      maxBatch,
      maxWaitMs: options.coalesceMaxWaitMs,
      ...(options.tracer === undefined ? {} : { tracer: options.tracer, spanName: kind }),
    }),
  );
  if (options.mode === "coalesce") {
    return {
      source: sourceOf((kind) => coalescers[kind].take),
      stats: () => ({ mode: "coalesce", coalesce: mapKinds((kind) => coalescers[kind].stats()) }),
    };
  }
  const pools = mapKinds((kind) =>
    createFighterPool(fetchOf(upstream, kind), coalescers[kind].take, {
      size: options.poolSize,
      ttlMs: options.poolTtlMs,
      refillTimeoutMs: options.refillTimeoutMs,
      maxBatch,
      ...(options.tracer === undefined ? {} : { tracer: options.tracer, spanName: kind }),
    }),
  );
  return {
    source: sourceOf((kind) => pools[kind].take),
    stats: () => ({
      mode: "pool",
      pool: mapKinds((kind) => pools[kind].stats()),
      coalesce: mapKinds((kind) => coalescers[kind].stats()),
    }),
  };
}

function fetchOf(source: FighterSource, kind: FighterKind): BatchFetch<unknown> {
  return (count: number, context: CallContext) => source[kind](count, context);
}

function sourceOf(
  takeOf: (kind: FighterKind) => Coalescer<unknown>["take"] | FighterPool<unknown>["take"],
): FighterSource {
  return mapKinds(takeOf) as unknown as FighterSource;
}

function mapKinds<T>(make: (kind: FighterKind) => T): Record<FighterKind, T> {
  return Object.fromEntries(fighterKinds.map((kind) => [kind, make(kind)])) as Record<FighterKind, T>;
}

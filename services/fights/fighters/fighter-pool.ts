import type { CallContext } from "../../platform/core/call-context.js";
import { deadlineAfter } from "../../platform/core/deadline.js";
import { newTraceContext } from "../../platform/core/trace-context.js";
import type { SpanTracer } from "../../platform/core/span-tracer.js";
import type { BatchFetch } from "./coalescer.js";

/** Options of `createFighterPool`. */
export interface FighterPoolOptions {
  /** Items kept ready. */
  size: number;
  /** How long an item may wait in the pool before it is thrown away, ms. */
  ttlMs: number;
  /** Deadline of a background refill call, ms. */
  refillTimeoutMs: number;
  /** Largest count of one refill call. */
  maxBatch: number;
  /** Set when tracing is on: each refill is the root span of a trace of its own, `pool_refill_<spanName>`. */
  tracer?: SpanTracer;
  spanName?: string;
}

/** A pool of random picks and its counters. */
export interface FighterPool<T> {
  take(count: number, context: CallContext): Promise<T[]>;
  stats(): { size: number; hits: number; misses: number; refills: number; refillFailures: number; expired: number };
}

interface Entry<T> {
  item: T;
  expiresAt: number;
}

/**
 * Random picks served from memory, refilled in the background by batch calls whenever the pool
 * falls below half of `size`. Trades freshness (at most `ttlMs` old) for far fewer upstream
 * calls. When the pool cannot serve a request, the request goes to `fallthrough` at once.
 */
export function createFighterPool<T>(
  refill: BatchFetch<T>,
  fallthrough: BatchFetch<T>,
  options: FighterPoolOptions,
): FighterPool<T> {
  let entries: Entry<T>[] = [];
  let refilling = false;
  const counters = { hits: 0, misses: 0, refills: 0, refillFailures: 0, expired: 0 };

  const dropExpired = () => {
    const now = Date.now();
    const before = entries.length;
    entries = entries.filter((entry) => entry.expiresAt > now);
    counters.expired += before - entries.length;
  };
  const startRefill = () => {
    if (refilling || entries.length >= options.size / 2) return;
    refilling = true;
    counters.refills += 1;
    const count = Math.min(options.size - entries.length, options.maxBatch);
    // No caller: a refill starts a trace of its own (a root span when tracing is on).
    const span = options.tracer?.startSpan(`pool_refill_${options.spanName ?? "picks"}`, undefined, {
      attributes: { "fights.batch.count": count },
    });
    const context: CallContext = {
      signal: new AbortController().signal,
      deadline: deadlineAfter(options.refillTimeoutMs),
      trace: span?.context ?? newTraceContext(),
      requestId: undefined,
    };
    refill(count, context)
      .then((items) => {
        span?.end({ attributes: { "fights.batch.items": items.length } });
        const expiresAt = Date.now() + options.ttlMs;
        // A table smaller than the pool (36 locations) answers with fewer distinct rows than
        // asked: repeat them, or the pool never fills and every take starts another refill.
        for (let i = 0; i < count && items.length > 0; i += 1)
          entries.push({ item: items[i % items.length] as T, expiresAt });
      })
      .catch((error: unknown) => {
        span?.end({ error: error instanceof Error ? error.message : String(error) });
        counters.refillFailures += 1;
      })
      .finally(() => {
        refilling = false;
      });
  };

  return {
    async take(count, context) {
      dropExpired();
      if (entries.length >= count) {
        counters.hits += 1;
        const taken = entries.splice(entries.length - count, count).map((entry) => entry.item);
        startRefill();
        return taken;
      }
      counters.misses += 1;
      startRefill();
      return fallthrough(count, context);
    },
    stats: () => ({ size: entries.length, ...counters }),
  };
}

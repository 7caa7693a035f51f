import type { CallContext } from "../../platform/core/call-context.js";
import { latestDeadline } from "../../platform/core/deadline.js";
import { CancelledError } from "../../platform/core/errors.js";
import type { SpanTracer } from "../../platform/core/span-tracer.js";

/** Fetches `count` distinct random items in one upstream call (fewer when fewer exist). */
export type BatchFetch<T> = (count: number, context: CallContext) => Promise<T[]>;

/** Options of `createCoalescer`. */
export interface CoalescerOptions {
  /** Largest count of one upstream call (the data services accept 1..1000). */
  maxBatch: number;
  /** Extra wait to gather more requests, ms; 0 gathers only those of the current event-loop turn. */
  maxWaitMs: number;
  /** Set when tracing is on: a span per batch call, named `coalesced_batch_<spanName>`. */
  tracer?: SpanTracer;
  spanName?: string;
}

/** Coalesced picks and their counters. */
export interface Coalescer<T> {
  take(count: number, context: CallContext): Promise<T[]>;
  stats(): { requests: number; upstreamCalls: number; items: number };
}

interface Waiter<T> {
  count: number;
  context: CallContext;
  resolve(items: T[]): void;
  reject(error: unknown): void;
}

/**
 * Turns the picks requested within one event-loop turn into one batch call (or a few, of at most
 * `maxBatch` each). The batch runs until the latest of its callers' deadlines and is cancelled
 * only when every caller has gone; a caller that goes earlier is released at once.
 */
export function createCoalescer<T>(fetch: BatchFetch<T>, options: CoalescerOptions): Coalescer<T> {
  let pending: Waiter<T>[] = [];
  let scheduled = false;
  const counters = { requests: 0, upstreamCalls: 0, items: 0 };

  const flush = () => {
    scheduled = false;
    const waiters = pending;
    pending = [];
    for (const chunk of chunks(waiters, options.maxBatch)) {
      counters.upstreamCalls += 1;
      const total = chunk.reduce((sum, waiter) => sum + waiter.count, 0);
      counters.items += total;
      const context = combinedContext(chunk);
      if (options.tracer === undefined) {
        fetch(total, context).then(
          (items) => distribute(chunk, items),
          (error: unknown) => chunk.forEach((waiter) => waiter.reject(error)),
        );
      } else {
        tracedFetch(options.tracer, options.spanName ?? "picks", chunk, total, context);
      }
    }
  };

  // The batch serves several fights: its parent is the first caller's span (as its context's
  // trace is), and it links every other caller's, so each fight's trace finds the batch.
  const tracedFetch = (
    tracer: SpanTracer,
    spanName: string,
    chunk: Waiter<T>[],
    total: number,
    context: CallContext,
  ) => {
    const span = tracer.startSpan(`coalesced_batch_${spanName}`, context.trace, {
      attributes: { "fights.batch.callers": chunk.length, "fights.batch.count": total },
      links: chunk.slice(1).map((waiter) => waiter.context.trace),
    });
    fetch(total, { ...context, trace: span.context }).then(
      (items) => {
        span.end({ attributes: { "fights.batch.items": items.length } });
        distribute(chunk, items);
      },
      (error: unknown) => {
        span.end({ error: error instanceof Error ? error.message : String(error) });
        chunk.forEach((waiter) => waiter.reject(error));
      },
    );
  };

  return {
    take(count, context) {
      counters.requests += 1;
      return new Promise<T[]>((resolve, reject) => {
        if (context.signal.aborted) return reject(new CancelledError("caller went away"));
        const onAbort = () => reject(new CancelledError("caller went away"));
        context.signal.addEventListener("abort", onAbort, { once: true });
        const settle =
          <A>(finish: (value: A) => void) =>
          (value: A) => {
            context.signal.removeEventListener("abort", onAbort);
            finish(value);
          };
        pending.push({
          count: Math.min(count, options.maxBatch),
          context,
          resolve: settle(resolve),
          reject: settle(reject),
        });
        if (scheduled) return;
        scheduled = true;
        if (options.maxWaitMs > 0) setTimeout(flush, options.maxWaitMs);
        else setImmediate(flush);
      });
    },
    stats: () => ({ ...counters }),
  };
}

/** Hands each waiter its share; when the upstream had fewer distinct rows, shares repeat rows. */
function distribute<T>(waiters: Waiter<T>[], items: T[]): void {
  if (items.length === 0) {
    waiters.forEach((waiter) => waiter.resolve([]));
    return;
  }
  let next = 0;
  for (const waiter of waiters) {
    const share: T[] = [];
    const distinct = Math.min(waiter.count, items.length);
    for (let i = 0; i < distinct; i += 1) share.push(items[(next + i) % items.length] as T);
    next += distinct;
    waiter.resolve(share);
  }
}

function chunks<T>(waiters: Waiter<T>[], maxBatch: number): Waiter<T>[][] {
  const result: Waiter<T>[][] = [];
  let current: Waiter<T>[] = [];
  let size = 0;
  for (const waiter of waiters) {
    if (size + waiter.count > maxBatch && current.length > 0) {
      result.push(current);
      current = [];
      size = 0;
    }
    current.push(waiter);
    size += waiter.count;
  }
  if (current.length > 0) result.push(current);
  return result;
}

/** The context of a batch: latest deadline, aborted when all callers aborted, first caller's trace. */
function combinedContext<T>(waiters: Waiter<T>[]): CallContext {
  const first = waiters[0]!.context;
  if (waiters.length === 1) return first;
  const controller = new AbortController();
  let remaining = waiters.length;
  for (const { context } of waiters) {
    const onAbort = () => {
      remaining -= 1;
      if (remaining === 0) controller.abort();
    };
    if (context.signal.aborted) onAbort();
    else context.signal.addEventListener("abort", onAbort, { once: true });
  }
  return {
    signal: controller.signal,
    deadline: latestDeadline(waiters.map((waiter) => waiter.context.deadline)),
    trace: first.trace,
    requestId: first.requestId,
  };
}

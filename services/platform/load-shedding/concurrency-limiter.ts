import { createAdaptiveLimit, type AdaptiveLimit } from "./adaptive-limit.js";
import { createFloodRecord, floodMemoryMs } from "./flood-record.js";

/** `adaptive`: a limit that follows latency, under the ceiling; `fixed`: the ceiling alone. */
export const concurrencyLimitModes = ["adaptive", "fixed"] as const;
export type ConcurrencyLimitMode = (typeof concurrencyLimitModes)[number];

/** How a server limits its in-flight calls (`<PREFIX>_CONCURRENCY_LIMIT`, `_MIN_`, `_INITIAL_`). */
export interface ConcurrencyLimitSettings {
  mode: ConcurrencyLimitMode;
  /** The adaptive limit never goes below this. */
  minLimit: number;
  /** The adaptive limit before anything was measured. */
  initialLimit: number;
}

/**
 * Which rule refused a call: the adaptive limit, the ceiling, or (while the server sheds load) a
 * deadline shorter than calls take here now.
 */
export type LimitName = "adaptive" | "ceiling" | "deadline";

/** A call let in: release it when it ends (once; later calls do nothing). */
export interface Permit {
  /**
   * The call's response is produced: its place under the adaptive limit is free, and its duration
   * so far is a latency sample. What is left (writing to a client that may read slowly, or never)
   * is not this server's work, so a client that stops reading cannot hold the limit; it keeps its
   * ceiling slot until `release`.
   */
  responded(): void;
  /** `sample`: the call ran to its end and its duration says how long a call takes here. */
  release(sample: boolean): void;
}

/** A call refused, and why, in words a caller can act on. */
export interface Refusal {
  limit: LimitName;
  message: string;
}

/** What the limiter is doing now, for `/stats` and the metrics. */
export interface ConcurrencyLimitSnapshot {
  mode: ConcurrencyLimitMode;
  /** Unary calls let in at once now (the adaptive limit under the ceiling; the ceiling when fixed). */
  limit: number;
  /** Every call at once, streams included (`<PREFIX>_MAX_IN_FLIGHT`). */
  ceiling: number;
  inFlight: number;
  /** Unary calls in flight: the ones the adaptive limit counts. */
  unaryInFlight: number;
  /** Mean duration of the last window of calls, ms (adaptive only; null until a window closed). */
  windowRttMs?: number | null;
  /** The normal latency the limit compares windows with, ms (adaptive only; null until learned). */
  baselineRttMs?: number | null;
  /** 1.5 × baseline ÷ window, clamped to 0.5..1 (adaptive only; null until there is a baseline). */
  gradient?: number | null;
  shed: Record<LimitName, number>;
}

/** Admission of calls to one server process, whatever the protocol (grpc-js, Connect). */
export interface ConcurrencyLimiter {
  /**
   * Lets a call in or refuses it at once. `stream`: a long-lived call (WatchFights), counted
   * against the ceiling only: its duration is not a latency, and it must not hold a slot of the
   * adaptive limit for minutes. `remainingMs`: the time the caller still waits (its deadline),
   * when the edge knows it.
   */
  tryAcquire(kind: "unary" | "stream", remainingMs?: number): Permit | Refusal;
  /**
   * The deadline rule alone, for an edge that learns a call's deadline only after admitting it
   * (Connect: connect-es parses the timeout for the handler): a refusal when the server sheds and
   * the caller waits less than calls take here now, else undefined. The caller then releases its
   * permit as no sample.
   */
  refusesShortDeadline(remainingMs: number): Refusal | undefined;
  /** Calls in flight now, streams included. */
  inFlight(): number;
  /** Calls refused since start. */
  shed(): number;
  /**
   * Whether the server is flooded: over the last second it refused at least as many calls as it
   * let in (and 20 or more). A server near its capacity that turns a few calls away is not.
   */
  isFlooded(): boolean;
  /**
   * Whether the server is flooded now or was within `floodMemoryMs` of a look that found it so:
   * the stream allowance holds connections and the adaptive limit's baseline learns nothing while
   * this holds.
   */
  inFlood(): boolean;
  snapshot(): ConcurrencyLimitSnapshot;
}

/** Options of `createConcurrencyLimiter`. */
export interface ConcurrencyLimiterOptions {
  /** Hard ceiling on calls in flight, streams included. */
  ceiling: number;
  /** Absent: the ceiling alone (fixed). */
  settings?: ConcurrencyLimitSettings;
  /** Monotonic ms; `performance.now` by default. */
  now?: () => number;
}

/**
 * How long after the last refusal by a limit the server counts as shedding load, ms: long enough
 * to span the gaps of a flood, short enough that the deadline rule ends with it.
 */
const sheddingMemoryMs = 1_000;

/**
 * Refuses calls past the limit at once instead of queueing them: a queue past capacity only
 * turns overload into timeouts for everyone. The ceiling counts every call; the adaptive limit
 * counts unary calls and learns from the duration of each one that ran to its end.
 *
 * While the server sheds load (a limit refused a call in the last second), the adaptive limit
 * also refuses a unary call whose caller waits less than the slowest call of the last window
 * took: let in, it could well be answered DEADLINE_EXCEEDED after taking a place and the work of
 * a call that could finish (measured: a 1 s-deadline probe during a flood of 3,000 callers, when
 * admitted calls took 1–2.5 s; judged by the window's mean, pairs of probe calls still timed out
 * in four runs of seven, by its slowest call in one of five). Outside a flood a short deadline is
 * the caller's choice and is let in as before; refusals by this rule do not prolong the flood's
 * state, so they end with it.
 */
export function createConcurrencyLimiter(options: ConcurrencyLimiterOptions): ConcurrencyLimiter {
  const now = options.now ?? (() => performance.now());
  const settings = options.settings ?? { mode: "fixed", minLimit: 1, initialLimit: options.ceiling };
  const floods = createFloodRecord();
  /** When a look at the flood record last found a flood. */
  let floodSeenMs = -Infinity;
  const isFlooded = (nowMs: number) => {
    const flooded = floods.isFlood(nowMs);
    if (flooded) floodSeenMs = nowMs;
    return flooded;
  };
  const inFlood = () => {
    const nowMs = now();
    return isFlooded(nowMs) || nowMs - floodSeenMs <= floodMemoryMs;
  };
  const adaptive: AdaptiveLimit | undefined =
    settings.mode === "adaptive"
      ? createAdaptiveLimit({
          initialLimit: settings.initialLimit,
          minLimit: Math.min(settings.minLimit, options.ceiling),
          maxLimit: options.ceiling,
          inFlood,
        })
      : undefined;
  let inFlight = 0;
  let unaryInFlight = 0;
  const shed: Record<LimitName, number> = { adaptive: 0, ceiling: 0, deadline: 0 };
  let lastLimitRefusalMs = -Infinity;
  const unaryLimit = () => Math.min(adaptive?.limit() ?? options.ceiling, options.ceiling);

  const refuse = (limit: LimitName, message: string, nowMs = now()): Refusal => {
    shed[limit] += 1;
    if (limit !== "deadline") lastLimitRefusalMs = nowMs;
    floods.refused(nowMs);
    return { limit, message };
  };
  /** The refusal of a call that would wait longer than its caller does, while shedding; else undefined. */
  const tooShortToWait = (remainingMs: number, nowMs: number): Refusal | undefined => {
    if (adaptive === undefined || remainingMs === Infinity) return undefined;
    if (nowMs - lastLimitRefusalMs > sheddingMemoryMs) return undefined;
    const callMs = adaptive.state().windowSlowestMs;
    if (callMs === undefined || remainingMs >= callMs) return undefined;
    return refuse(
      "deadline",
      `server busy: calls take up to ~${Math.round(callMs)} ms here now and this one has ${Math.round(remainingMs)} ms left; retry with backoff, or with a longer deadline`,
      nowMs,
    );
  };

  return {
    tryAcquire(kind, remainingMs = Infinity) {
      if (inFlight >= options.ceiling) {
        return refuse("ceiling", `server busy: more than ${options.ceiling} calls in flight; retry with backoff`);
      }
      const limit = unaryLimit();
      if (kind === "unary" && unaryInFlight >= limit) {
        adaptive?.onRefusal();
        return refuse(
          "adaptive",
          `server busy: more than ${limit} calls in flight (a limit that follows this server's latency); retry with backoff`,
        );
      }
      if (kind === "stream") {
        inFlight += 1;
        floods.admitted(now());
        return streamPermit(() => (inFlight -= 1));
      }
      // One clock read serves the deadline rule and the call's latency sample.
      const startedMs = now();
      const refusal = tooShortToWait(remainingMs, startedMs);
      if (refusal !== undefined) return refusal;
      floods.admitted(startedMs);
      inFlight += 1;
      unaryInFlight += 1;
      const admittedInFlight = unaryInFlight;
      let unaryHeld = true;
      let ceilingHeld = true;
      const endWork = (sample: boolean) => {
        if (!unaryHeld) return;
        unaryHeld = false;
        // The most in flight at either end: a call let in before a flood and finished in it
        // waited behind the flood, so its window must not count as one the callers kept light.
        const busiest = Math.max(admittedInFlight, unaryInFlight);
        unaryInFlight -= 1;
        if (sample) adaptive?.onSample({ rttMs: now() - startedMs, inFlight: busiest, nowMs: now() });
      };
      return {
        responded: () => endWork(true),
        release(sample) {
          endWork(sample);
          if (!ceilingHeld) return;
          ceilingHeld = false;
          inFlight -= 1;
        },
      };
    },
    refusesShortDeadline: (remainingMs) => tooShortToWait(remainingMs, now()),
    inFlight: () => inFlight,
    shed: () => shed.adaptive + shed.ceiling + shed.deadline,
    isFlooded: () => isFlooded(now()),
    inFlood,
    snapshot() {
      const state = adaptive?.state();
      return {
        mode: settings.mode,
        limit: unaryLimit(),
        ceiling: options.ceiling,
        inFlight,
        unaryInFlight,
        ...(state === undefined
          ? {}
          : // null, not undefined, so that /stats shows every input of the limit before it is known.
            {
              windowRttMs: state.windowRttMs ?? null,
              baselineRttMs: state.baselineRttMs ?? null,
              gradient: state.gradient ?? null,
            }),
        shed: { ...shed },
      };
    },
  };
}

/** Whether a value from `tryAcquire` is a refusal. */
export function isRefusal(value: Permit | Refusal): value is Refusal {
  return "message" in value;
}

/**
 * Whether a call that ended with this gRPC status code (Connect uses the same numbers) is a
 * latency sample: every ending but CANCELLED (1) and DEADLINE_EXCEEDED (4), whose duration is the
 * caller's patience, not how long the call takes here.
 */
export function isLatencySample(code: number): boolean {
  return code !== 1 && code !== 4;
}

function streamPermit(release: () => void): Permit {
  let released = false;
  return {
    responded: () => {},
    release() {
      if (released) return;
      released = true;
      release();
    },
  };
}

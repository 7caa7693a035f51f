import { setTimeout as sleep } from "node:timers/promises";
import { status as Status } from "@grpc/grpc-js";
import type { CircuitBreaker } from "./circuit-breaker.js";
import type { ServingStatus } from "./health-check.js";

/** Options of `createHealthRecovery`. */
export interface HealthRecoveryOptions {
  /**
   * Asks the upstream's grpc.health.v1 once; rejects when it cannot be asked (a rejection with
   * gRPC code UNIMPLEMENTED means it has no health service).
   */
  check: () => Promise<ServingStatus>;
  /** Time between two checks while the breaker is open, ms. Default 200. */
  intervalMs?: number;
}

/** Watches an upstream's health while its breaker is open. */
export interface HealthRecovery {
  /** The breaker has just opened (or reopened after a failed probe): watch from now on. */
  breakerOpened(): void;
  /** Stops watching for good. */
  close(): void;
}

/**
 * Recovery from health, not from a timer alone: while the breaker is OPEN, asks the upstream's
 * health every `intervalMs`, and when the upstream comes back to SERVING after having been seen
 * unreachable or not serving during this open spell, moves the breaker to HALF_OPEN at once, so
 * real answers are back a check interval after the upstream is. While the upstream says
 * NOT_SERVING, cannot be reached or does not answer its check in time, the breaker is held OPEN
 * past its open timer (a probe would only fail, or cost its caller the wait). An upstream that
 * stayed SERVING all along (failing calls while its health says fine) gets nothing from this: the
 * open timer and its backoff bound how often it is probed.
 */
export function createHealthRecovery(breaker: CircuitBreaker, options: HealthRecoveryOptions): HealthRecovery {
  const intervalMs = options.intervalMs ?? 200;
  let watching = false;
  let closed = false;
  let seenDown = false;

  const watch = async () => {
    watching = true;
    try {
      while (!closed && breaker.state() === "OPEN") {
        const startedAt = performance.now();
        const status = await options.check().catch(unansweredStatus);
        if (closed || breaker.state() !== "OPEN") break;
        // Held until a few checks from now, renewed at each: a stopped watcher cannot pin it open.
        if (status === "NOT_SERVING" || status === "DOWN")
          breaker.upstreamDown(3 * (intervalMs + performance.now() - startedAt));
        if (status !== "SERVING") seenDown = true;
        else if (seenDown) {
          breaker.upstreamServing();
          break;
        }
        await sleep(intervalMs, undefined, { ref: false });
      }
    } finally {
      watching = false;
    }
  };

  return {
    breakerOpened() {
      seenDown = false;
      if (!watching && !closed) void watch();
    },
    close() {
      closed = true;
    },
  };
}

/**
 * What a failed check says. Unreachable (UNAVAILABLE) or not answering in time (a hung process,
 * DEADLINE_EXCEEDED) is down: a probe would fail or wait out its deadline. UNIMPLEMENTED (an
 * upstream without grpc.health.v1) says nothing about the upstream: its open timer decides.
 */
function unansweredStatus(error: unknown): "DOWN" | "SILENT" {
  return (error as { code?: unknown } | null)?.code === Status.UNIMPLEMENTED ? "SILENT" : "DOWN";
}

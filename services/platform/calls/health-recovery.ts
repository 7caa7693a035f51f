import { setTimeout as sleep } from "node:timers/promises";
import { status as Status } from "@grpc/grpc-js";
import type { CircuitBreaker } from "./circuit-breaker.js";
import type { ServingStatus } from "./health-check.js";

/** Options of `createHealthRecovery`. */
export interface HealthRecoveryOptions {
  /**
   * Asks the upstream's grpc.health.v1 once; rejects when it cannot be asked (a rejection with
   * gRPC code UNAVAILABLE means the upstream cannot be reached at all).
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
 * NOT_SERVING or cannot be reached, the breaker is held OPEN past its open timer (a probe would
 * only fail, and cost its caller the wait). An upstream that stayed SERVING all along (failing
 * calls while its health says fine) gets nothing from this: the open timer and its backoff bound
 * how often it is probed.
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
        const status = await options.check().catch(unansweredStatus);
        if (closed || breaker.state() !== "OPEN") break;
        // Held for a few intervals and renewed at each check: a stopped watcher cannot pin it open.
        if (status === "NOT_SERVING" || status === "UNREACHABLE") breaker.upstreamDown(intervalMs * 3);
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
 * What a failed check says: UNAVAILABLE means nothing answers at that address (down, as far as a
 * probe can tell); any other error (a slow or health-less upstream) says nothing either way.
 */
function unansweredStatus(error: unknown): "UNREACHABLE" | "UNANSWERED" {
  return (error as { code?: unknown } | null)?.code === Status.UNAVAILABLE ? "UNREACHABLE" : "UNANSWERED";
}

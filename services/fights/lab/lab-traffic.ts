import type { CallContext } from "../../platform/core/call-context.js";
import { InvalidArgumentError } from "../../platform/core/errors.js";
import { newTraceContext } from "../../platform/core/trace-context.js";
import type { Logger } from "../../platform/observability/logger.js";

/** The lab traffic now: fights started per second (0: off) and when it stops by itself. */
export interface LabTrafficState {
  fightsPerSecond: number;
  /** Undefined when off. */
  stopsAt: Date | undefined;
}

/** Random fights the fights service makes by itself, so the breakers have volume to judge. */
export interface LabTraffic {
  state(): LabTrafficState;
  /** Starts, changes or (0) stops the traffic; throws InvalidArgumentError for values out of range. */
  set(fightsPerSecond: number, durationSeconds: number): LabTrafficState;
  close(): void;
}

export const maxLabFightsPerSecond = 200;
export const maxLabTrafficSeconds = 600;
export const defaultLabTrafficSeconds = 300;
/** Deadline of each lab fight, ms: long enough for a 1 s upstream cap, short enough not to pile up. */
const labFightDeadlineMs = 5_000;
/**
 * How often the generator wakes to start the fights that are due, ms: short, so that up to 100
 * fights/s each start in their own event-loop turn and make their own upstream calls, as fights
 * from separate clients do (fights started in one turn share one coalesced call).
 */
const tickMs = 10;

/**
 * An open-loop generator: fights are started on schedule whether earlier ones finished or not
 * (a slow upstream must not slow the traffic down, or the breakers would see less of it), up to
 * `fightsPerSecond × 5` in flight. It stops by itself at `stopsAt`, so a forgotten lab does not
 * fill the database.
 */
export function createLabTraffic(fight: (context: CallContext) => Promise<unknown>, logger: Logger): LabTraffic {
  let state: LabTrafficState = { fightsPerSecond: 0, stopsAt: undefined };
  let timer: NodeJS.Timeout | undefined;
  let inFlight = 0;
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
    state = { fightsPerSecond: 0, stopsAt: undefined };
  };
  const start = (fightsPerSecond: number, stopsAt: Date) => {
    stop();
    state = { fightsPerSecond, stopsAt };
    const startedAt = Date.now();
    let started = 0;
    timer = setInterval(() => {
      if (Date.now() >= stopsAt.getTime()) return stop();
      const due = Math.floor(((Date.now() - startedAt) / 1000) * fightsPerSecond) - started;
      for (let index = 0; index < due; index += 1) {
        started += 1;
        if (inFlight >= fightsPerSecond * 5) continue;
        inFlight += 1;
        fight(labContext())
          .catch((error: unknown) => logger.debug({ err: error }, "lab fight failed"))
          .finally(() => (inFlight -= 1));
      }
    }, tickMs);
    timer.unref();
  };
  return {
    state: () => state,
    set(fightsPerSecond, durationSeconds) {
      if (!Number.isInteger(fightsPerSecond) || fightsPerSecond < 0 || fightsPerSecond > maxLabFightsPerSecond) {
        throw new InvalidArgumentError(
          "fights_per_second",
          `must be an integer from 0 (off) to ${maxLabFightsPerSecond}, got ${fightsPerSecond}`,
        );
      }
      if (!Number.isInteger(durationSeconds) || durationSeconds < 0 || durationSeconds > maxLabTrafficSeconds) {
        throw new InvalidArgumentError(
          "duration_seconds",
          `must be an integer from 1 to ${maxLabTrafficSeconds} (0 means ${defaultLabTrafficSeconds}), got ${durationSeconds}`,
        );
      }
      if (fightsPerSecond === 0) stop();
      else start(fightsPerSecond, new Date(Date.now() + (durationSeconds || defaultLabTrafficSeconds) * 1000));
      logger.info(state, fightsPerSecond === 0 ? "lab traffic off" : `lab traffic: ${fightsPerSecond} fights/s`);
      return state;
    },
    close: stop,
  };
}

function labContext(): CallContext {
  return {
    signal: AbortSignal.timeout(labFightDeadlineMs),
    deadline: Date.now() + labFightDeadlineMs,
    trace: newTraceContext(),
    requestId: undefined,
  };
}

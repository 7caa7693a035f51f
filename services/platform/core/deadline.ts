/**
 * Deadline arithmetic, in one place. A deadline is an absolute time in epoch milliseconds;
 * `Infinity` means the caller set none. Every layer (grpc-js calls, Connect's timeout header,
 * upstream caps, coalesced batches, grace periods) converts through these functions.
 */

/** No deadline. */
export const noDeadline = Infinity;

/** Milliseconds left until `deadline` (never negative); `Infinity` without a deadline. */
export function remainingMs(deadline: number, now = Date.now()): number {
  return Math.max(0, deadline - now);
}

/** Whether `deadline` has passed at `now`. */
export function hasPassed(deadline: number, now = Date.now()): boolean {
  return deadline <= now;
}

/** The deadline `timeoutMs` from `now`; `Infinity` for an undefined timeout. */
export function deadlineAfter(timeoutMs: number | undefined, now = Date.now()): number {
  return timeoutMs === undefined ? noDeadline : now + timeoutMs;
}

/** The caller's deadline, capped at `capMs` from now: what an upstream call may spend. */
export function cappedDeadline(callerDeadline: number, capMs: number, now = Date.now()): number {
  return Math.min(callerDeadline, now + capMs);
}

/** The deadline of work shared by several callers: it runs until the last of them gives up. */
export function latestDeadline(deadlines: readonly number[]): number {
  let latest = -Infinity;
  for (const deadline of deadlines) if (deadline > latest) latest = deadline;
  return latest;
}

/** A grpc-js deadline (`Date` or epoch ms, `Infinity` for none) as epoch milliseconds. */
export function deadlineFromGrpc(deadline: Date | number): number {
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

/**
 * Whether a call cancelled at `now` was cancelled by its deadline. The server's own deadline
 * timer usually wins the race: the client's RST_STREAM arrives a little before ours fires (the
 * server's deadline also counts the request's transit), so a cancel within `raceMs` of the
 * deadline is the deadline.
 */
export function cancelledByDeadline(deadline: number, now = Date.now(), raceMs = 50): boolean {
  return deadline - now <= raceMs;
}

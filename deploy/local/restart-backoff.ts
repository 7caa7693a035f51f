/** How long the launcher waits before restarting a service that stopped on its own. */
export interface BackoffPolicy {
  /** First wait, ms. */
  initialMs: number;
  /** Each wait doubles up to this, ms. */
  maxMs: number;
  /** A service that stayed SERVING this long starts again from `initialMs`, ms. */
  resetAfterMs: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };

/** The restart waits of one service: 0.5 s, 1 s, 2 s ... 30 s, back to 0.5 s after a healthy minute. */
export interface RestartBackoff {
  /** The wait before the next restart, given how long the service had been SERVING (0: never got there). */
  next(servingForMs: number): number;
}

export function createRestartBackoff(policy: BackoffPolicy = defaultBackoff): RestartBackoff {
  let nextMs = policy.initialMs;
  return {
    next(servingForMs) {
      if (servingForMs >= policy.resetAfterMs) nextMs = policy.initialMs;
      const wait = nextMs;
      nextMs = Math.min(nextMs * 2, policy.maxMs);
      return wait;
    },
  };
}

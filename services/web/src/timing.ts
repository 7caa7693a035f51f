/** Exponential backoff with jitter for reconnects. */
export interface Backoff {
  /** The next delay, ms; grows up to the maximum. */
  next(): number;
  /** Back to the first delay (after a success). */
  reset(): void;
}

/** Options of `createBackoff`. */
export interface BackoffOptions {
  /** First delay, ms; default 500. */
  initialMs?: number;
  /** Largest delay, ms; default 10 000. */
  maxMs?: number;
}

/** Delays of 500 ms, 1 s, 2 s, ... up to `maxMs`, each ±20 % so many pages do not reconnect in step. */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  const initialMs = options.initialMs ?? 500;
  const maxMs = options.maxMs ?? 10_000;
  let attempt = 0;
  return {
    next() {
      const base = Math.min(maxMs, initialMs * 2 ** attempt);
      attempt += 1;
      return Math.round(base * (0.8 + Math.random() * 0.4));
    },
    reset() {
      attempt = 0;
    },
  };
}

/** Resolves after `ms`, or early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** A task run now and then every `intervalMs` after it finishes, never twice at once. */
export interface Poller {
  /** Runs the task as soon as the current run (if any) finishes. */
  refresh(): void;
}

/** Starts polling `task` until `signal` aborts. */
export function startPoller(
  task: (signal: AbortSignal) => Promise<void>,
  intervalMs: number,
  signal: AbortSignal,
): Poller {
  let wake: (() => void) | undefined;
  let again = false;
  void (async () => {
    while (!signal.aborted) {
      again = false;
      await task(signal).catch(reportBug);
      if (again) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        void sleep(intervalMs, signal).then(resolve);
      });
      wake = undefined;
    }
  })();
  return {
    refresh() {
      again = true;
      wake?.();
    },
  };
}

/** Tasks handle their own errors; one that escapes is a bug worth a line in the browser console. */
function reportBug(error: unknown): void {
  console.error("poller task failed", error);
}

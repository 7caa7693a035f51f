import { setTimeout as sleep } from "node:timers/promises";
import { waitFor } from "./wait-for.js";

/** What `closeLatencyWindow` reads of a concurrency limiter (its snapshot, or `/stats`). */
export interface LimiterState {
  windowRttMs?: number | null | undefined;
  unaryInFlight: number;
}

/**
 * Sends waves of six calls 150 ms apart, keeping at most `maxInFlight` in flight, until the
 * adaptive limit has closed a window whose mean is at least `minRttMs`. A window closes once it
 * spans 100 ms and holds 10 samples: two waves usually close one, but on a busy machine the first
 * waves may end together, so it waits for the window, not for the waves. Resolves once every call
 * sent has ended.
 */
export async function closeLatencyWindow(options: {
  minRttMs: number;
  maxInFlight: number;
  state: () => LimiterState | Promise<LimiterState>;
  call: () => Promise<unknown>;
}): Promise<void> {
  const sent: Promise<unknown>[] = [];
  await waitFor(
    `a window of calls taking ${options.minRttMs} ms`,
    async () => {
      const state = await options.state();
      if ((state.windowRttMs ?? 0) >= options.minRttMs) return true;
      if (state.unaryInFlight + 6 <= options.maxInFlight) {
        sent.push(...Array.from({ length: 6 }, options.call));
        await sleep(150);
      }
      return false;
    },
    10_000,
  );
  await Promise.all(sent);
}

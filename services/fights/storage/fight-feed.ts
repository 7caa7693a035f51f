import { ResourceExhaustedError } from "../../platform/core/errors.js";
import type { Fight } from "../fight.js";

/** Live fan-out of stored fights to WatchFights streams. */
export interface FightFeed {
  /** Hands fights to every subscriber without waiting for any of them. */
  publish(fights: readonly Fight[]): void;
  /** Fights published from now until `signal` aborts; throws ResourceExhaustedError when the reader falls too far behind. */
  subscribe(signal: AbortSignal): AsyncIterable<Fight>;
  stats(): { subscribers: number; dropped: number };
}

interface Subscriber {
  queue: Fight[];
  wake: (() => void) | undefined;
  overflowed: boolean;
}

/**
 * A feed where fights never wait for readers: a subscriber whose backlog has reached
 * `maxQueued` fights when more arrive is dropped with RESOURCE_EXHAUSTED (it may reconnect).
 */
export function createFightFeed(maxQueued: number): FightFeed {
  const subscribers = new Set<Subscriber>();
  let dropped = 0;
  return {
    publish(fights) {
      for (const subscriber of subscribers) {
        // The backlog before this batch decides: a batch larger than the limit (PerformRandomFights)
        // must not drop a reader that keeps up.
        if (subscriber.queue.length >= maxQueued) {
          subscriber.overflowed = true;
          subscribers.delete(subscriber);
          dropped += 1;
        } else {
          subscriber.queue.push(...fights);
        }
        subscriber.wake?.();
      }
    },
    subscribe(signal) {
      const subscriber: Subscriber = { queue: [], wake: undefined, overflowed: false };
      subscribers.add(subscriber);
      return stream(subscriber, signal, () => subscribers.delete(subscriber), maxQueued);
    },
    stats: () => ({ subscribers: subscribers.size, dropped }),
  };
}

async function* stream(
  subscriber: Subscriber,
  signal: AbortSignal,
  leave: () => void,
  maxQueued: number,
): AsyncGenerator<Fight> {
  const onAbort = () => subscriber.wake?.();
  signal.addEventListener("abort", onAbort);
  try {
    while (!signal.aborted) {
      const fight = subscriber.queue.shift();
      if (fight !== undefined) {
        yield fight;
        continue;
      }
      if (subscriber.overflowed) {
        throw new ResourceExhaustedError(
          `watcher fell more than ${maxQueued} fights behind and was dropped; reconnect to resume`,
        );
      }
      await new Promise<void>((resolve) => (subscriber.wake = resolve));
      subscriber.wake = undefined;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    leave();
  }
}

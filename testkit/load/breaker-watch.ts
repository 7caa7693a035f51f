import { BreakerState, type FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import type { PromiseClient } from "../../services/platform/calls/grpc-client.js";

/** A breaker state an upstream was seen in, and when (performance.now() ms). */
export interface BreakerSighting {
  at: number;
  state: string;
}

/** Polls GetUpstreamStatus of a fights service and keeps each change of one upstream's breaker. */
export interface BreakerWatch {
  sightings(): readonly BreakerSighting[];
  /** When the breaker was first seen in `state` at or after `since`; undefined if not yet. */
  firstSeen(state: string, since: number): number | undefined;
  stop(): void;
}

/** Watches `upstream`'s breaker every `intervalMs` (default 25 ms). */
export function watchBreaker(
  client: PromiseClient<typeof FightService>,
  upstream: string,
  intervalMs = 25,
): BreakerWatch {
  const sightings: BreakerSighting[] = [];
  let stopped = false;
  const poll = async () => {
    while (!stopped) {
      const at = performance.now();
      const status = await client.getUpstreamStatus({}, { deadline: Date.now() + 1000 }).catch(() => undefined);
      const found = status?.upstreams.find((candidate) => candidate.name === upstream);
      const state = found === undefined ? "UNKNOWN" : (BreakerState[found.breakerState] ?? "UNKNOWN");
      if (sightings.at(-1)?.state !== state) sightings.push({ at, state });
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  };
  void poll();
  return {
    sightings: () => sightings,
    firstSeen: (state, since) => sightings.find((sighting) => sighting.state === state && sighting.at >= since)?.at,
    stop: () => void (stopped = true),
  };
}

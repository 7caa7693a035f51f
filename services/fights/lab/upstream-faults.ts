import { Metadata, status as Status } from "@grpc/grpc-js";
import {
  type FaultSettings as FaultSettingsMessage,
  FaultService,
} from "../../../gen/superheroes/fault/v1/fault_service_pb.js";
import { faultSettingsFromMessage } from "../../platform/faults/fault-service.js";
import type { PromiseClient } from "../../platform/calls/grpc-client.js";
import { isServiceError } from "../../platform/calls/grpc-client.js";
import { FailedPreconditionError, InvalidArgumentError, UnavailableError } from "../../platform/core/errors.js";
import type { FaultSettings } from "../../platform/faults/faults.js";
import type { FighterKind } from "../fighters/fighter-source.js";
import type { Upstreams } from "../fighters/upstream-fighters.js";

/** One data service as the lab sees it. */
export interface UpstreamLabState {
  name: FighterKind;
  faultsEnabled: boolean;
  /** Undefined unless `faultsEnabled`. */
  faults: FaultSettings | undefined;
  /** Why the lab cannot change its faults; empty when it can. */
  unavailableReason: string;
}

/** Reads and changes the data services' faults through their FaultService. */
export interface UpstreamFaults {
  /** Every data service, asked at once; one that cannot be asked says why. */
  states(): Promise<UpstreamLabState[]>;
  /** Replaces one data service's faults; FailedPreconditionError when it does not allow it. */
  set(name: FighterKind, faults: FaultSettings): Promise<UpstreamLabState>;
}

/** How long the lab waits for a data service's FaultService, ms. */
const faultCallTimeoutMs = 2_000;

/**
 * The lab's path to a data service's faults: FaultService on the upstream's own gRPC channel
 * (same target, name resolution and TLS as its fighters), past its breaker, with
 * `authorization: Bearer <FIGHTS_UPSTREAM_ADMIN_TOKEN>` when that is set.
 */
export function createUpstreamFaults(upstreams: Upstreams, adminToken: string | undefined): UpstreamFaults {
  const clients = {
    heroes: upstreams.heroes.sideClient(FaultService),
    villains: upstreams.villains.sideClient(FaultService),
    locations: upstreams.locations.sideClient(FaultService),
  } satisfies Record<FighterKind, PromiseClient<typeof FaultService>>;
  const callOptions = () => {
    const metadata = new Metadata();
    if (adminToken !== undefined) metadata.set("authorization", `Bearer ${adminToken}`);
    return { deadline: Date.now() + faultCallTimeoutMs, metadata };
  };
  const state = async (name: FighterKind): Promise<UpstreamLabState> => {
    try {
      const { faults } = await clients[name].getFaults({}, callOptions());
      return enabledState(name, faults);
    } catch (error: unknown) {
      return { name, faultsEnabled: false, faults: undefined, unavailableReason: labError(name, error).message };
    }
  };
  return {
    states: () => Promise.all((["heroes", "villains", "locations"] as const).map(state)),
    async set(name, faults) {
      try {
        const response = await clients[name].setFaults({ faults }, callOptions());
        // Injected faults leave the upstream's health SERVING, so its breaker cannot hear of the
        // cure from health: the lab, which made the fault, says so itself, and the breaker probes
        // now instead of at the end of an open time of up to FIGHTS_BREAKER_MAX_OPEN_MS.
        if (isFaultFree(faults)) upstreams[name].breaker?.upstreamServing("the lab cleared its faults");
        return enabledState(name, response.faults);
      } catch (error: unknown) {
        throw labError(name, error);
      }
    },
  };
}

function isFaultFree(faults: FaultSettings): boolean {
  return faults.latencyMs === 0 && faults.jitterMs === 0 && faults.errorRate === 0;
}

function enabledState(name: FighterKind, faults: FaultSettingsMessage | undefined): UpstreamLabState {
  return { name, faultsEnabled: true, faults: faultSettingsFromMessage(faults, "faults"), unavailableReason: "" };
}

/**
 * A data service's answer as the lab's error: its refusals (disabled, no or wrong token, bad
 * value) keep their meaning and its words; anything else is that it could not be reached.
 */
function labError(name: FighterKind, error: unknown): Error {
  if (!isServiceError(error)) return new UnavailableError(`${name} did not answer: ${String(error)}`);
  switch (error.code) {
    case Status.FAILED_PRECONDITION:
      return new FailedPreconditionError(`${name}: ${error.details}`);
    case Status.UNAUTHENTICATED:
    case Status.PERMISSION_DENIED:
      return new FailedPreconditionError(
        `${name} refused fights' fault change (${error.details}); give fights its token in FIGHTS_UPSTREAM_ADMIN_TOKEN`,
      );
    case Status.INVALID_ARGUMENT:
      return new InvalidArgumentError("faults", `${name} refused the settings: ${error.details}`);
    default:
      return new UnavailableError(`${name} did not answer the lab (${Status[error.code]}: ${error.details})`);
  }
}

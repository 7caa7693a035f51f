import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  BreakerState,
  type LabTrafficSchema,
  type MetricsSampleSchema,
  type UpstreamLabSchema,
} from "../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { InvalidArgumentError } from "../../platform/core/errors.js";
import { faultSettingsToMessage } from "../../platform/faults/fault-service.js";
import type { FighterKind } from "../fighters/fighter-source.js";
import type { LabTrafficState } from "../lab/lab-traffic.js";
import type { MetricsSample } from "../lab/metrics-sampler.js";
import type { UpstreamLabState } from "../lab/upstream-faults.js";

/** Conversions between the lab's messages and the lab (fights/lab/). */

const upstreamNames: readonly FighterKind[] = ["heroes", "villains", "locations"];

/** The data service a request names; INVALID_ARGUMENT for any other name. */
export function upstreamFromRequest(name: string): FighterKind {
  const found = upstreamNames.find((upstream) => upstream === name);
  if (found === undefined)
    throw new InvalidArgumentError("upstream", `must be heroes, villains or locations, got "${name}"`);
  return found;
}

/** The UpstreamLab message of a data service's lab state. */
export function upstreamLabToMessage(state: UpstreamLabState): MessageInitShape<typeof UpstreamLabSchema> {
  return {
    name: state.name,
    faultsEnabled: state.faultsEnabled,
    ...(state.faults === undefined ? {} : { faults: faultSettingsToMessage(state.faults) }),
    unavailableReason: state.unavailableReason,
  };
}

/** The LabTraffic message of the lab traffic's state. */
export function labTrafficToMessage(state: LabTrafficState): MessageInitShape<typeof LabTrafficSchema> {
  return {
    fightsPerSecond: state.fightsPerSecond,
    ...(state.stopsAt === undefined ? {} : { stopsAt: timestampFromDate(state.stopsAt) }),
  };
}

/** The MetricsSample message of a sample. */
export function metricsSampleToMessage(sample: MetricsSample): MessageInitShape<typeof MetricsSampleSchema> {
  return {
    ...sample,
    time: timestampFromDate(sample.time),
    upstreams: sample.upstreams.map((upstream) => ({
      ...upstream,
      breakerState: BreakerState[upstream.breakerState],
      calls: BigInt(upstream.calls),
      failures: BigInt(upstream.failures),
      rejections: BigInt(upstream.rejections),
    })),
  };
}

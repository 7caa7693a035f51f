import type { FaultSettings } from "../../../../gen/superheroes/fault/v1/fault_service_pb.js";
import { describeError } from "../errors.js";

/** What the lab's demos and forms may do: the lab RPCs, with the admin token if one was given. */
export interface LabActions {
  /** Names of the data services that allow faults. */
  enabled(): string[];
  trafficRate(): number;
  setFaults(
    upstream: string,
    faults: Pick<FaultSettings, "latencyMs" | "jitterMs" | "errorRate" | "errorCode">,
  ): Promise<void>;
  setTraffic(fightsPerSecond: number, durationSeconds: number): Promise<void>;
  /** Says what happened (or went wrong) in the lab's status line. */
  say(text: string, kind?: "info" | "error"): void;
  /** Reads the lab again now. */
  refresh(): void;
}

/** Runs a lab action, saying what went wrong in the lab's status line; reads the lab again after. */
export async function runLabAction(actions: LabActions, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    actions.say(describeError(error), "error");
  } finally {
    actions.refresh();
  }
}

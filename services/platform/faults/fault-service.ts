import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  type FaultSettings as FaultSettingsMessage,
  type FaultSettingsSchema,
  FaultService,
} from "../../../gen/superheroes/fault/v1/fault_service_pb.js";
import { type AdminAccessRule, checkAdminAccess } from "../admin/admin-access.js";
import { FailedPreconditionError, InvalidArgumentError } from "../core/errors.js";
import type { ServiceImplementation } from "../core/service-implementation.js";
import { type FaultInjector, type FaultSettings, validateFaults } from "./faults.js";

/** Proto field names of the fault settings, for messages that name the field a caller sent. */
const protoFieldNames: Record<keyof FaultSettings, string> = {
  latencyMs: "latency_ms",
  jitterMs: "jitter_ms",
  errorRate: "error_rate",
  errorCode: "error_code",
};

/**
 * FaultService over a service's fault injector: the gRPC path to the same settings the admin
 * port's `/faults` changes, under the same admin rules. `faults` undefined: injection disabled.
 */
export function createFaultServiceImplementation(
  faults: FaultInjector | undefined,
  access: AdminAccessRule & { envPrefix: string },
): ServiceImplementation<typeof FaultService> {
  const enabled = (what: string): FaultInjector => {
    if (faults === undefined) {
      throw new FailedPreconditionError(
        `${what}: fault injection is disabled here; start the service with ${access.envPrefix}_FAULTS_ENABLED=true to allow it`,
      );
    }
    return faults;
  };
  return {
    async getFaults(_request, context) {
      checkAdminAccess(context.caller, access, "GetFaults");
      return { faults: faultSettingsToMessage(enabled("GetFaults").current()) };
    },
    async setFaults(request, context) {
      checkAdminAccess(context.caller, access, "SetFaults");
      const injector = enabled("SetFaults");
      return { faults: faultSettingsToMessage(injector.update(faultSettingsFromMessage(request.faults, "faults"))) };
    },
  };
}

/**
 * Checked fault settings from a FaultSettings message; `field` is the message's path in the
 * request, so errors name what the caller sent (`faults.latency_ms: must be ...`).
 */
export function faultSettingsFromMessage(message: FaultSettingsMessage | undefined, field: string): FaultSettings {
  if (message === undefined) throw new InvalidArgumentError(field, "is required (all zero clears the faults)");
  try {
    return validateFaults({
      latencyMs: message.latencyMs,
      jitterMs: message.jitterMs,
      errorRate: message.errorRate,
      errorCode: message.errorCode === "" ? "UNAVAILABLE" : message.errorCode,
    });
  } catch (error: unknown) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    const name = protoFieldNames[error.field as keyof FaultSettings] ?? error.field;
    throw new InvalidArgumentError(`${field}.${name}`, error.message.slice(error.field.length + 2));
  }
}

/** The FaultSettings message of fault settings. */
export function faultSettingsToMessage(
  settings: Readonly<FaultSettings>,
): MessageInitShape<typeof FaultSettingsSchema> {
  return { ...settings };
}

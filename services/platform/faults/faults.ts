import {
  Metadata,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerMethodDefinition,
  ServerInterceptingCall,
  status as Status,
} from "@grpc/grpc-js";
import { ConfigError, type EnvReader } from "../config/env-reader.js";
import { InvalidArgumentError } from "../core/errors.js";

/** Injected faults of a data service, for tests and benchmarks. All zero: no faults. */
export interface FaultSettings {
  /** Added before every call is handled, in milliseconds (0..60000). */
  latencyMs: number;
  /** Uniform random extra latency, 0..jitterMs milliseconds. */
  jitterMs: number;
  /** Fraction of calls failed with `errorCode`, 0..1. */
  errorRate: number;
  /** The status code of failed calls, by name (e.g. UNAVAILABLE). */
  errorCode: keyof typeof Status;
}

export const noFaults: Readonly<FaultSettings> = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  errorCode: "UNAVAILABLE",
});

/** Mutable fault state shared by the interceptor and the admin endpoint. */
export interface FaultInjector {
  current(): Readonly<FaultSettings>;
  /** Validates and applies a partial change; throws InvalidArgumentError naming the field. */
  update(change: Partial<Record<keyof FaultSettings, unknown>>): Readonly<FaultSettings>;
  interceptor: ServerInterceptor;
}

/** Reads `${prefix}_FAULT_LATENCY_MS`, `_FAULT_JITTER_MS`, `_FAULT_ERROR_RATE`, `_FAULT_ERROR_CODE`. */
export function faultSettingsFromEnv(env: EnvReader, prefix: string): FaultSettings {
  const rateName = `${prefix}_FAULT_ERROR_RATE`;
  const rateText = env.string(rateName, "0");
  const errorRate = Number(rateText);
  if (!Number.isFinite(errorRate) || errorRate < 0 || errorRate > 1)
    throw new ConfigError(rateName, `"${rateText}" is not a number from 0 to 1`);
  const codeName = `${prefix}_FAULT_ERROR_CODE`;
  const errorCode = env.string(codeName, "UNAVAILABLE");
  if (!isStatusName(errorCode) || errorCode === "OK")
    throw new ConfigError(codeName, `"${errorCode}" is not a gRPC status name other than OK (e.g. UNAVAILABLE)`);
  return {
    latencyMs: env.int(`${prefix}_FAULT_LATENCY_MS`, 0, { min: 0, max: 60_000 }),
    jitterMs: env.int(`${prefix}_FAULT_JITTER_MS`, 0, { min: 0, max: 60_000 }),
    errorRate,
    errorCode,
  };
}

/** Paths faults never touch: health and reflection stay truthful, and FaultService must be able to clear them. */
const exemptPaths = ["/grpc.", "/superheroes.fault.v1.FaultService/"];

/**
 * A fault injector. Faults apply to the service's own methods only: health checks and
 * reflection (`/grpc.*`) stay truthful so probes and grpcurl keep working during a test, and
 * FaultService answers at once, so a service failing every call can still be told to stop.
 * A delayed call that is cancelled (client gone, deadline passed) stops waiting at once.
 */
export function createFaultInjector(initial: FaultSettings = noFaults): FaultInjector {
  let settings: Readonly<FaultSettings> = Object.freeze({ ...initial });
  const interceptor: ServerInterceptor = (
    descriptor: ServerMethodDefinition<unknown, unknown>,
    call: ServerInterceptingCallInterface,
  ) => {
    const active = settings;
    if (
      exemptPaths.some((prefix) => descriptor.path.startsWith(prefix)) ||
      (active.latencyMs === 0 && active.jitterMs === 0 && active.errorRate === 0)
    ) {
      return new ServerInterceptingCall(call);
    }
    let timer: NodeJS.Timeout | undefined;
    const intercepting: ServerInterceptingCall = new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          // Holding the metadata holds the whole call: grpc-js queues its message until we pass it on.
          onReceiveMetadata: (metadata, nextMetadata) => {
            const fail = Math.random() < active.errorRate;
            timer = setTimeout(
              () => {
                timer = undefined;
                if (fail)
                  intercepting.sendStatus({
                    code: Status[active.errorCode],
                    details: `injected fault: ${active.errorCode}`,
                    metadata: new Metadata(),
                  });
                else nextMetadata(metadata);
              },
              active.latencyMs + Math.random() * active.jitterMs,
            );
          },
          onCancel: () => clearTimeout(timer),
        }),
    });
    return intercepting;
  };
  return {
    current: () => settings,
    update(change) {
      const unknown = Object.keys(change).find((key) => !Object.hasOwn(settings, key));
      if (unknown !== undefined) {
        throw new InvalidArgumentError(
          unknown,
          "is not a fault setting; use latencyMs, jitterMs, errorRate or errorCode",
        );
      }
      settings = Object.freeze(validateFaults({ ...settings, ...change }));
      return settings;
    },
    interceptor,
  };
}

/** Checks whole fault settings; throws InvalidArgumentError naming the first bad field (`latencyMs`, ...). */
export function validateFaults(input: Record<keyof FaultSettings, unknown>): FaultSettings {
  const { latencyMs, jitterMs, errorRate, errorCode } = input;
  const isMs = (value: unknown): value is number =>
    Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 60_000;
  if (!isMs(latencyMs)) throw new InvalidArgumentError("latencyMs", "must be an integer from 0 to 60000");
  if (!isMs(jitterMs)) throw new InvalidArgumentError("jitterMs", "must be an integer from 0 to 60000");
  if (typeof errorRate !== "number" || !(errorRate >= 0 && errorRate <= 1))
    throw new InvalidArgumentError("errorRate", "must be a number from 0 to 1");
  if (typeof errorCode !== "string" || !isStatusName(errorCode) || errorCode === "OK") {
    throw new InvalidArgumentError("errorCode", "must be a gRPC status name other than OK, e.g. UNAVAILABLE");
  }
  return { latencyMs, jitterMs, errorRate, errorCode };
}

function isStatusName(name: string): name is keyof typeof Status {
  return Object.prototype.hasOwnProperty.call(Status, name) && Number.isNaN(Number(name));
}

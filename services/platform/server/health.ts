import type { Server } from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";

/**
 * The health service name a liveness probe asks for (Kubernetes `grpc: { service: liveness }`):
 * SERVING for as long as the process answers, whatever readiness says. A database outage makes a
 * service not ready, but restarting it would not help, and it recovers by itself.
 */
export const livenessServiceName = "liveness";

/** grpc.health.v1 for one server: the overall status ("") and one per service it serves. */
export interface HealthReporter {
  /** Sets every status to SERVING or NOT_SERVING; watchers are told at once. */
  setServing(serving: boolean): void;
  isServing(): boolean;
  addToServer(server: Server): void;
}

/**
 * Health that starts NOT_SERVING: a service reports SERVING only once its readiness check
 * (e.g. the database answers) has passed, and flips back when it fails.
 */
export function createHealthReporter(serviceNames: readonly string[]): HealthReporter {
  const names = ["", ...serviceNames];
  const implementation = new HealthImplementation({
    ...Object.fromEntries(names.map((name) => [name, "NOT_SERVING"])),
    [livenessServiceName]: "SERVING",
  });
  let serving = false;
  return {
    setServing(next) {
      if (next === serving) return;
      serving = next;
      for (const name of names) implementation.setStatus(name, next ? "SERVING" : "NOT_SERVING");
    },
    isServing: () => serving,
    addToServer: (server) => implementation.addToServer(server),
  };
}

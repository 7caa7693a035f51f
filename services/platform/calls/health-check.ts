import { Client, credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { deadlineAfter } from "../core/deadline.js";

/** A grpc.health.v1 serving status as the proto names it. */
export type ServingStatus = "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";

/** Options of `checkHealth`. */
export interface CheckHealthOptions {
  /** Service to ask about; default "" (the whole server). */
  service?: string;
  /** Deadline of the call, ms; default 1000. */
  timeoutMs?: number;
}

/**
 * One grpc.health.v1.Health/Check against `target` (e.g. `127.0.0.1:50051`) over a plaintext
 * channel that is closed afterwards. Resolves with the status; rejects with the grpc-js error
 * (UNAVAILABLE when nothing listens, DEADLINE_EXCEEDED when it does not answer in time).
 */
export function checkHealth(target: string, options: CheckHealthOptions = {}): Promise<ServingStatus> {
  const client = new Client(target, credentials.createInsecure());
  return checkHealthOver(client, options).finally(() => client.close());
}

/** One grpc.health.v1.Health/Check over an existing client's channel (which stays open). */
export function checkHealthOver(client: Client, options: CheckHealthOptions = {}): Promise<ServingStatus> {
  const method = healthService.Check;
  if (method === undefined)
    return Promise.reject(new Error("grpc.health.v1.Health/Check is not in grpc-health-check's proto"));
  return new Promise<ServingStatus>((resolve, reject) => {
    client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      { service: options.service ?? "" },
      new Metadata(),
      { deadline: deadlineAfter(options.timeoutMs ?? 1000) },
      (error: ServiceError | null, response?: unknown) => (error ? reject(error) : resolve(statusOf(response))),
    );
  });
}

function statusOf(response: unknown): ServingStatus {
  const status = (response as { status?: unknown } | undefined)?.status;
  if (status === "UNKNOWN" || status === "SERVING" || status === "NOT_SERVING" || status === "SERVICE_UNKNOWN")
    return status;
  throw new Error(`not a grpc.health.v1 response: ${JSON.stringify(response)}`);
}

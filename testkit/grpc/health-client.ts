import type { Client, ClientReadableStream } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { protoPath } from "grpc-health-check";
import { callOptions, type TestCallOptions } from "./grpc-test-client.js";
import { loadedMethod } from "./loaded-method.js";

/** A grpc.health.v1 serving status as the proto names it. */
export type ServingStatus = "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";

/** An open grpc.health.v1 Watch: each status the server sends, in order. */
export interface HealthWatch {
  /** The next status sent (already received ones first). */
  next(): Promise<ServingStatus>;
  /** Cancels the stream on the client side. */
  cancel(): void;
}

const definition = loadSync(protoPath, { enums: String, defaults: true });
const health = {
  Check: loadedMethod(definition, "grpc.health.v1.Health", "Check"),
  Watch: loadedMethod(definition, "grpc.health.v1.Health", "Watch"),
};

/** grpc.health.v1.Health/Check of `service` ("" is the whole server). */
export function checkHealth(client: Client, service: string, options: TestCallOptions = {}): Promise<ServingStatus> {
  const method = health.Check;
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      { service },
      callOptions(options),
      (error, response) => (error ? reject(error) : resolve(statusOf(response))),
    );
  });
}

/** Opens grpc.health.v1.Health/Watch of `service`; no deadline, so cancel it when done. */
export function watchHealth(client: Client, service: string): HealthWatch {
  const method = health.Watch;
  const stream: ClientReadableStream<object> = client.makeServerStreamRequest(
    method.path,
    method.requestSerialize,
    method.responseDeserialize,
    { service },
  );
  const received: ServingStatus[] = [];
  const waiters: { resolve: (status: ServingStatus) => void; reject: (error: unknown) => void }[] = [];
  let failure: unknown;
  stream.on("data", (response: object) => {
    const waiter = waiters.shift();
    if (waiter === undefined) received.push(statusOf(response));
    else waiter.resolve(statusOf(response));
  });
  stream.on("error", (error: unknown) => {
    failure = error;
    for (const waiter of waiters.splice(0)) waiter.reject(error);
  });
  return {
    next() {
      const status = received.shift();
      if (status !== undefined) return Promise.resolve(status);
      if (failure !== undefined) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    cancel: () => stream.cancel(),
  };
}

function statusOf(response: object | undefined): ServingStatus {
  const status = (response as { status?: unknown } | undefined)?.status;
  if (status === "UNKNOWN" || status === "SERVING" || status === "NOT_SERVING" || status === "SERVICE_UNKNOWN")
    return status;
  throw new Error(`not a health response: ${JSON.stringify(response)}`);
}

import type { Metadata, ServerUnaryCall, ServerWritableStream } from "@grpc/grpc-js";
import type { CallContext } from "../core/call-context.js";
import { deadlineFromGrpc } from "../core/deadline.js";
import { ensureTrace } from "./trace-interceptor.js";

/**
 * The CallContext of a grpc-js server call. `alsoAbortOn` (the server's shutdown signal, for
 * streams) aborts it as well.
 */
export function callContextFromCall(
  call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>,
  alsoAbortOn?: AbortSignal,
): CallContext {
  const controller = new AbortController();
  call.once("cancelled", () => controller.abort(new Error("call cancelled")));
  if (alsoAbortOn !== undefined) {
    const abort = () => controller.abort(new Error("server shutting down"));
    if (alsoAbortOn.aborted) abort();
    else {
      alsoAbortOn.addEventListener("abort", abort, { once: true });
      call.once("finish", () => alsoAbortOn.removeEventListener("abort", abort));
      call.once("cancelled", () => alsoAbortOn.removeEventListener("abort", abort));
    }
  }
  return {
    signal: controller.signal,
    deadline: deadlineFromGrpc(call.getDeadline()),
    trace: ensureTrace(call.metadata),
    requestId: firstValue(call.metadata, "x-request-id"),
  };
}

/** First string value of a metadata key. */
export function firstValue(metadata: Metadata, key: string): string | undefined {
  const [value] = metadata.get(key);
  return typeof value === "string" ? value : undefined;
}

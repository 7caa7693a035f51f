import type { Metadata, ServerUnaryCall, ServerWritableStream } from "@grpc/grpc-js";
import type { CallContext } from "../core/call-context.js";
import { deadlineFromGrpc } from "../core/deadline.js";
import { ensureTrace } from "./call-trace.js";
import { callerAddress } from "../admin/admin-access.js";

/** The context of a call being served, and how to stop watching it once it is answered. */
export interface ServedCall {
  context: CallContext;
  /**
   * Stops listening for the call's cancellation; call it once the handler has its answer.
   * grpc-js emits "cancelled" whenever a call's stream closes, answered or not, so without it
   * every call would build an Error and abort a signal nobody listens to any more.
   */
  release(): void;
}

/**
 * The CallContext of a grpc-js server call. `alsoAbortOn` (the server's shutdown signal, for
 * streams) aborts it as well.
 */
export function callContextFromCall(
  call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>,
  alsoAbortOn?: AbortSignal,
): ServedCall {
  const controller = new AbortController();
  const onCancelled = () => controller.abort(new Error("call cancelled"));
  call.once("cancelled", onCancelled);
  if (alsoAbortOn !== undefined) {
    const abort = () => controller.abort(new Error("server shutting down"));
    if (alsoAbortOn.aborted) abort();
    else {
      alsoAbortOn.addEventListener("abort", abort, { once: true });
      call.once("finish", () => alsoAbortOn.removeEventListener("abort", abort));
      call.once("cancelled", () => alsoAbortOn.removeEventListener("abort", abort));
    }
  }
  const context = {
    signal: controller.signal,
    deadline: deadlineFromGrpc(call.getDeadline()),
    trace: ensureTrace(call.metadata),
    requestId: firstValue(call.metadata, "x-request-id"),
    caller: {
      address: callerAddress(
        addressFromPeer(call.getPeer()),
        firstValue(call.metadata, "forwarded") ?? firstValue(call.metadata, "x-forwarded-for"),
      ),
      authorization: firstValue(call.metadata, "authorization"),
    },
  };
  return { context, release: () => void call.removeListener("cancelled", onCancelled) };
}

/** First string value of a metadata key. */
export function firstValue(metadata: Metadata, key: string): string | undefined {
  const [value] = metadata.get(key);
  return typeof value === "string" ? value : undefined;
}

/** The IP address of a grpc-js peer (`127.0.0.1:5000`, `::1:5000`, `[::1]:5000`); undefined when unknown. */
export function addressFromPeer(peer: string): string | undefined {
  const withoutPort = peer.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
  return withoutPort === "" || withoutPort === "unknown" ? undefined : withoutPort;
}

import { status as Status } from "@grpc/grpc-js";
import { codeName } from "../grpc/grpc-status.js";
import type { Logger } from "./logger.js";
import type { ServerCallObserver } from "../server/server-call-observer.js";
import { parseTraceparent } from "../core/trace-context.js";

/** Codes that point at the server or a dependency rather than at the caller: logged at warn. */
const serverSideCodes = new Set([
  Status.INTERNAL,
  Status.UNKNOWN,
  Status.UNAVAILABLE,
  Status.DEADLINE_EXCEEDED,
  Status.DATA_LOSS,
  Status.UNIMPLEMENTED,
]);

export const accessLogModes = ["all", "errors", "off"] as const;
/** Which calls are logged: every call, only those that did not end OK, or none. */
export type AccessLogMode = (typeof accessLogModes)[number];

/**
 * One log line per call: service, method, code, duration, trace id (and `x-request-id` when the
 * caller sent one). The trace was given to the call by the trace interceptor
 * (server/call-trace.ts), which runs first, so the handler and every upstream call it
 * makes log the same trace id.
 */
export function createAccessLogObserver(
  logger: Logger,
  mode: Exclude<AccessLogMode, "off"> = "all",
): ServerCallObserver {
  return (start) => {
    const traceId = parseTraceparent(start.metadata.get("traceparent")[0]?.toString())?.traceId;
    const requestId = start.metadata.get("x-request-id")[0]?.toString();
    return (end) => {
      if (mode === "errors" && end.code === Status.OK) return;
      const line = {
        grpc_service: start.service,
        grpc_method: start.method,
        grpc_code: codeName(end.code),
        durationMs: Math.round(end.durationMs * 1000) / 1000,
        traceId,
        peer: start.peer,
        ...(requestId === undefined ? {} : { requestId }),
        ...(end.code === Status.OK ? {} : { details: end.details }),
      };
      if (serverSideCodes.has(end.code)) logger.warn(line, "call failed");
      else logger.info(line, "call");
    };
  };
}

import type { DescService } from "@bufbuild/protobuf";
import {
  type Code,
  ConnectError,
  type ContextValues,
  createContextKey,
  createContextValues,
  type HandlerContext,
  type Interceptor,
  type ServiceImpl,
} from "@connectrpc/connect";
import type { CallContext } from "../core/call-context.js";
import { deadlineAfter } from "../core/deadline.js";
import type { ServiceImplementation } from "../core/service-implementation.js";
import { grpcStatusFromError } from "../grpc/grpc-status.js";
import type { Logger } from "../observability/logger.js";
import { ensureTraceparent } from "../core/trace-context.js";
import { callerAddress } from "../admin/admin-access.js";

/**
 * The same protocol-free implementation the grpc-js server runs, as a Connect service for
 * connect-node (Connect protocol and gRPC-Web, for browsers). Errors are mapped by the one
 * mapping of grpc-status.ts: gRPC and Connect share code numbers, so the codes agree on both edges.
 */
export function connectImplementationFrom<S extends DescService>(
  service: S,
  implementation: ServiceImplementation<S>,
  logger: Logger,
  options: ConnectImplementationOptions = {},
): ServiceImpl<S> {
  const methods = implementation as unknown as Record<string, (request: unknown, context: CallContext) => unknown>;
  const result: Record<string, unknown> = {};
  for (const method of service.methods) {
    const impl = methods[method.localName]!;
    if (method.methodKind === "server_streaming") {
      result[method.localName] = async function* (request: unknown, handlerContext: HandlerContext) {
        const context = callContextFrom(handlerContext);
        try {
          yield* impl(request, context) as AsyncIterable<unknown>;
        } catch (error: unknown) {
          throw connectErrorFrom(error, method.name, context, logger);
        }
      };
    } else {
      result[method.localName] = async (request: unknown, handlerContext: HandlerContext) => {
        options.beforeUnary?.(handlerContext);
        const context = callContextFrom(handlerContext);
        try {
          return await impl(request, context);
        } catch (error: unknown) {
          throw connectErrorFrom(error, method.name, context, logger);
        }
      };
    }
  }
  return result as ServiceImpl<S>;
}

/** Options of `connectImplementationFrom`. */
export interface ConnectImplementationOptions {
  /**
   * Runs first in each unary handler, where connect-es has parsed the call's deadline; it may
   * throw a ConnectError to refuse the call (the deadline rule of load shedding).
   */
  beforeUnary?: (context: HandlerContext) => void;
}

function callContextFrom(context: HandlerContext): CallContext {
  return {
    signal: context.signal,
    deadline: deadlineAfter(context.timeoutMs()),
    trace: ensureTraceparent(context.requestHeader.get("traceparent") ?? undefined, (value) =>
      context.requestHeader.set("traceparent", value),
    ),
    requestId: context.requestHeader.get("x-request-id") ?? undefined,
    caller: {
      address: context.values.get(peerAddressKey),
      authorization: context.requestHeader.get("authorization") ?? undefined,
    },
  };
}

/** The peer's IP address of a Connect call, put there by `connectCallerValues`. */
const peerAddressKey = createContextKey<string | undefined>(undefined, { description: "peer address" });

/** connect-node's `contextValues`: the peer's address of the request, for the admin rules. */
export function connectCallerValues(request: {
  socket: { remoteAddress?: string | undefined };
  headers: Record<string, string | string[] | undefined>;
}): ContextValues {
  const forwarded = request.headers["forwarded"] ?? request.headers["x-forwarded-for"];
  return createContextValues().set(
    peerAddressKey,
    callerAddress(request.socket.remoteAddress, Array.isArray(forwarded) ? forwarded.join(",") : forwarded),
  );
}

function connectErrorFrom(error: unknown, method: string, context: CallContext, logger: Logger): ConnectError {
  const mapped = grpcStatusFromError(error);
  if (!mapped.anticipated) logger.error({ err: error, method, traceId: context.trace.traceId }, "unanticipated error");
  return new ConnectError(mapped.details, mapped.code as number as Code);
}

/** The Connect edge's first interceptor: gives every call a trace before the handler runs. */
export const connectTraceInterceptor: Interceptor = (next) => (request) => {
  ensureTraceparent(request.header.get("traceparent") ?? undefined, (value) =>
    request.header.set("traceparent", value),
  );
  return next(request);
};

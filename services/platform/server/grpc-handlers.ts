import { once } from "node:events";
import { type DescMessage, type DescMethod, type DescService, type MessageShape, create } from "@bufbuild/protobuf";
import {
  status as Status,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from "@grpc/grpc-js";
import type { CallContext } from "../core/call-context.js";
import { InvalidArgumentError } from "../core/errors.js";
import type { ServerStreamImpl, ServiceImplementation, UnaryImpl } from "../core/service-implementation.js";
import { MalformedRequest } from "../grpc/grpc-definition.js";
import { grpcStatusFromError, statusObject } from "../grpc/grpc-status.js";
import type { Logger } from "../observability/logger.js";
import { callContextFromCall } from "./grpc-call-context.js";

/** Options of `grpcHandlersFromImplementation`. */
export interface GrpcHandlerOptions {
  /** Where unanticipated errors are logged in full (the caller only sees "internal error"). */
  logger: Logger;
  /** Aborted when the server starts shutting down: server streams then end with UNAVAILABLE. */
  shutdownSignal?: AbortSignal;
}

/**
 * grpc-js handlers that run a protocol-free implementation: they build the CallContext, await
 * the implementation, and map thrown errors to a status exactly once.
 */
export function grpcHandlersFromImplementation<S extends DescService>(
  service: S,
  implementation: ServiceImplementation<S>,
  options: GrpcHandlerOptions,
): UntypedServiceImplementation {
  const handlers: UntypedServiceImplementation = {};
  const methods = implementation as unknown as Record<string, (request: unknown, context: CallContext) => unknown>;
  for (const method of service.methods) {
    const impl = methods[method.localName];
    if (impl === undefined) throw new Error(`${service.typeName}.${method.name} has no implementation`);
    if (method.methodKind === "unary") {
      handlers[method.localName] = unaryHandler(method, impl as UnaryImpl<DescMethod>, options);
    } else if (method.methodKind === "server_streaming") {
      handlers[method.localName] = serverStreamHandler(method, impl as ServerStreamImpl<DescMethod>, options);
    } else {
      throw new Error(`${service.typeName}.${method.name}: ${method.methodKind} is not supported`);
    }
  }
  return handlers;
}

function unaryHandler(method: DescMethod, impl: UnaryImpl<DescMethod>, options: GrpcHandlerOptions) {
  return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
    const { context, release } = callContextFromCall(call);
    // An async wrapper, so a synchronous throw in the implementation becomes a rejection too.
    (async () => impl(requestOf(call.request, method), context))().then(
      (response) => {
        release();
        callback(null, create(method.output, response));
      },
      (error: unknown) => {
        release();
        callback(statusObject(mapError(error, method, context, options)));
      },
    );
  };
}

function serverStreamHandler(method: DescMethod, impl: ServerStreamImpl<DescMethod>, options: GrpcHandlerOptions) {
  return (call: ServerWritableStream<unknown, unknown>) => {
    const { context } = callContextFromCall(call, options.shutdownSignal);
    (async () => {
      for await (const response of impl(requestOf(call.request, method), context)) {
        if (context.signal.aborted) return;
        // Respect HTTP/2 flow control: wait for the client to read before writing more.
        if (!call.write(create(method.output, response))) await once(call, "drain", { signal: context.signal });
      }
    })().then(
      () => (options.shutdownSignal?.aborted ? call.emit("error", statusObject(shuttingDown)) : call.end()),
      (error: unknown) => {
        if (options.shutdownSignal?.aborted) call.emit("error", statusObject(shuttingDown));
        else if (!context.signal.aborted) call.emit("error", statusObject(mapError(error, method, context, options)));
      },
    );
  };
}

function requestOf(request: unknown, method: DescMethod): MessageShape<DescMessage> {
  if (request instanceof MalformedRequest) {
    throw new InvalidArgumentError("request", `not a valid ${method.input.typeName}: ${request.reason}`);
  }
  return request as MessageShape<DescMessage>;
}

function mapError(error: unknown, method: DescMethod, context: CallContext, options: GrpcHandlerOptions) {
  const mapped = grpcStatusFromError(error);
  if (!mapped.anticipated) {
    options.logger.error({ err: error, method: method.name, traceId: context.trace.traceId }, "unanticipated error");
  }
  return mapped;
}

/** How a server stream ends when the server shuts down: clients should reconnect elsewhere. */
const shuttingDown = { code: Status.UNAVAILABLE, details: "server is shutting down; reconnect", anticipated: true };

import { once } from "node:events";
import {
  type DescMessage,
  type DescMethod,
  type DescService,
  type MessageInitShape,
  type MessageShape,
  create,
  fromBinary,
  toBinary,
} from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import {
  type Metadata,
  status as Status,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from "@grpc/grpc-js";
import type { CallContext } from "../core/call-context.js";
import { InvalidArgumentError } from "../core/errors.js";
import { grpcStatusFromError, statusObject } from "../grpc/grpc-status.js";
import type { Logger } from "../observability/logger.js";
import { newTraceContext, parseTraceparent } from "../core/trace-context.js";

/** The methods of a generated service, by local name (`getRandomHero`). */
export type MethodsOf<S> = S extends GenService<infer M> ? M : never;

type UnaryImpl<M extends GenServiceMethods[string]> = (
  request: MessageShape<M["input"]>,
  context: CallContext,
) => Promise<MessageInitShape<M["output"]>>;

type ServerStreamImpl<M extends GenServiceMethods[string]> = (
  request: MessageShape<M["input"]>,
  context: CallContext,
) => AsyncIterable<MessageInitShape<M["output"]>>;

/**
 * A protocol-free implementation of a generated service: unary methods return a promise of the
 * response, server-streaming methods an async iterable of responses. Errors are thrown as
 * domain errors (errors.ts) and mapped at the edge.
 */
export type ServiceImplementation<S extends DescService> = {
  [K in keyof MethodsOf<S>]: MethodsOf<S>[K]["methodKind"] extends "unary"
    ? UnaryImpl<MethodsOf<S>[K]>
    : MethodsOf<S>[K]["methodKind"] extends "server_streaming"
      ? ServerStreamImpl<MethodsOf<S>[K]>
      : never;
};

/** Request bytes that are not a valid message; the handler answers INVALID_ARGUMENT. */
class MalformedRequest {
  constructor(readonly reason: string) {}
}

/**
 * The grpc-js `ServiceDefinition` of a generated service: path `/${typeName}/${name}` and
 * binary (de)serialization with the generated schemas. Used by servers and clients alike.
 */
export function grpcDefinitionFromDesc(service: DescService): ServiceDefinition {
  const definition: Record<string, ServiceDefinition[string]> = {};
  for (const method of service.methods) {
    definition[method.localName] = {
      path: `/${service.typeName}/${method.name}`,
      originalName: method.name,
      requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
      responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
      requestSerialize: (message: MessageShape<DescMessage>) => Buffer.from(toBinary(method.input, message)),
      requestDeserialize: (bytes: Buffer) => decode(method.input, bytes),
      responseSerialize: (message: MessageShape<DescMessage>) => Buffer.from(toBinary(method.output, message)),
      responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
    };
  }
  return definition;
}

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
    const context = callContextFromCall(call);
    // An async wrapper, so a synchronous throw in the implementation becomes a rejection too.
    (async () => impl(requestOf(call.request, method), context))().then(
      (response) => callback(null, create(method.output, response)),
      (error: unknown) => callback(statusObject(mapError(error, method, context, options))),
    );
  };
}

function serverStreamHandler(method: DescMethod, impl: ServerStreamImpl<DescMethod>, options: GrpcHandlerOptions) {
  return (call: ServerWritableStream<unknown, unknown>) => {
    const context = callContextFromCall(call, options.shutdownSignal);
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

function decode(schema: DescMessage, bytes: Buffer): MessageShape<DescMessage> | MalformedRequest {
  try {
    return fromBinary(schema, bytes);
  } catch (error: unknown) {
    return new MalformedRequest(error instanceof Error ? error.message : String(error));
  }
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

/**
 * The CallContext of a grpc-js server call; the `traceparent` was set by the access log
 * interceptor. `alsoAbortOn` (the server's shutdown signal, for streams) aborts it as well.
 */
export function callContextFromCall(call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>, alsoAbortOn?: AbortSignal): CallContext {
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
  const deadline = call.getDeadline();
  return {
    signal: controller.signal,
    deadline: deadline instanceof Date ? deadline.getTime() : deadline,
    trace: parseTraceparent(firstValue(call.metadata, "traceparent")) ?? newTraceContext(),
    requestId: firstValue(call.metadata, "x-request-id"),
  };
}

/** First string value of a metadata key. */
export function firstValue(metadata: Metadata, key: string): string | undefined {
  const [value] = metadata.get(key);
  return typeof value === "string" ? value : undefined;
}

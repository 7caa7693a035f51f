import type { DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import type { CallContext } from "./call-context.js";

/** The methods of a generated service, by local name (`getRandomHero`). */
export type MethodsOf<S> = S extends GenService<infer M> ? M : never;

/** A unary method: a request and its call context in, a promise of the response out. */
export type UnaryImpl<M extends GenServiceMethods[string]> = (
  request: MessageShape<M["input"]>,
  context: CallContext,
) => Promise<MessageInitShape<M["output"]>>;

/** A server-streaming method: a request and its call context in, an async iterable of responses out. */
export type ServerStreamImpl<M extends GenServiceMethods[string]> = (
  request: MessageShape<M["input"]>,
  context: CallContext,
) => AsyncIterable<MessageInitShape<M["output"]>>;

/**
 * A protocol-free implementation of a generated service: unary methods return a promise of the
 * response, server-streaming methods an async iterable of responses. Errors are thrown as
 * domain errors (errors.ts) and mapped at the edge, so the grpc-js server and the Connect edge
 * run the same implementation.
 */
export type ServiceImplementation<S extends DescService> = {
  [K in keyof MethodsOf<S>]: MethodsOf<S>[K]["methodKind"] extends "unary"
    ? UnaryImpl<MethodsOf<S>[K]>
    : MethodsOf<S>[K]["methodKind"] extends "server_streaming"
      ? ServerStreamImpl<MethodsOf<S>[K]>
      : never;
};

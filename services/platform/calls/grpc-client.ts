import { type DescService, type MessageInitShape, type MessageShape, create } from "@bufbuild/protobuf";
import {
  Client,
  type ChannelCredentials,
  type ChannelOptions,
  type Interceptor,
  Metadata,
  type ServiceError,
  credentials as grpcCredentials,
} from "@grpc/grpc-js";
import type { MethodsOf } from "../core/service-implementation.js";
import { grpcDefinitionFromDesc } from "../grpc/grpc-definition.js";

/** Per-call options of a promise client. */
export interface UnaryCallOptions {
  /** Absolute deadline, epoch ms. Omit (or Infinity) for none. */
  deadline?: number;
  /** Aborting cancels the call (the server sees CANCELLED). */
  signal?: AbortSignal;
  metadata?: Metadata;
}

/** Typed async methods for every unary RPC of a generated service. */
export type PromiseClient<S extends DescService> = {
  [K in keyof MethodsOf<S> as MethodsOf<S>[K]["methodKind"] extends "unary" ? K : never]: (
    request: MessageInitShape<MethodsOf<S>[K]["input"]>,
    options?: UnaryCallOptions,
  ) => Promise<MessageShape<MethodsOf<S>[K]["output"]>>;
};

/** Options of `createPromiseClient`. */
export interface PromiseClientOptions {
  credentials?: ChannelCredentials;
  channelOptions?: ChannelOptions;
  /** Client interceptors, outermost first. */
  interceptors?: Interceptor[];
  /** Calls go over this existing channel instead of a new one (closing the client closes it). */
  channelOverride?: ReturnType<Client["getChannel"]>;
}

/** A promise client with its grpc-js client (for the channel and `close`). */
export interface ServiceClient<S extends DescService> {
  methods: PromiseClient<S>;
  grpc: Client;
  close(): void;
}

/**
 * The one wrapper of grpc-js callbacks into promises: a typed client for a generated service
 * over one long-lived channel to `target`. Rejections are grpc-js ServiceErrors (with `code`).
 */
export function createPromiseClient<S extends DescService>(
  service: S,
  target: string,
  options: PromiseClientOptions = {},
): ServiceClient<S> {
  const client = new Client(target, options.credentials ?? grpcCredentials.createInsecure(), {
    ...options.channelOptions,
    interceptors: options.interceptors ?? [],
    ...(options.channelOverride === undefined ? {} : { channelOverride: options.channelOverride }),
  });
  const definition = grpcDefinitionFromDesc(service);
  const methods: Record<string, unknown> = {};
  for (const method of service.methods) {
    if (method.methodKind !== "unary") continue;
    const { path, requestSerialize, responseDeserialize } = definition[method.localName]!;
    methods[method.localName] = (request: MessageInitShape<typeof method.input>, callOptions: UnaryCallOptions = {}) =>
      new Promise((resolve, reject) => {
        const { signal, deadline = Infinity } = callOptions;
        if (signal?.aborted) return reject(cancelledError());
        const call = client.makeUnaryRequest(
          path,
          requestSerialize,
          responseDeserialize,
          create(method.input, request),
          callOptions.metadata ?? new Metadata(),
          { deadline },
          (error, response) => {
            signal?.removeEventListener("abort", cancel);
            if (error) reject(error);
            else resolve(response);
          },
        );
        const cancel = () => call.cancel();
        signal?.addEventListener("abort", cancel, { once: true });
      });
  }
  return { methods: methods as PromiseClient<S>, grpc: client, close: () => client.close() };
}

/** Whether a rejection is a grpc-js ServiceError (carries a status code). */
export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === "number";
}

function cancelledError(): ServiceError {
  return Object.assign(new Error("1 CANCELLED: cancelled before start"), {
    code: 1,
    details: "cancelled before start",
    metadata: new Metadata(),
  });
}

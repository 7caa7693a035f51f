import {
  type Metadata,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerMethodDefinition,
  ServerInterceptingCall,
  status as Status,
} from "@grpc/grpc-js";
import { cancelledByDeadline, deadlineFromGrpc } from "../core/deadline.js";

/** Which method a call is, by the names metrics and logs use. */
export interface ServerCallNames {
  /** Full method path, `/superheroes.hero.v1.HeroService/GetRandomHero`. */
  path: string;
  service: string;
  method: string;
  /** go-grpc-prometheus call type: unary, server_stream, client_stream, bidi_stream. */
  type: "unary" | "server_stream" | "client_stream" | "bidi_stream";
}

/** What an observer learns when a server call starts. */
export interface ServerCallStart extends ServerCallNames {
  /** Incoming metadata; observers may add keys (e.g. a generated `traceparent`). */
  metadata: Metadata;
  peer: string;
}

/** How a server call ended. */
export interface ServerCallEnd {
  code: Status;
  details: string;
  /** Wall time from receiving the call's metadata to its status, in milliseconds. */
  durationMs: number;
}

/** Called at the start of every call; returns the function called once when it ends. */
export type ServerCallObserver = (start: ServerCallStart) => (end: ServerCallEnd) => void;

/**
 * A server interceptor that reports each call's start and its one ending, whether the handler
 * sent a status or the call was cancelled (grpc-js ends calls that pass their deadline without
 * going through interceptors, so a cancel after the deadline counts as DEADLINE_EXCEEDED).
 */
export function createObservingInterceptor(observer: ServerCallObserver): ServerInterceptor {
  const namesOf = createCallNaming();
  return (descriptor: ServerMethodDefinition<unknown, unknown>, call: ServerInterceptingCallInterface) => {
    const { service, method } = namesOf(descriptor);
    let finish: ((end: ServerCallEnd) => void) | undefined;
    let startedAt = 0;
    const end = (code: Status, details: string) => {
      const report = finish;
      finish = undefined;
      report?.({ code, details, durationMs: performance.now() - startedAt });
    };
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            startedAt = performance.now();
            finish = observer({
              path: descriptor.path,
              service,
              method,
              type: callType(descriptor),
              metadata,
              peer: call.getPeer(),
            });
            nextMetadata(metadata);
          },
          onCancel: () => {
            // A cancel that close to the deadline is the deadline (seen as a flaky CANCELLED in CI).
            const passed = cancelledByDeadline(deadlineFromGrpc(call.getDeadline()));
            end(
              passed ? Status.DEADLINE_EXCEEDED : Status.CANCELLED,
              passed ? "deadline exceeded" : "cancelled by the client",
            );
          },
        }),
      sendStatus: (status, next) => {
        end(status.code, status.details ?? "");
        next(status);
      },
    });
  };
}

/** The names of each method a server serves, split from its path once (a handful of paths; unknown ones are not kept). */
export function createCallNaming(): (descriptor: ServerMethodDefinition<unknown, unknown>) => ServerCallNames {
  const names = new Map<string, ServerCallNames>();
  return (descriptor) => {
    const known = names.get(descriptor.path);
    if (known !== undefined) return known;
    const [service = "", method = ""] = descriptor.path.slice(1).split("/");
    const named = { path: descriptor.path, service, method, type: callType(descriptor) };
    if (names.size < 1000) names.set(descriptor.path, named);
    return named;
  };
}

function callType(descriptor: ServerMethodDefinition<unknown, unknown>): ServerCallStart["type"] {
  if (descriptor.requestStream) return descriptor.responseStream ? "bidi_stream" : "client_stream";
  return descriptor.responseStream ? "server_stream" : "unary";
}

/**
 * One observer that tells each of `observers`, in order, of a call's start and end: one
 * interceptor per call however many observers there are.
 */
export function combineObservers(observers: readonly ServerCallObserver[]): ServerCallObserver {
  if (observers.length === 1) return observers[0]!;
  return (start) => {
    const ends = observers.map((observer) => observer(start));
    return (end) => {
      for (const report of ends) report(end);
    };
  };
}

import { InterceptingCall, type Interceptor, type StatusObject, status as Status } from "@grpc/grpc-js";
import type { SpanTracer } from "../core/span-tracer.js";
import { formatTraceparent, parseTraceparent } from "../core/trace-context.js";
import { codeName } from "../grpc/grpc-status.js";

/** Options of `createClientSpanInterceptor`. */
export interface ClientSpanOptions {
  tracer: SpanTracer;
  /** Short name of the upstream (heroes): `peer.service`. */
  upstream: string;
  /** The channel's grpc-js target, for `server.address` and `server.port`. */
  target: string;
}

/**
 * A client span per upstream call, when tracing is on; the outermost interceptor, so breaker
 * refusals get their (failed) span too. The call's metadata arrives carrying the caller's own
 * span as `traceparent` (`upstreamMetadata` with tracing on); the client span is its child, and
 * the `traceparent` sent on the wire becomes the client span's: the server's span is its child.
 * One span per call however many attempts the channel's retry or hedging policy makes.
 */
export function createClientSpanInterceptor(options: ClientSpanOptions): Interceptor {
  const { tracer } = options;
  const server = serverAttributes(options.target);
  return (callOptions, nextCall) => {
    const method = callOptions.method_definition.path.slice(1);
    return new InterceptingCall(nextCall(callOptions), {
      start(metadata, listener, next) {
        const [value] = metadata.get("traceparent");
        const span = tracer.startSpan(method, parseTraceparent(typeof value === "string" ? value : undefined), {
          kind: "client",
          attributes: { "rpc.system.name": "grpc", "rpc.method": method, "peer.service": options.upstream, ...server },
        });
        metadata.set("traceparent", formatTraceparent(span.context));
        next(metadata, {
          onReceiveStatus(status: StatusObject, nextStatus: (status: StatusObject) => void) {
            span.end({
              attributes: { "rpc.status_code": codeName(status.code) },
              ...(status.code === Status.OK ? {} : { error: status.details || codeName(status.code) }),
            });
            nextStatus(status);
          },
        });
      },
    });
  };
}

/** `server.address`/`server.port` of a `host:port` target (the first of `ipv4:a:1,b:2`, `dns:///h:p`). */
function serverAttributes(target: string): Record<string, string | number> {
  const first = target.replace(/^(dns:\/\/\/|dns:|ipv4:|ipv6:)/, "").split(",")[0] ?? "";
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(first);
  if (match === null) return { "server.address": first };
  return { "server.address": match[1]!, "server.port": Number(match[2]) };
}

/** One load run against one unary method, whatever generator runs it. */
export interface LoadSpec {
  /** Label of the run in results, e.g. `fight-max closed-loop`. */
  name: string;
  host: string;
  port: number;
  /** gRPC path, `/package.Service/Method`. */
  path: string;
  /** The serialized request message (protobuf binary, no gRPC frame). */
  request: Uint8Array;
  /** The same request as JSON, for ghz `-d`. */
  requestJson: Record<string, unknown>;
  durationMs: number;
  /** HTTP/2 connections to open. */
  connections: number;
  /** Calls in flight at once, over all connections (closed loop; the cap of a fixed-rate run). */
  concurrency: number;
  /** Fixed rate, calls per second over all connections; undefined: closed loop, as fast as it goes. */
  rps?: number;
  /** Deadline of each call, ms. */
  timeoutMs: number;
}

/** The request as one gRPC length-prefixed message: flag 0 (uncompressed), 4-byte length, bytes. */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/** `ghz --call` form of a path: `package.Service.Method`. */
export function ghzCallName(path: string): string {
  return path.slice(1).replace("/", ".");
}

import { Client, credentials, Metadata, status as Status } from "@grpc/grpc-js";

/** A grpc-js client of one method that sends and receives raw message bytes. */
export interface RawClient {
  /** One call; resolves with the status code name (never rejects) and its latency in ms. */
  call(request: Buffer, timeoutMs: number): Promise<{ code: string; ms: number }>;
  close(): void;
}

const identity = (bytes: Buffer) => bytes;
const codeNames = new Map<number, string>(
  Object.entries(Status).flatMap(([name, code]) => (typeof code === "number" ? [[code, name]] : [])),
);

/**
 * A raw client of `path` on its own HTTP/2 connection (a local subchannel pool, so several raw
 * clients to one address really open several connections, as `--connections` does in ghz).
 */
export function createRawClient(target: string, path: string): RawClient {
  const client = new Client(target, credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1 });
  return {
    call(request, timeoutMs) {
      const started = performance.now();
      return new Promise((resolve) => {
        client.makeUnaryRequest(
          path,
          identity,
          identity,
          request,
          new Metadata(),
          { deadline: Date.now() + timeoutMs },
          (error) => {
            const code = error === null ? Status.OK : error.code;
            resolve({ code: codeNames.get(code) ?? String(code), ms: performance.now() - started });
          },
        );
      });
    },
    close: () => client.close(),
  };
}

import { fileURLToPath } from "node:url";
import { spawnService, type NodeProcess } from "../processes/node-process.js";

/** Options of `startFlood`. */
export interface FloodOptions {
  /** Port of a plaintext gRPC server on 127.0.0.1. */
  port: number;
  /** `/package.Service/Method` of a unary method whose request may be empty. */
  path: string;
  /** Concurrent callers, each calling again as soon as its call ends. */
  callers: number;
  /** HTTP/2 connections they share (the server allows 100 streams per connection). */
  connections: number;
  seconds: number;
  /** Each call's deadline, ms. */
  deadlineMs: number;
}

/** A running flood. */
export interface Flood {
  process: NodeProcess;
  /** Waits for the flood to end; calls per status code name. */
  finished(): Promise<Record<string, number>>;
}

const entryPoint = fileURLToPath(new URL("./flood-process.ts", import.meta.url));

/** Starts `flood-process.ts` and resolves once its connections are up and it is calling. */
export async function startFlood(options: FloodOptions): Promise<Flood> {
  const process = spawnService(entryPoint, {
    FLOOD_PORT: String(options.port),
    FLOOD_PATH: options.path,
    FLOOD_CALLERS: String(options.callers),
    FLOOD_CONNECTIONS: String(options.connections),
    FLOOD_SECONDS: String(options.seconds),
    FLOOD_DEADLINE_MS: String(options.deadlineMs),
  });
  await process.waitForLine((line) => line.flooding === true, 30_000);
  return {
    process,
    async finished() {
      const line = await process.waitForLine(
        (candidate) => candidate.codes !== undefined,
        options.seconds * 1000 + 60_000,
      );
      return line.codes as Record<string, number>;
    },
  };
}

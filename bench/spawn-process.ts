import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";

/** A child process of the bench. */
export interface ChildService {
  pid: number;
  /** Last few KB of stderr, for error messages. */
  stderrTail(): string;
  /** Whether it has exited. */
  exited(): boolean;
  signal(signal: NodeJS.Signals): void;
  /** SIGCONT + SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `node --import tsx <entryPoint>` with PATH and `env` only. Stdout is discarded: the bench
 * runs services at LOG_LEVEL=warn and learns readiness from the admin port, so it never parses a
 * log stream under load.
 */
export function spawnNodeService(entryPoint: string, env: Record<string, string>): ChildService {
  const child = spawn(process.execPath, ["--import", "tsx", entryPoint], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4096)));
  const closed = once(child, "close").then(() => undefined);
  let stopping: Promise<void> | undefined;
  const isExited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    pid: child.pid ?? 0,
    stderrTail: () => stderr,
    exited: isExited,
    signal: (signal) => void (isExited() ? undefined : child.kill(signal)),
    stop: (graceMs = 5000) =>
      (stopping ??= (async () => {
        if (!isExited()) {
          child.kill("SIGCONT");
          child.kill("SIGTERM");
        }
        const timer = setTimeout(() => void (isExited() ? undefined : child.kill("SIGKILL")), graceMs);
        await closed;
        clearTimeout(timer);
      })()),
  };
}

/** A TCP port free on 127.0.0.1 right now (bound to port 0, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Polls `http://127.0.0.1:<adminPort>/readyz` until 200; throws if the child exits or `timeoutMs` passes. */
export async function waitUntilReady(child: ChildService, adminPort: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exited()) throw new Error(`process ${child.pid} exited before it was ready: ${child.stderrTail()}`);
    const status = await fetch(`http://127.0.0.1:${adminPort}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`process ${child.pid} not ready within ${timeoutMs} ms: ${child.stderrTail()}`);
}

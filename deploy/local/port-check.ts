import { createServer } from "node:net";
import type { PortSetting } from "./service-plan.js";

/** A port that cannot be listened on, with why. */
export interface BusyPort {
  setting: PortSetting;
  /** The error code of the trial listen, e.g. EADDRINUSE or EACCES. */
  code: string;
}

/**
 * Tries to listen on every fixed port (0 is skipped) and closes at once; returns the ones that
 * failed. A service started right after can still lose a race, so its own error is reported too.
 */
export async function findBusyPorts(settings: readonly PortSetting[]): Promise<BusyPort[]> {
  const results = await Promise.all(
    settings
      .filter((setting) => setting.port !== 0)
      .map(async (setting) => ({ setting, code: await tryListen(setting.host, setting.port) })),
  );
  return results.filter((result): result is BusyPort => result.code !== undefined);
}

/** One line a person can act on: which port, which service, which variable moves it. */
export function describeBusyPort({ setting, code }: BusyPort): string {
  if (code !== "EADDRINUSE" && code !== "EACCES") {
    return `cannot listen on ${setting.host}:${setting.port} (${setting.service} ${setting.role}): ${code}; check ${setting.hostVariable} and ${setting.variable}`;
  }
  const why = code === "EADDRINUSE" ? "is already in use" : "needs privileges (ports below 1024)";
  return `port ${setting.port} (${setting.service} ${setting.role}, ${setting.variable}) ${why} on ${setting.host}: stop what holds it or set ${setting.variable} to a free port, e.g. ${setting.variable}=${suggestion(setting.port)} npm start`;
}

function suggestion(port: number): number {
  return port + 10_000 <= 65_535 ? port + 10_000 : port - 10_000;
}

function tryListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

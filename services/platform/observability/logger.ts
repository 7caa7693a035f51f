import { pino, type Logger } from "pino";

export type { Logger };

/** Log levels a service accepts in `LOG_LEVEL`. */
export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

/**
 * The one logger configuration every service uses: JSON lines on stdout with the service name
 * on every line. Secrets in URLs are redacted by the callers (see `redactUrl`), never logged raw.
 */
export function createLogger(service: string, level: LogLevel): Logger {
  // Synchronous writes to stdout: pino's default stream hands every line to the libuv thread
  // pool (a thread wake-up and an extra event-loop turn per access-log line, measured on the
  // fight path). The cost: a stdout that stops reading stalls the process instead of its memory.
  return pino(
    { level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: 1, sync: true }),
  );
}

/** A connection URL with its password replaced by `***`, safe for logs and `/stats`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable url)";
  }
}

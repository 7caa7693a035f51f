/** How children's log lines are shown: `compact` renders pino JSON as text, `json` leaves it as is. */
export type LogFormat = "compact" | "json";

/** Options of `createLinePrefixer`. */
export interface LinePrefixerOptions {
  /** Shown before every line, padded to `width`. */
  name: string;
  width: number;
  format: LogFormat;
  /** ANSI colour code of the name (e.g. 36 for cyan); undefined: no colour. */
  color?: number;
  write: (text: string) => void;
}

/** Feeds chunks of a stream; writes each complete line with the prefix. */
export interface LinePrefixer {
  push(chunk: string): void;
  /** Writes a last line without a newline, if any. */
  flush(): void;
}

/** Splits a child's output into lines and writes each as `heroes    | <line>`. */
export function createLinePrefixer(options: LinePrefixerOptions): LinePrefixer {
  const label = options.name.padEnd(options.width);
  const prefix = options.color === undefined ? `${label} | ` : `\u001b[${options.color}m${label} |\u001b[0m `;
  let pending = "";
  const emit = (line: string) => options.write(`${prefix}${options.format === "json" ? line : renderLogLine(line)}\n`);
  return {
    push(chunk) {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") emit(line);
    },
    flush() {
      if (pending.trim() !== "") emit(pending);
      pending = "";
    },
  };
}

const levelNames: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};
const hiddenKeys = new Set(["level", "time", "msg", "service", "pid", "hostname"]);

/**
 * A pino JSON line as `12:00:01.123 INFO  heroes listening grpcPort=50051 adminPort=9401`;
 * an error object as its type and message. Anything that is not a JSON object is kept as is.
 */
export function renderLogLine(line: string): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof record !== "object" || record === null || Array.isArray(record)) return line;
  const fields = record as Record<string, unknown>;
  const time = typeof fields.time === "string" ? fields.time.slice(11, 23) : "";
  const level = (typeof fields.level === "number" ? levelNames[fields.level] : undefined) ?? String(fields.level ?? "");
  const rest = Object.entries(fields)
    .filter(([key]) => !hiddenKeys.has(key))
    .map(([key, value]) => `${key}=${renderValue(value)}`);
  return [time, level.padEnd(5), String(fields.msg ?? ""), ...rest].filter((part) => part !== "").join(" ");
}

function renderValue(value: unknown): string {
  if (typeof value === "string") return /\s/.test(value) ? JSON.stringify(value) : value;
  if (typeof value === "object" && value !== null && "message" in value) {
    const error = value as { type?: unknown; message?: unknown };
    return JSON.stringify(`${String(error.type ?? "Error")}: ${String(error.message)}`);
  }
  return JSON.stringify(value);
}

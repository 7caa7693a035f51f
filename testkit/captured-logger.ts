import { Writable } from "node:stream";
import { pino } from "pino";
import type { Logger } from "../services/platform/observability/logger.js";

/** A JSON log line as pino wrote it. */
export type LogLine = Record<string, unknown>;

/** A logger whose lines a test can read. */
export interface CapturedLogger {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines(): LogLine[];
}

/** A pino logger configured like `createLogger`, writing into memory instead of stdout. */
export function createCapturedLogger(service = "test"): CapturedLogger {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const text of String(chunk).split("\n")) if (text !== "") lines.push(JSON.parse(text) as LogLine);
      callback();
    },
  });
  return { logger: pino({ level: "info", base: { service } }, destination), lines: () => [...lines] };
}

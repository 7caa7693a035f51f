import { createEnvReader, type EnvReader } from "../../services/platform/config/env-reader.js";

/** One variable a config function read, as the reader saw it. */
export interface VariableRead {
  name: string;
  kind: keyof EnvReader;
  /** The default, as text; undefined for optional settings. */
  fallback: string | undefined;
  /** What the reader accepts, e.g. `0–65535`, `true/false`, `info, debug`. */
  accepts: string;
}

/** An EnvReader that answers like the real one and remembers every variable read, in order. */
export interface RecordingEnvReader {
  reader: EnvReader;
  reads: VariableRead[];
}

/** Wraps `createEnvReader(env)` (default: an empty environment, so every default shows). */
export function createRecordingEnvReader(env: NodeJS.ProcessEnv = {}): RecordingEnvReader {
  const real = createEnvReader(env);
  const reads: VariableRead[] = [];
  const record = (name: string, kind: keyof EnvReader, fallback: unknown, accepts: string) => {
    if (!reads.some((read) => read.name === name))
      reads.push({ name, kind, fallback: fallback === undefined ? undefined : String(fallback), accepts });
  };
  const reader: EnvReader = {
    string: (name, fallback) => (record(name, "string", fallback, "text"), real.string(name, fallback)),
    optionalString: (name) => (record(name, "optionalString", undefined, "text"), real.optionalString(name)),
    int: (name, fallback, range = {}) => (
      record(name, "int", fallback, `integer ${range.min ?? ""}–${range.max ?? ""}`),
      real.int(name, fallback, range)
    ),
    port: (name, fallback) => (record(name, "port", fallback, "port 0–65535"), real.port(name, fallback)),
    bool: (name, fallback) => (record(name, "bool", fallback, "true/false"), real.bool(name, fallback)),
    oneOf: (name, allowed, fallback) => (
      record(name, "oneOf", fallback, allowed.join(", ")),
      real.oneOf(name, allowed, fallback)
    ),
    host: (name, fallback) => (record(name, "host", fallback, "host or IP"), real.host(name, fallback)),
  };
  return { reader, reads };
}

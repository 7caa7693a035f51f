/**
 * Environment configuration. Each service has one `config.ts` that calls `loadConfig` once at
 * start-up; nothing else reads `process.env`. A bad value stops the process with exit code 2
 * and one line naming the variable and what is allowed.
 */

/** A setting that cannot be used; `message` names the variable and the allowed values. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.variable = variable;
  }
}

/** Integer bounds, inclusive. */
export interface IntRange {
  min?: number;
  max?: number;
}

/** Typed, validating reads of environment variables. Empty counts as unset. */
export interface EnvReader {
  string(name: string, fallback: string): string;
  optionalString(name: string): string | undefined;
  int(name: string, fallback: number, range?: IntRange): number;
  /** A TCP port, 0..65535 (0 asks the OS for a free one). */
  port(name: string, fallback: number): number;
  bool(name: string, fallback: boolean): boolean;
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  /** An IPv4/IPv6 literal or host name to bind to. */
  host(name: string, fallback: string): string;
}

/** Creates a reader over `env` (default: the process environment). */
export function createEnvReader(env: NodeJS.ProcessEnv = process.env): EnvReader {
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const int = (name: string, fallback: number, range: IntRange = {}): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new ConfigError(name, `"${value}" is not an integer from ${min} to ${max}`);
    }
    return Number(value);
  };
  return {
    string: (name, fallback) => raw(name) ?? fallback,
    optionalString: (name) => raw(name),
    int,
    port: (name, fallback) => int(name, fallback, { min: 0, max: 65535 }),
    bool(name, fallback) {
      const value = raw(name)?.toLowerCase();
      if (value === undefined) return fallback;
      if (["1", "true", "yes", "on"].includes(value)) return true;
      if (["0", "false", "no", "off"].includes(value)) return false;
      throw new ConfigError(name, `"${value}" is not a boolean (true/false, 1/0, yes/no, on/off)`);
    },
    oneOf(name, allowed, fallback) {
      const value = raw(name);
      if (value === undefined) return fallback;
      const match = allowed.find((candidate) => candidate === value);
      if (match === undefined) throw new ConfigError(name, `"${value}" is not one of ${allowed.join(", ")}`);
      return match;
    },
    host(name, fallback) {
      const value = raw(name) ?? fallback;
      if (!/^[A-Za-z0-9.:_-]+$/.test(value)) throw new ConfigError(name, `"${value}" is not a host name or IP address`);
      return value;
    },
  };
}

/**
 * Builds a service's frozen configuration with `read`; on a ConfigError prints one line to
 * stderr and exits with code 2 (the conventional "bad usage" exit code).
 */
export function loadConfig<T extends object>(read: (env: EnvReader) => T, env?: NodeJS.ProcessEnv): Readonly<T> {
  try {
    return Object.freeze(read(createEnvReader(env)));
  } catch (error: unknown) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`configuration error: ${error.message}\n`);
    process.exit(2);
  }
}

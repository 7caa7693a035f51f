import { fightsConfigFromEnv } from "../../services/fights/config.js";
import { heroesConfigFromEnv } from "../../services/heroes/config.js";
import { locationsConfigFromEnv } from "../../services/locations/config.js";
import type { EnvReader } from "../../services/platform/config/env-reader.js";
import { villainsConfigFromEnv } from "../../services/villains/config.js";
import { createRecordingEnvReader, type VariableRead } from "./recording-env.js";

/** The four services and the function that reads each one's configuration. */
export const configReaders: Record<"fights" | "heroes" | "villains" | "locations", (env: EnvReader) => unknown> = {
  fights: fightsConfigFromEnv,
  heroes: heroesConfigFromEnv,
  villains: villainsConfigFromEnv,
  locations: locationsConfigFromEnv,
};

/** A service name. */
export type ServiceName = keyof typeof configReaders;

/**
 * Every variable each service reads, found by running its config function with a recording
 * reader over an empty environment (so defaults show). Code that reads `process.env` directly
 * would be missed; STYLE.md forbids it.
 */
export function serviceVariables(): Record<ServiceName, VariableRead[]> {
  const result = {} as Record<ServiceName, VariableRead[]>;
  for (const [service, read] of Object.entries(configReaders) as [ServiceName, (env: EnvReader) => unknown][]) {
    const recording = createRecordingEnvReader();
    read(recording.reader);
    result[service] = recording.reads;
  }
  return result;
}

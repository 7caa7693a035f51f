import type { EnvReader } from "../../services/platform/config/env-reader.js";
import { serviceList, serviceNames, type ServiceName } from "../../services/service-list.js";
import { createRecordingEnvReader, type VariableRead } from "./recording-env.js";

/** The function that reads each service's configuration, from the one list of services. */
export const configReaders = Object.fromEntries(
  serviceNames.map((name) => [name, serviceList[name].readConfig]),
) as Record<ServiceName, (env: EnvReader) => unknown>;

/**
 * Every variable each service reads, found by running its config function with a recording
 * reader over an empty environment (so defaults show). Code that reads `process.env` directly
 * would be missed, which is why no service does.
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

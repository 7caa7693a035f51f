import { loadConfig } from "../platform/config/env-reader.js";
import { createLogger } from "../platform/observability/logger.js";
import { stopOnSignals } from "../platform/server/service-process.js";
import { startLocations } from "./app.js";
import { locationsConfigFromEnv } from "./config.js";

const config = loadConfig(locationsConfigFromEnv);
const service = await startLocations(config);
stopOnSignals(service, createLogger("locations", config.logLevel));

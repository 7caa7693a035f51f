import { loadConfig } from "../platform/config.js";
import { createLogger } from "../platform/logger.js";
import { stopOnSignals } from "../platform/service-process.js";
import { startLocations } from "./app.js";
import { locationsConfigFromEnv } from "./config.js";

const config = loadConfig(locationsConfigFromEnv);
const service = await startLocations(config);
stopOnSignals(service, createLogger("locations", config.logLevel));

import { loadConfig } from "../platform/config/env-reader.js";
import { createLogger } from "../platform/observability/logger.js";
import { stopOnSignals } from "../platform/server/service-process.js";
import { startLocations } from "./app.js";
import { serviceList } from "../service-list.js";

const config = loadConfig(serviceList.locations.readConfig);
const service = await startLocations(config);
stopOnSignals(service, createLogger("locations", config.logLevel));

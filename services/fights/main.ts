import { loadConfig } from "../platform/config/env-reader.js";
import { createLogger } from "../platform/observability/logger.js";
import { stopOnSignals } from "../platform/server/service-process.js";
import { startFights } from "./app.js";
import { serviceList } from "../service-list.js";

const config = loadConfig(serviceList.fights.readConfig);
const service = await startFights(config);
stopOnSignals(service, createLogger("fights", config.logLevel));

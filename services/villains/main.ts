import { loadConfig } from "../platform/config/env-reader.js";
import { createLogger } from "../platform/observability/logger.js";
import { stopOnSignals } from "../platform/server/service-process.js";
import { startVillains } from "./app.js";
import { serviceList } from "../service-list.js";

const config = loadConfig(serviceList.villains.readConfig);
const service = await startVillains(config);
stopOnSignals(service, createLogger("villains", config.logLevel));

import { loadConfig } from "../platform/config/env-reader.js";
import { createLogger } from "../platform/observability/logger.js";
import { stopOnSignals } from "../platform/server/service-process.js";
import { startHeroes } from "./app.js";
import { serviceList } from "../service-list.js";

const config = loadConfig(serviceList.heroes.readConfig);
const service = await startHeroes(config);
stopOnSignals(service, createLogger("heroes", config.logLevel));

import { loadConfig } from "../platform/config/env-reader.js";
import { createLogger } from "../platform/observability/logger.js";
import { stopOnSignals } from "../platform/server/service-process.js";
import { startVillains } from "./app.js";
import { villainsConfigFromEnv } from "./config.js";

const config = loadConfig(villainsConfigFromEnv);
const service = await startVillains(config);
stopOnSignals(service, createLogger("villains", config.logLevel));

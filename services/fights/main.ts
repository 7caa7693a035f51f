import { loadConfig } from "../platform/config/env-reader.js";
import { createLogger } from "../platform/observability/logger.js";
import { stopOnSignals } from "../platform/server/service-process.js";
import { startFights } from "./app.js";
import { fightsConfigFromEnv } from "./config.js";

const config = loadConfig(fightsConfigFromEnv);
const service = await startFights(config);
stopOnSignals(service, createLogger("fights", config.logLevel));

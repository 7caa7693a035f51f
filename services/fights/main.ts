import { loadConfig } from "../platform/config.js";
import { createLogger } from "../platform/logger.js";
import { stopOnSignals } from "../platform/service-process.js";
import { startFights } from "./app.js";
import { fightsConfigFromEnv } from "./config.js";

const config = loadConfig(fightsConfigFromEnv);
const service = await startFights(config);
stopOnSignals(service, createLogger("fights", config.logLevel));

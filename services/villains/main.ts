import { loadConfig } from "../platform/config.js";
import { createLogger } from "../platform/logger.js";
import { stopOnSignals } from "../platform/service-process.js";
import { startVillains } from "./app.js";
import { villainsConfigFromEnv } from "./config.js";

const config = loadConfig(villainsConfigFromEnv);
const service = await startVillains(config);
stopOnSignals(service, createLogger("villains", config.logLevel));

/**
 * The container's entry point: one image, any of the four services, chosen by the first
 * argument (`docker run superheroes heroes`). Each service's `main.js` reads its own env.
 */
import { pathToFileURL } from "node:url";
import { serviceList, serviceNames } from "../service-list.js";

const [name = ""] = process.argv.slice(2);
const listing = serviceNames.find((service) => service === name);
if (listing === undefined) {
  process.stderr.write(`usage: entrypoint <${serviceNames.join("|")}> (got "${name}")\n`);
  process.exit(2);
}
await import(pathToFileURL(serviceList[listing].entryPoint).href);

/**
 * The container's entry point: one image, any of the four services, chosen by the first
 * argument (`docker run superheroes heroes`). Each service's `main.js` reads its own env.
 */
const services = ["fights", "heroes", "villains", "locations"] as const;

const [name = ""] = process.argv.slice(2);
if (!services.some((service) => service === name)) {
  process.stderr.write(`usage: entrypoint <${services.join("|")}> (got "${name}")\n`);
  process.exit(2);
}
await import(`../../services/${name}/main.js`);

/**
 * Container health probe, the stand-in for grpc_health_probe: asks grpc.health.v1 of
 * `127.0.0.1:<port>` (or `host:port`) and exits 0 only when it answers SERVING.
 *
 *   node dist/services/container/health-probe.js 50051 [service] [timeoutMs]
 */
import { checkHealth } from "../platform/calls/health-check.js";

const [address = "", service = "", timeoutText = "2000"] = process.argv.slice(2);
const target = /^\d+$/.test(address) ? `127.0.0.1:${address}` : address;
if (target === "" || !/^\d+$/.test(timeoutText)) {
  process.stderr.write("usage: health-probe <port | host:port> [service] [timeoutMs]\n");
  process.exit(2);
}
try {
  const status = await checkHealth(target, { service, timeoutMs: Number(timeoutText) });
  process.stdout.write(`${target} ${service || "(server)"}: ${status}\n`);
  process.exit(status === "SERVING" ? 0 : 1);
} catch (error: unknown) {
  process.stdout.write(`${target}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

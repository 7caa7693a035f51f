/**
 * A bare grpc-js echo server, the yardstick of every ratio: no interceptors, no database, and
 * identity serialisation (the request bytes are the response bytes, never decoded). It has reflection (for ghz/grpcurl) and an admin port with `/metrics`, so the bench
 * reads its RSS, CPU and `grpc_server_handled_total{grpc_code="OK"}` like any service's.
 *
 *   node --import tsx bench/system/echo-server.ts   (ECHO_GRPC_PORT 50099, ECHO_ADMIN_PORT 9499; 0 = any)
 *
 * Logs one JSON line `{"msg":"echo listening","grpcPort":..,"adminPort":..}`; exits on SIGTERM.
 */
import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from "@grpc/grpc-js";
import { collectDefaultMetrics, Counter, Registry } from "prom-client";
import { startAdminServer } from "../../services/platform/admin/admin-server.js";
import { createEnvReader } from "../../services/platform/config/env-reader.js";
import { grpcDefinitionFromDesc } from "../../services/platform/grpc/grpc-definition.js";
import { addReflection } from "../../services/platform/server/reflection.js";
import { echoFile, echoService } from "./echo-service.js";

const env = createEnvReader(process.env);
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const handled = new Counter({
  name: "grpc_server_handled_total",
  help: "Total number of RPCs completed on the server.",
  labelNames: ["grpc_service", "grpc_method", "grpc_code"],
  registers: [registry],
});
const okLabels = { grpc_service: echoService.typeName, grpc_method: "Echo", grpc_code: "OK" };

const server = new Server();
const identity = (bytes: Buffer) => bytes;
const definition = Object.fromEntries(
  Object.entries(grpcDefinitionFromDesc(echoService)).map(([name, method]) => [
    name,
    { ...method, requestDeserialize: identity, responseSerialize: identity },
  ]),
);
server.addService(definition, {
  echo(call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) {
    handled.inc(okLabels);
    callback(null, call.request);
  },
});
addReflection(server, [echoFile]);
const grpcPort = await new Promise<number>((resolve, reject) =>
  server.bindAsync(
    `127.0.0.1:${env.port("ECHO_GRPC_PORT", 50099)}`,
    ServerCredentials.createInsecure(),
    (error, port) => (error ? reject(error) : resolve(port)),
  ),
);
const admin = await startAdminServer({
  host: "127.0.0.1",
  port: env.port("ECHO_ADMIN_PORT", 9499),
  registry,
  ready: () => true,
  stats: () => ({}),
});
process.stdout.write(`${JSON.stringify({ msg: "echo listening", grpcPort, adminPort: admin.port })}\n`);
process.once("SIGTERM", () => {
  server.forceShutdown();
  void admin.close().then(() => process.exit(0));
});

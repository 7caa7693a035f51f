import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { containerNodeFlags } from "../services/container/node-flags.js";
import { createEnvReader } from "../services/platform/config/env-reader.js";
import { renderConfigTable, settingKey, tableMarkers } from "./config/config-table.js";
import { configReaders, serviceVariables } from "./config/service-variables.js";
import { type ServiceName, serviceList, serviceNames } from "../services/service-list.js";
import { variableDocs } from "./config/variable-docs.js";
import { interpolate, type K8sObject, literalsOf, readManifests, readText, readYaml, root } from "./deploy-files.js";
import { livenessServiceName } from "../services/platform/server/health.js";

/** The documented ports (README), which the service list, compose and Kubernetes must all use. */
const ports: Record<ServiceName, { grpc: number; admin: number; web?: number }> = {
  fights: { grpc: 50050, web: 8080, admin: 9400 },
  heroes: { grpc: 50051, admin: 9401 },
  villains: { grpc: 50052, admin: 9402 },
  locations: { grpc: 50053, admin: 9403 },
};
const services = Object.keys(ports) as ServiceName[];
const image = "superheroes:0.1.0";

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { resources?: { limits?: { cpus?: string; memory?: string } } };
  read_only?: boolean;
}
const compose = readYaml("compose.yml") as { services: Record<string, ComposeService> };
const manifests = readManifests();
const kustomization = readYaml("deploy/kubernetes/kustomization.yaml") as {
  resources: string[];
  images: { name: string; newName: string; newTag: string }[];
  configMapGenerator: { name: string; literals: string[] }[];
  secretGenerator: { name: string; literals: string[] }[];
};

describe("deployment files", () => {
  it("parse: compose, every manifest, kustomization, Prometheus, Grafana provisioning and dashboard", () => {
    assert.deepEqual(Object.keys(compose.services).sort(), [
      "fights",
      "grafana",
      "heroes",
      "jaeger",
      "locations",
      "postgres",
      "prometheus",
      "villains",
    ]);
    assert.deepEqual(
      manifests
        .map(({ file }) => file)
        .filter((file, i, all) => all.indexOf(file) === i)
        .sort(),
      [...kustomization.resources].sort(),
    );
    for (const path of [
      "deploy/compose/prometheus.yml",
      "deploy/compose/grafana/provisioning/datasources/prometheus.yml",
      "deploy/compose/grafana/provisioning/dashboards/dashboards.yml",
    ]) {
      assert.ok(readYaml(path), path);
    }
    const dashboard = JSON.parse(readText("deploy/compose/grafana/dashboards/superheroes.json")) as {
      panels: { targets: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)).join("\n");
    for (const metric of [
      "grpc_server_handled_total",
      "grpc_server_handling_seconds_bucket",
      "grpc_client_circuit_state",
      "grpc_client_handled_total",
    ])
      assert.match(exprs, new RegExp(metric));
  });

  it("ports: the service list, the services' defaults, compose and Kubernetes agree", () => {
    const variables = serviceVariables();
    for (const name of services) {
      const fallback = (suffix: string) =>
        Number(variables[name].find((read) => read.name === `${name.toUpperCase()}_${suffix}`)?.fallback);
      assert.deepEqual(
        {
          grpc: fallback("GRPC_PORT"),
          admin: fallback("ADMIN_PORT"),
          ...(name === "fights" ? { web: fallback("WEB_PORT") } : {}),
        },
        ports[name],
        name,
      );
    }
    for (const name of services)
      assert.deepEqual(serviceList[name].ports, ports[name], `${name} in services/service-list.ts`);
  });

  it("compose: one image built from the Dockerfile, a command the entrypoint knows, ports, health, dependencies, limits", () => {
    for (const name of services) {
      const service = compose.services[name]!;
      const { grpc, admin, web } = ports[name];
      assert.equal(service.image, image, name);
      assert.deepEqual(service.build, { context: ".", dockerfile: "Dockerfile" });
      assert.deepEqual(service.command, [name]);
      assert.ok(serviceNames.includes(name), `the entrypoint knows ${name}`);
      const env = service.environment ?? {};
      assert.equal(env[`${name.toUpperCase()}_GRPC_PORT`], String(grpc));
      assert.equal(env[`${name.toUpperCase()}_ADMIN_PORT`], String(admin));
      if (web !== undefined) assert.equal(env.FIGHTS_WEB_PORT, String(web));
      assert.deepEqual(service.ports, [
        `${grpc}:${grpc}`,
        ...(web === undefined ? [] : [`${web}:${web}`]),
        `127.0.0.1:${admin}:${admin}`,
      ]);
      assert.deepEqual(service.healthcheck?.test, [
        "CMD",
        "node",
        "dist/services/container/health-probe.js",
        String(grpc),
      ]);
      assert.equal(service.depends_on?.postgres?.condition, "service_healthy");
      assert.ok(
        service.deploy?.resources?.limits?.cpus && service.deploy.resources.limits.memory,
        `${name} has CPU and memory limits`,
      );
      assert.equal(service.read_only, true);
    }
    for (const upstream of ["heroes", "villains", "locations"])
      assert.equal(compose.services.fights!.depends_on?.[upstream]?.condition, "service_healthy");
    assert.ok(
      existsSync(join(root, "services/container/health-probe.ts")) &&
        existsSync(join(root, "services/container/entrypoint.ts")),
    );
  });

  it("compose and Kubernetes set only variables the services read, and every service starts with that environment", () => {
    const read = serviceVariables();
    const k8sEnv = kubernetesEnvironments();
    for (const name of services) {
      const names = new Set(read[name].map((variable) => variable.name));
      const composeEnv = Object.fromEntries(
        Object.entries(compose.services[name]!.environment ?? {}).map(([key, value]) => [
          key,
          interpolate(String(value)),
        ]),
      );
      for (const [where, env] of [
        ["compose", composeEnv],
        ["kubernetes", k8sEnv[name]!],
      ] as const) {
        assert.deepEqual(
          Object.keys(env).filter((variable) => !names.has(variable)),
          [],
          `${where} ${name} sets variables the service does not read`,
        );
        assert.doesNotThrow(
          () => configReaders[name](createEnvReader(env)),
          `${where} ${name}: configuration is valid`,
        );
      }
    }
  });

  it("Kubernetes: gRPC probes on the gRPC port, restricted security context, resources, headless data services, HPA", () => {
    const byKind = (kind: string, name: string) =>
      manifests.find(({ object }) => object.kind === kind && object.metadata.name === name)?.object;
    for (const name of services) {
      const container = containerOf(byKind("Deployment", name));
      assert.deepEqual(container.args, [name]);
      assert.equal(container.image, kustomization.images[0]!.name);
      for (const probe of ["startupProbe", "readinessProbe"] as const)
        assert.deepEqual(container[probe]?.grpc, { port: ports[name].grpc }, `${name} ${probe}`);
      // Liveness asks for the health name that stays SERVING while the process answers, so a
      // database outage (not ready) never restarts pods.
      assert.deepEqual(
        container.livenessProbe?.grpc,
        { port: ports[name].grpc, service: livenessServiceName },
        `${name} livenessProbe`,
      );
      assert.deepEqual(container.securityContext, {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
      });
      assert.ok(
        container.resources?.requests?.cpu &&
          container.resources.requests.memory &&
          container.resources.limits?.cpu &&
          container.resources.limits.memory,
        name,
      );
      assert.ok(
        container.volumeMounts?.some((mount) => mount.mountPath === "/tmp"),
        `${name} has a writable /tmp`,
      );
      const service = byKind("Service", name)?.spec as { clusterIP?: string; ports: { name: string; port: number }[] };
      assert.equal(service.ports.find((port) => port.name === "grpc")?.port, ports[name].grpc);
      assert.equal(
        service.clusterIP,
        name === "fights" ? undefined : "None",
        `${name} Service headless: ${name !== "fights"}`,
      );
    }
    assert.deepEqual(
      (byKind("HorizontalPodAutoscaler", "fights")?.spec as { scaleTargetRef: unknown }).scaleTargetRef,
      { apiVersion: "apps/v1", kind: "Deployment", name: "fights" },
    );
    const config = literalsOf(kustomization.configMapGenerator[0]!);
    for (const upstream of ["heroes", "villains", "locations"] as const)
      assert.equal(config[`FIGHTS_${upstream.toUpperCase()}_TARGET`], `dns:///${upstream}:${ports[upstream].grpc}`);
    assert.equal(`${kustomization.images[0]!.newName}:${kustomization.images[0]!.newTag}`, image);
  });

  it("the image: uid matches runAsUser, every seed file is copied next to its app, the page is included", () => {
    const dockerfile = readText("Dockerfile");
    assert.match(dockerfile, /^USER 1000:1000$/m);
    assert.match(dockerfile, /^COPY --from=build \/app\/services\/web\/dist services\/web\/dist$/m);
    assert.match(dockerfile, /npm ci --omit=dev/);
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    assert.deepEqual(
      JSON.parse(entrypoint ?? "[]"),
      ["node", ...containerNodeFlags, "dist/services/container/entrypoint.js"],
      "the container runs with the flags the bench measures (services/container/node-flags.ts)",
    );
    const loop =
      /for service in ([a-z ]+); do cp "services\/\$service\/seed-\$service.json" "dist\/services\/\$service\/"/
        .exec(dockerfile)?.[1]
        ?.split(" ") ?? [];
    const seeds = readdirSync(join(root, "services")).filter((dir) =>
      existsSync(join(root, "services", dir, `seed-${dir}.json`)),
    );
    assert.deepEqual(loop.sort(), seeds.sort());
    for (const name of services) assert.equal(podSecurity(name).runAsUser, 1000, name);
  });

  it("PostgreSQL gets one database per service URL, in compose and in Kubernetes", () => {
    const secret = literalsOf(kustomization.secretGenerator[0]!);
    const databases = services.map((name) =>
      new URL(interpolate(compose.services[name]!.environment![`${name.toUpperCase()}_DATABASE_URL`]!)).pathname.slice(
        1,
      ),
    );
    assert.deepEqual(
      databases,
      services.map((name) => new URL(secret[`${name.toUpperCase()}_DATABASE_URL`]!).pathname.slice(1)),
    );
    const created =
      /for database in ([a-z ]+); do/.exec(readText("deploy/compose/init-databases.sh"))?.[1]?.split(" ") ?? [];
    assert.deepEqual([...created].sort(), [...databases].sort());
    const init =
      manifests.find(({ object }) => object.metadata.name === "postgres-init")?.object.data?.[
        "10-init-databases.sql"
      ] ?? "";
    for (const database of databases) assert.match(init, new RegExp(`CREATE DATABASE ${database};`));
  });

  it("README's configuration table is the one generated from the code, and every variable is documented", () => {
    const variables = serviceVariables();
    const undocumented = services.flatMap((name) =>
      variables[name].map((read) => settingKey(name, read.name)).filter((key) => variableDocs[key] === undefined),
    );
    assert.deepEqual(undocumented, [], "add these to deploy/config/variable-docs.ts");
    const readme = readText("README.md");
    const start = readme.indexOf(tableMarkers.start);
    const end = readme.indexOf(tableMarkers.end);
    assert.ok(start >= 0 && end > start, "README.md has the configuration table markers");
    assert.equal(
      readme.slice(start + tableMarkers.start.length, end).trim(),
      renderConfigTable(),
      "README's table is stale: run npm run config-table",
    );
  });
});

interface Container {
  image: string;
  args: string[];
  env: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { key: string }; configMapKeyRef?: { key: string } };
  }[];
  startupProbe?: { grpc?: unknown };
  readinessProbe?: { grpc?: unknown };
  livenessProbe?: { grpc?: unknown };
  securityContext?: unknown;
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
  volumeMounts?: { mountPath: string }[];
}

function podSpec(object: K8sObject | undefined): { securityContext: { runAsUser?: number }; containers: Container[] } {
  assert.ok(object !== undefined, "the Deployment exists");
  return (object.spec as { template: { spec: { securityContext: { runAsUser?: number }; containers: Container[] } } })
    .template.spec;
}

function containerOf(object: K8sObject | undefined): Container {
  const container = podSpec(object).containers[0];
  assert.ok(container !== undefined);
  return container;
}

function podSecurity(name: string): { runAsUser?: number } {
  return podSpec(manifests.find(({ object }) => object.kind === "Deployment" && object.metadata.name === name)?.object)
    .securityContext;
}

/** Each Deployment's environment with ConfigMap and Secret references resolved from the kustomize generators. */
function kubernetesEnvironments(): Record<string, Record<string, string>> {
  const config = literalsOf(kustomization.configMapGenerator[0]!);
  const secret = literalsOf(kustomization.secretGenerator[0]!);
  return Object.fromEntries(
    services.map((name) => {
      const container = containerOf(
        manifests.find(({ object }) => object.kind === "Deployment" && object.metadata.name === name)?.object,
      );
      const env = container.env.map(({ name: variable, value, valueFrom }) => {
        const resolved =
          value ??
          (valueFrom?.secretKeyRef
            ? secret[valueFrom.secretKeyRef.key]
            : valueFrom?.configMapKeyRef
              ? config[valueFrom.configMapKeyRef.key]
              : undefined);
        assert.ok(resolved !== undefined, `${name}: ${variable} resolves`);
        return [variable, resolved];
      });
      return [name, Object.fromEntries(env)];
    }),
  );
}

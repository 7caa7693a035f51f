import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import { experimental } from "@grpc/grpc-js";
import { upstreamChannelOptions, type UpstreamChannelSettings } from "./upstream-channel.js";

// grpc-js validates a service config only when a channel resolves, and then falls back to
// pick_first silently; its validator is not public, so the test loads it from the package.
const { validateServiceConfig } = createRequire(import.meta.url)("@grpc/grpc-js/build/src/service-config.js") as {
  validateServiceConfig(config: unknown): { loadBalancingConfig: unknown[]; methodConfig: unknown[] };
};

const settings: UpstreamChannelSettings = {
  serviceName: "superheroes.hero.v1.HeroService",
  idempotentMethods: ["GetRandomHero"],
  maxAttempts: 3,
  hedgeDelayMs: 0,
};
const serviceConfigOf = (options: ReturnType<typeof upstreamChannelOptions>) =>
  JSON.parse(String(options["grpc.service_config"])) as Record<string, unknown>;

describe("upstreamChannelOptions", () => {
  it("produces a service config grpc-js accepts, with outlier detection over round_robin", () => {
    const config = validateServiceConfig(serviceConfigOf(upstreamChannelOptions(settings)));
    const [balancer] = config.loadBalancingConfig;
    assert.equal(
      experimental
        .parseLoadBalancingConfig(balancer as Parameters<typeof experimental.parseLoadBalancingConfig>[0])
        .getLoadBalancerName(),
      "outlier_detection",
    );
    assert.deepEqual((balancer as { outlier_detection: { child_policy: unknown } }).outlier_detection.child_policy, [
      { round_robin: {} },
    ]);
  });

  it("retries the idempotent reads on UNAVAILABLE, with throttling", () => {
    const config = serviceConfigOf(upstreamChannelOptions(settings));
    assert.deepEqual(config.methodConfig, [
      {
        name: [{ service: "superheroes.hero.v1.HeroService", method: "GetRandomHero" }],
        retryPolicy: {
          maxAttempts: 3,
          initialBackoff: "0.02s",
          maxBackoff: "0.2s",
          backoffMultiplier: 2,
          retryableStatusCodes: ["UNAVAILABLE"],
        },
      },
    ]);
    assert.deepEqual(config.retryThrottling, { maxTokens: 100, tokenRatio: 0.1 });
  });

  it("hedges instead of retrying when a hedge delay is set, and the config stays valid", () => {
    const config = serviceConfigOf(upstreamChannelOptions({ ...settings, hedgeDelayMs: 25 }));
    validateServiceConfig(config);
    assert.deepEqual((config.methodConfig as { hedgingPolicy: unknown }[])[0]?.hedgingPolicy, {
      maxAttempts: 3,
      hedgingDelay: "0.025s",
      nonFatalStatusCodes: ["UNAVAILABLE"],
    });
  });

  it("leaves retries out with one attempt", () => {
    assert.deepEqual(serviceConfigOf(upstreamChannelOptions({ ...settings, maxAttempts: 1 })).methodConfig, []);
  });
});

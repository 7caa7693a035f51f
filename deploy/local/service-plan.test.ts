import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { localEnvironment, planServices } from "./service-plan.js";

describe("localEnvironment (npm start)", () => {
  it("enables fault injection on the three data services, not on fights, so the page's lab works locally", () => {
    const plans = planServices(localEnvironment({}));
    assert.deepEqual(
      plans.map((plan) => [plan.name, plan.config.faultsEnabled]),
      [
        ["heroes", true],
        ["villains", true],
        ["locations", true],
        ["fights", false],
      ],
    );
  });

  it("keeps a value the user set, and changes nothing else", () => {
    const env = { VILLAINS_FAULTS_ENABLED: "false", LOG_LEVEL: "warn" };
    assert.deepEqual(localEnvironment(env), {
      HEROES_FAULTS_ENABLED: "true",
      VILLAINS_FAULTS_ENABLED: "false",
      LOCATIONS_FAULTS_ENABLED: "true",
      LOG_LEVEL: "warn",
    });
    assert.deepEqual(
      env,
      { VILLAINS_FAULTS_ENABLED: "false", LOG_LEVEL: "warn" },
      "the given environment is not changed",
    );
  });

  it("leaves the services' own default off (compose and Kubernetes do not go through npm start)", () => {
    assert.ok(planServices({}).every((plan) => !plan.config.faultsEnabled));
  });
});

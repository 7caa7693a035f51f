import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { targetHasIpAddress } from "./config.js";

describe("targetHasIpAddress (TLS upstream targets must be DNS names)", () => {
  const cases: [target: string, ip: boolean][] = [
    ["127.0.0.1:50051", true],
    ["10.0.0.5:50051", true],
    ["ipv4:127.0.0.1:50051,127.0.0.1:60051", true],
    ["ipv6:[::1]:50051", true],
    ["dns:///127.0.0.1:50051", true],
    ["dns:///[::1]:50051", true],
    ["[::1]:50051", true],
    ["localhost:50051", false],
    ["heroes:50051", false],
    ["dns:///heroes.superheroes.svc.cluster.local:50051", false],
    ["dns://8.8.8.8/heroes:50051", false],
    ["unix:/run/heroes.sock", false],
  ];
  for (const [target, ip] of cases) {
    it(`${ip ? "finds" : "finds no"} IP address in ${target}`, () => assert.equal(targetHasIpAddress(target), ip));
  }
});

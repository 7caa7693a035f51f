import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createFileRegistry } from "@bufbuild/protobuf";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { file_superheroes_fight_v1_fight_service } from "../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { createTestClient } from "../../../testkit/grpc/grpc-test-client.js";
import { addReflection } from "./reflection.js";
import { startTestService, type TestService } from "../../../testkit/grpc/test-service.js";
import { reflect, type ReflectionVersion } from "../../../testkit/grpc/reflection-client.js";

const heroFile = "superheroes/hero/v1/hero_service.proto";
const versions: readonly ReflectionVersion[] = ["v1", "v1alpha"];

describe("server reflection", { timeout: 20_000 }, () => {
  let test: TestService;
  before(async () => {
    test = await startTestService();
  });
  after(() => test.close());

  for (const version of versions) {
    it(`${version}: lists the service, grpc.health.v1.Health and FaultService (every service serves it)`, async () => {
      const answer = await reflect(test.client, version, { listServices: "*" });
      assert.equal(answer.error, undefined);
      assert.deepEqual([...answer.services].sort(), [
        "grpc.health.v1.Health",
        "superheroes.fault.v1.FaultService",
        "superheroes.hero.v1.HeroService",
      ]);
    });

    it(`${version}: file_containing_symbol returns the service's file with its dependencies`, async () => {
      const answer = await reflect(test.client, version, { fileContainingSymbol: "superheroes.hero.v1.HeroService" });
      assert.equal(answer.error, undefined);
      // grpcurl needs every import to describe a message, so the imports come along.
      assert.deepEqual(answer.files.map((descriptor) => descriptor.name).sort(), [
        "google/protobuf/field_mask.proto",
        heroFile,
      ]);
      const file = answer.files.find((descriptor) => descriptor.name === heroFile);
      assert.equal(file?.package, "superheroes.hero.v1");
      assert.deepEqual(file?.dependency, ["google/protobuf/field_mask.proto"]);
      assert.deepEqual(
        file?.service.map((service) => service.name),
        ["HeroService"],
      );
      assert.deepEqual(
        file?.service[0]?.method.map((method) => method.name),
        [
          "GetRandomHero",
          "GetRandomHeroes",
          "GetHero",
          "BatchGetHeroes",
          "ListHeroes",
          "CreateHero",
          "UpdateHero",
          "DeleteHero",
        ],
      );
    });

    it(`${version}: returns descriptors that link on their own, as grpcurl describe needs`, async () => {
      const answer = await reflect(test.client, version, { fileContainingSymbol: "superheroes.hero.v1.HeroService" });
      // Like grpcurl: start from the service's file, resolve each declared import by name, link.
      const byName = new Map(answer.files.map((file) => [file.name, file]));
      const root = byName.get(heroFile);
      assert.ok(root);
      const registry = createFileRegistry(root, (name) => byName.get(name));
      const method = registry
        .getService("superheroes.hero.v1.HeroService")
        ?.methods.find((candidate) => candidate.name === "UpdateHero");
      assert.equal(method?.input.field.updateMask?.message?.typeName, "google.protobuf.FieldMask");
    });

    it(`${version}: returns a grpc.health.v1 descriptor that links on its own`, async () => {
      const answer = await reflect(test.client, version, { fileContainingSymbol: "grpc.health.v1.Health" });
      const [file] = answer.files;
      assert.ok(file);
      const registry = createFileRegistry(file, () => undefined);
      const check = registry
        .getService("grpc.health.v1.Health")
        ?.methods.find((candidate) => candidate.name === "Check");
      assert.equal(check?.input.typeName, "grpc.health.v1.HealthCheckRequest");
      assert.equal(check?.output.field.status?.enum?.typeName, "grpc.health.v1.HealthCheckResponse.ServingStatus");
    });

    it(`${version}: file_containing_symbol finds a message type`, async () => {
      const answer = await reflect(test.client, version, { fileContainingSymbol: "superheroes.hero.v1.Hero" });
      const file = answer.files.find((descriptor) => descriptor.name === heroFile);
      assert.ok(file?.messageType.some((message) => message.name === "Hero"));
    });

    it(`${version}: file_by_filename returns the file`, async () => {
      const answer = await reflect(test.client, version, { fileByFilename: "superheroes/hero/v1/hero_service.proto" });
      assert.equal(answer.error, undefined);
      assert.deepEqual(answer.files.map((descriptor) => descriptor.name).sort(), [
        "google/protobuf/field_mask.proto",
        heroFile,
      ]);
    });

    it(`${version}: answers NOT_FOUND for an unknown symbol`, async () => {
      const answer = await reflect(test.client, version, { fileContainingSymbol: "superheroes.hero.v1.Nope" });
      assert.deepEqual(answer.error, { errorCode: 5, errorMessage: "Symbol not found: superheroes.hero.v1.Nope" });
      assert.deepEqual(answer.files, []);
    });
  }

  it("lists only the services a port serves, not those of the files its contract imports", async (t) => {
    const server = new Server();
    addReflection(server, [file_superheroes_fight_v1_fight_service]);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    const client = createTestClient(port);
    t.after(() => {
      client.close();
      server.forceShutdown();
    });
    for (const version of versions) {
      const answer = await reflect(client, version, { listServices: "*" });
      assert.deepEqual([...answer.services].sort(), ["grpc.health.v1.Health", "superheroes.fight.v1.FightService"]);
      // The imported files' messages can still be described.
      const hero = await reflect(client, version, { fileContainingSymbol: "superheroes.hero.v1.Hero" });
      assert.equal(hero.error, undefined);
    }
  });
});

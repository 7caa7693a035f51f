import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { type ChannelCredentials, credentials, status as Status } from "@grpc/grpc-js";
import { FightService, Team } from "../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { HeroService } from "../../../gen/superheroes/hero/v1/hero_service_pb.js";
import { createPromiseClient, isServiceError } from "../../../services/platform/calls/grpc-client.js";
import { createTestCertificates, type TestCertificates } from "../../../testkit/certificates.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../../testkit/postgres.js";
import { recordOutcome } from "../../../testkit/load/outcomes.js";
import { startRefuser, type Refuser } from "../../../testkit/processes/refuser.js";
import { launchService, type ServiceProcess } from "../../../testkit/processes/service-processes.js";

// Two heroes processes, one with TLS and one with mutual TLS, and a fights process that reaches
// the second with its client certificate. Villains and locations are a listener that resets
// every connection: only the hero tells whether fights got through.
describe("TLS and mutual TLS between real processes", { timeout: 60_000 }, () => {
  let certificates: TestCertificates;
  let databases: ThrowawayDatabase[] = [];
  let refuser: Refuser;
  let tlsHeroes: ServiceProcess;
  let mtlsHeroes: ServiceProcess;
  let fights: ServiceProcess;
  const observed: string[] = [];

  before(
    async () => {
      [certificates, refuser, ...databases] = await Promise.all([
        createTestCertificates(),
        startRefuser(),
        ...[1, 2, 3].map(() => createThrowawayDatabase({ prefix: "resilience" })),
      ]);
      const serverTls = { HEROES_TLS_CERT_FILE: certificates.serverCert, HEROES_TLS_KEY_FILE: certificates.serverKey };
      [tlsHeroes, mtlsHeroes] = await Promise.all([
        launchService("heroes", { env: { HEROES_DATABASE_URL: databases[0]!.url, ...serverTls } }),
        launchService("heroes", {
          env: { HEROES_DATABASE_URL: databases[1]!.url, ...serverTls, HEROES_TLS_CLIENT_CA_FILE: certificates.caCert },
        }),
      ]);
      const down = `localhost:${refuser.port}`;
      fights = await launchService("fights", {
        env: {
          FIGHTS_DATABASE_URL: databases[2]!.url,
          // A DNS name, as TLS needs: Node refuses an IP address as TLS server name (fights/config.ts).
          FIGHTS_HEROES_TARGET: `localhost:${mtlsHeroes.grpcPort}`,
          FIGHTS_VILLAINS_TARGET: down,
          FIGHTS_LOCATIONS_TARGET: down,
          FIGHTS_UPSTREAM_TLS_CA_FILE: certificates.caCert,
          FIGHTS_UPSTREAM_TLS_CERT_FILE: certificates.clientCert,
          FIGHTS_UPSTREAM_TLS_KEY_FILE: certificates.clientKey,
        },
      });
    },
    { timeout: 45_000 },
  );
  after(async () => {
    await Promise.all([tlsHeroes?.kill(), mtlsHeroes?.kill(), fights?.kill()]);
    await refuser?.close();
    await Promise.all(databases.map((database) => database.drop()));
    await certificates?.remove();
    if (observed.length > 0) {
      recordOutcome({
        group: "security",
        what: "gRPC TLS and mutual TLS between processes (heroes server, fights client)",
        outcome: observed.join("; "),
      });
    }
  });

  const pem = (path: string) => readFileSync(path);
  const trustingCa = () => credentials.createSsl(pem(certificates.caCert));
  const randomHero = async (port: number, channel: ChannelCredentials) => {
    // A channel of its own per call (grpc-js shares subchannels between clients of one target);
    // the certificate's DNS name, not the IP, as TLS server name (RFC 6066).
    const channelOptions = { "grpc.use_local_subchannel_pool": 1, "grpc.ssl_target_name_override": "localhost" };
    const client = createPromiseClient(HeroService, `127.0.0.1:${port}`, { credentials: channel, channelOptions });
    try {
      return await client.methods.getRandomHero({}, { deadline: Date.now() + 3000 });
    } finally {
      client.close();
    }
  };
  const refusal = (port: number, channel: ChannelCredentials) =>
    randomHero(port, channel).then(
      () => assert.fail("the call succeeded"),
      (error: unknown) =>
        isServiceError(error) ? { code: error.code, details: error.details } : assert.fail(String(error)),
    );

  it("answers a client that trusts its CA, refuses a plaintext client", async () => {
    assert.ok((await randomHero(tlsHeroes.grpcPort, trustingCa())).hero?.name);
    const plaintext = await refusal(tlsHeroes.grpcPort, credentials.createInsecure());
    assert.equal(plaintext.code, Status.UNAVAILABLE, plaintext.details);
    assert.match(plaintext.details, /^No connection established\. Last error: Failed to connect/);
    observed.push(
      "TLS heroes: a client trusting the test CA gets a hero; a plaintext client UNAVAILABLE (no connection established)",
    );
  });

  it("with a client CA, refuses clients without a certificate or with one from another CA, accepts the CA's", async () => {
    const anonymous = await refusal(mtlsHeroes.grpcPort, trustingCa());
    assert.equal(anonymous.code, Status.UNAVAILABLE, anonymous.details);
    assert.match(anonymous.details, /^No connection established\. Last error: .*tlsv13 alert certificate required/);
    const stranger = await refusal(
      mtlsHeroes.grpcPort,
      credentials.createSsl(pem(certificates.caCert), pem(certificates.strangerKey), pem(certificates.strangerCert)),
    );
    assert.equal(stranger.code, Status.UNAVAILABLE, stranger.details);
    assert.match(stranger.details, /^No connection established\. Last error: /);
    const signed = await randomHero(
      mtlsHeroes.grpcPort,
      credentials.createSsl(pem(certificates.caCert), pem(certificates.clientKey), pem(certificates.clientCert)),
    );
    assert.ok(signed.hero?.name);
    observed.push(
      "mutual TLS heroes: no client certificate UNAVAILABLE (TLS alert certificate required), another CA's certificate UNAVAILABLE (handshake refused), the test CA's gets a hero",
    );
  });

  it("lets fights reach the mutual-TLS heroes with its client certificate: real heroes, no fallback", async () => {
    const client = createPromiseClient(FightService, `127.0.0.1:${fights.grpcPort}`);
    try {
      const results = [];
      for (let i = 0; i < 5; i += 1)
        results.push(await client.methods.performRandomFight({}, { deadline: Date.now() + 5000 }));
      const heroes = results.map(({ fight }) =>
        [fight?.winner, fight?.loser].find((combatant) => combatant?.team === Team.HEROES),
      );
      assert.deepEqual(
        heroes.map((hero) => hero?.fallback),
        [false, false, false, false, false],
      );
      const status = await client.methods.getUpstreamStatus({}, { deadline: Date.now() + 3000 });
      const upstream = status.upstreams.find((candidate) => candidate.name === "heroes");
      assert.deepEqual(
        { state: upstream?.channelState, failures: upstream?.failures },
        { state: "READY", failures: 0n },
      );
      observed.push(`fights with FIGHTS_UPSTREAM_TLS_CA_FILE/CERT/KEY: 5 of 5 fights with real heroes over mutual TLS`);
    } finally {
      client.close();
    }
  });
});

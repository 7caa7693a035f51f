import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { ConfigError, createEnvReader } from "./env-reader.js";
import { createTestCertificates, type TestCertificates } from "../../../testkit/certificates.js";
import { clientTlsFromEnv, serverTlsFromEnv } from "./tls-config.js";

describe("TLS settings from the environment", { timeout: 30_000 }, () => {
  let certs: TestCertificates;
  before(async () => (certs = await createTestCertificates()));
  after(() => certs.remove());
  const server = (env: Record<string, string>) => serverTlsFromEnv(createEnvReader(env), "HEROES");
  const client = (env: Record<string, string>) => clientTlsFromEnv(createEnvReader(env), "FIGHTS_UPSTREAM_TLS");

  it("is plaintext when nothing is set", () => {
    assert.equal(server({}), undefined);
    assert.equal(client({}), undefined);
  });

  it("reads the server key pair and the client CA that turns on mutual TLS", async () => {
    const tls = server({
      HEROES_TLS_CERT_FILE: certs.serverCert,
      HEROES_TLS_KEY_FILE: certs.serverKey,
      HEROES_TLS_CLIENT_CA_FILE: certs.caCert,
    });
    assert.deepEqual(tls, {
      cert: await readFile(certs.serverCert),
      key: await readFile(certs.serverKey),
      clientCa: await readFile(certs.caCert),
    });
  });

  it("reads the client CA and client key pair", async () => {
    const tls = client({
      FIGHTS_UPSTREAM_TLS_CA_FILE: certs.caCert,
      FIGHTS_UPSTREAM_TLS_CERT_FILE: certs.clientCert,
      FIGHTS_UPSTREAM_TLS_KEY_FILE: certs.clientKey,
    });
    assert.deepEqual(tls, {
      ca: await readFile(certs.caCert),
      keyPair: { cert: await readFile(certs.clientCert), key: await readFile(certs.clientKey) },
    });
  });

  const refused: {
    what: string;
    env: () => Record<string, string>;
    read: "server" | "client";
    variable: string;
    message: () => string;
  }[] = [
    {
      what: "a certificate without a key",
      read: "server",
      env: () => ({ HEROES_TLS_CERT_FILE: certs.serverCert }),
      variable: "HEROES_TLS_KEY_FILE",
      message: () => "HEROES_TLS_KEY_FILE: must be set together with HEROES_TLS_CERT_FILE",
    },
    {
      what: "a key without a certificate",
      read: "server",
      env: () => ({ HEROES_TLS_KEY_FILE: certs.serverKey }),
      variable: "HEROES_TLS_CERT_FILE",
      message: () => "HEROES_TLS_CERT_FILE: must be set together with HEROES_TLS_KEY_FILE",
    },
    {
      what: "a missing certificate file",
      read: "server",
      env: () => ({ HEROES_TLS_CERT_FILE: "/nonexistent/server.crt", HEROES_TLS_KEY_FILE: certs.serverKey }),
      variable: "HEROES_TLS_CERT_FILE",
      message: () => 'HEROES_TLS_CERT_FILE: cannot read "/nonexistent/server.crt" (ENOENT)',
    },
    {
      what: "a key in place of the certificate",
      read: "server",
      env: () => ({ HEROES_TLS_CERT_FILE: certs.serverKey, HEROES_TLS_KEY_FILE: certs.serverKey }),
      variable: "HEROES_TLS_CERT_FILE",
      message: () => `HEROES_TLS_CERT_FILE: "${certs.serverKey}" is not a PEM certificate`,
    },
    {
      what: "a certificate in place of the key",
      read: "server",
      env: () => ({ HEROES_TLS_CERT_FILE: certs.serverCert, HEROES_TLS_KEY_FILE: certs.serverCert }),
      variable: "HEROES_TLS_KEY_FILE",
      message: () => `HEROES_TLS_KEY_FILE: "${certs.serverCert}" is not a PEM private key`,
    },
    {
      what: "the key of another certificate",
      read: "server",
      env: () => ({ HEROES_TLS_CERT_FILE: certs.serverCert, HEROES_TLS_KEY_FILE: certs.clientKey }),
      variable: "HEROES_TLS_KEY_FILE",
      message: () =>
        `HEROES_TLS_KEY_FILE: "${certs.clientKey}" is not the key of the certificate in HEROES_TLS_CERT_FILE`,
    },
    {
      what: "a client CA without a server key pair",
      read: "server",
      env: () => ({ HEROES_TLS_CLIENT_CA_FILE: certs.caCert }),
      variable: "HEROES_TLS_CLIENT_CA_FILE",
      message: () =>
        "HEROES_TLS_CLIENT_CA_FILE: needs HEROES_TLS_CERT_FILE and HEROES_TLS_KEY_FILE (mutual TLS is TLS first)",
    },
    {
      what: "a client CA that is a directory",
      read: "server",
      env: () => ({
        HEROES_TLS_CERT_FILE: certs.serverCert,
        HEROES_TLS_KEY_FILE: certs.serverKey,
        HEROES_TLS_CLIENT_CA_FILE: certs.dir,
      }),
      variable: "HEROES_TLS_CLIENT_CA_FILE",
      message: () => `HEROES_TLS_CLIENT_CA_FILE: cannot read "${certs.dir}" (EISDIR)`,
    },
    {
      what: "a client key pair without a CA",
      read: "client",
      env: () => ({ FIGHTS_UPSTREAM_TLS_CERT_FILE: certs.clientCert, FIGHTS_UPSTREAM_TLS_KEY_FILE: certs.clientKey }),
      variable: "FIGHTS_UPSTREAM_TLS_CA_FILE",
      message: () =>
        "FIGHTS_UPSTREAM_TLS_CA_FILE: must be set to use FIGHTS_UPSTREAM_TLS_CERT_FILE (the CA that signs the servers' certificates)",
    },
  ];
  for (const { what, env, read, variable, message } of refused) {
    it(`refuses ${what}, naming ${variable}`, () => {
      assert.throws(
        () => (read === "server" ? server(env()) : client(env())),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.deepEqual({ variable: error.variable, message: error.message }, { variable, message: message() });
          return true;
        },
      );
    });
  }
});

import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Paths of throw-away PEM files made by `createTestCertificates`. */
export interface TestCertificates {
  dir: string;
  /** The test CA that signs everything below. */
  caCert: string;
  /** Server certificate for `localhost` and `127.0.0.1`, and its key. */
  serverCert: string;
  serverKey: string;
  /** Client certificate (CN fights) signed by the test CA, and its key. */
  clientCert: string;
  clientKey: string;
  /** A client certificate signed by another CA, which the servers must refuse. */
  strangerCert: string;
  strangerKey: string;
  /** Deletes the folder. */
  remove(): Promise<void>;
}

/**
 * A CA, a server and two client key pairs made with `openssl` in a new temp folder, valid for a
 * day: tests never commit keys. EC P-256 keys, so this takes a fraction of a second.
 */
export async function createTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), "superheroes-tls-"));
  const path = (name: string) => join(dir, name);
  await selfSigned(dir, "ca", "superheroes test CA");
  await selfSigned(dir, "stranger-ca", "stranger CA");
  await writeFile(path("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  await writeFile(path("client.ext"), "extendedKeyUsage=clientAuth\n");
  await signed(dir, { name: "server", commonName: "localhost", ca: "ca", extensions: "server.ext" });
  await signed(dir, { name: "client", commonName: "fights", ca: "ca", extensions: "client.ext" });
  await signed(dir, { name: "stranger", commonName: "stranger", ca: "stranger-ca", extensions: "client.ext" });
  return {
    dir,
    caCert: path("ca.crt"),
    serverCert: path("server.crt"),
    serverKey: path("server.key"),
    clientCert: path("client.crt"),
    clientKey: path("client.key"),
    strangerCert: path("stranger.crt"),
    strangerKey: path("stranger.key"),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

async function selfSigned(dir: string, name: string, commonName: string): Promise<void> {
  await run(
    "openssl",
    [
      "req",
      "-x509",
      ...ecKey,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.crt`,
      "-days",
      "1",
      "-subj",
      `/CN=${commonName}`,
    ],
    { cwd: dir },
  );
}

async function signed(
  dir: string,
  options: { name: string; commonName: string; ca: string; extensions: string },
): Promise<void> {
  const { name, ca } = options;
  await run(
    "openssl",
    ["req", "-new", ...ecKey, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${options.commonName}`],
    { cwd: dir },
  );
  await run(
    "openssl",
    [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${ca}.crt`,
      "-CAkey",
      `${ca}.key`,
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "1",
      "-extfile",
      options.extensions,
    ],
    { cwd: dir },
  );
}

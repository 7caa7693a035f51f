import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError, type EnvReader } from "./env-reader.js";

/** A certificate and its private key, PEM, read from files at start-up. */
export interface KeyPair {
  cert: Buffer;
  key: Buffer;
}

/** TLS of a listener: its key pair, and the CA that signs client certificates when mutual TLS is on. */
export interface ServerTls extends KeyPair {
  /** When set, clients must present a certificate signed by this CA (mutual TLS). */
  clientCa: Buffer | undefined;
}

/** TLS of a client channel: the CA that signs the server's certificate, and an optional client key pair. */
export interface ClientTls {
  ca: Buffer;
  /** Presented to servers that require client certificates (mutual TLS). */
  keyPair: KeyPair | undefined;
}

/**
 * Server TLS from `<prefix>_TLS_CERT_FILE` and `<prefix>_TLS_KEY_FILE` (both or neither), plus
 * `<prefix>_TLS_CLIENT_CA_FILE` to require client certificates. Undefined (plaintext, the local
 * default) when none is set. Unreadable files, non-PEM content or a key that does not match the
 * certificate are a ConfigError naming the variable.
 */
export function serverTlsFromEnv(env: EnvReader, prefix: string): ServerTls | undefined {
  const keyPair = keyPairFromEnv(env, `${prefix}_TLS`);
  const caName = `${prefix}_TLS_CLIENT_CA_FILE`;
  if (keyPair === undefined) {
    if (env.optionalString(caName) !== undefined)
      throw new ConfigError(
        caName,
        `needs ${prefix}_TLS_CERT_FILE and ${prefix}_TLS_KEY_FILE (mutual TLS is TLS first)`,
      );
    return undefined;
  }
  return { ...keyPair, clientCa: optionalCertificate(env, caName) };
}

/**
 * Client TLS from `<prefix>_CA_FILE` (turns TLS on) and `<prefix>_CERT_FILE`/`<prefix>_KEY_FILE`
 * (a client certificate for mutual TLS). Undefined (plaintext) when none is set.
 */
export function clientTlsFromEnv(env: EnvReader, prefix: string): ClientTls | undefined {
  const ca = optionalCertificate(env, `${prefix}_CA_FILE`);
  const keyPair = keyPairFromEnv(env, prefix);
  if (ca === undefined && keyPair !== undefined)
    throw new ConfigError(
      `${prefix}_CA_FILE`,
      `must be set to use ${prefix}_CERT_FILE (the CA that signs the servers' certificates)`,
    );
  return ca === undefined ? undefined : { ca, keyPair };
}

/** `<prefix>_CERT_FILE` and `<prefix>_KEY_FILE`, both or neither, checked to belong together. */
export function keyPairFromEnv(env: EnvReader, prefix: string): KeyPair | undefined {
  const certName = `${prefix}_CERT_FILE`;
  const keyName = `${prefix}_KEY_FILE`;
  const [certPath, keyPath] = [env.optionalString(certName), env.optionalString(keyName)];
  if (certPath === undefined && keyPath === undefined) return undefined;
  if (certPath === undefined) throw new ConfigError(certName, `must be set together with ${keyName}`);
  if (keyPath === undefined) throw new ConfigError(keyName, `must be set together with ${certName}`);
  const cert = readPem(certName, certPath);
  const key = readPem(keyName, keyPath);
  const certificate = parseCertificate(certName, certPath, cert);
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new ConfigError(keyName, `"${keyPath}" is not a PEM private key`);
  }
  if (!certificate.checkPrivateKey(privateKey))
    throw new ConfigError(keyName, `"${keyPath}" is not the key of the certificate in ${certName}`);
  return { cert, key };
}

function optionalCertificate(env: EnvReader, name: string): Buffer | undefined {
  const path = env.optionalString(name);
  if (path === undefined) return undefined;
  const pem = readPem(name, path);
  parseCertificate(name, path, pem);
  return pem;
}

function readPem(name: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error: unknown) {
    const code = (error as { code?: unknown }).code;
    throw new ConfigError(name, `cannot read "${path}" (${typeof code === "string" ? code : "unreadable"})`);
  }
}

function parseCertificate(name: string, path: string, pem: Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new ConfigError(name, `"${path}" is not a PEM certificate`);
  }
}

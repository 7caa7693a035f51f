import { type ChannelCredentials, credentials, ServerCredentials } from "@grpc/grpc-js";
import type { ClientTls, ServerTls } from "../config/tls-config.js";

/**
 * grpc-js server credentials: TLS with the key pair, requiring a client certificate signed by
 * `clientCa` when one is set (mutual TLS); plaintext h2c when `tls` is undefined.
 */
export function serverCredentialsFromTls(tls: ServerTls | undefined): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    tls.clientCa ?? null,
    [{ cert_chain: tls.cert, private_key: tls.key }],
    tls.clientCa !== undefined,
  );
}

/**
 * grpc-js channel credentials: TLS trusting `ca`, presenting the client key pair when set;
 * plaintext when `tls` is undefined.
 */
export function channelCredentialsFromTls(tls: ClientTls | undefined): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure();
  return credentials.createSsl(tls.ca, tls.keyPair?.key ?? null, tls.keyPair?.cert ?? null);
}

import { timingSafeEqual } from "node:crypto";
import type { CallerCredentials } from "../core/call-context.js";
import { PermissionDeniedError, UnauthenticatedError } from "../core/errors.js";

/** The admin rules of one service: its token, and the variable that sets it (for messages). */
export interface AdminAccessRule {
  /** `<SERVICE>_ADMIN_TOKEN`; undefined: no token, so only loopback callers are admitted. */
  token: string | undefined;
  /** The variable's name, e.g. `HEROES_ADMIN_TOKEN`. */
  tokenVariable: string;
}

/**
 * The admin rules, written once for the admin port and for admin RPCs: with a token set, every
 * caller must send `authorization: Bearer <token>`, wherever it calls from; without one, only
 * callers on this machine (loopback) are admitted, as the admin port binds loopback only without
 * a token. Throws UnauthenticatedError or PermissionDeniedError naming what to set.
 */
export function checkAdminAccess(caller: CallerCredentials | undefined, rule: AdminAccessRule, what: string): void {
  if (rule.token !== undefined) {
    if (!bearerMatches(caller?.authorization, rule.token)) {
      throw new UnauthenticatedError(
        `${what} needs the admin token: send "authorization: Bearer <token>" with the value of ${rule.tokenVariable}`,
      );
    }
    return;
  }
  if (caller?.address === undefined || !isLoopbackAddress(caller.address)) {
    throw new PermissionDeniedError(
      `${what} is allowed from this machine only while ${rule.tokenVariable} is unset; ` +
        `set ${rule.tokenVariable} and send "authorization: Bearer <token>" to call it from ${caller?.address ?? "elsewhere"}`,
    );
  }
}

/** Whether an `authorization` value is `Bearer <token>`, compared in constant time. */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  if (authorization === undefined) return false;
  const sent = Buffer.from(authorization);
  const expected = Buffer.from(`Bearer ${token}`);
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}

/**
 * The caller's address for the admin rules: the socket's peer, unless a proxy forwarded the call
 * (`forwarded` / `x-forwarded-for` present): then the address it names, marked as forwarded, so a
 * proxy on this machine cannot make a remote caller look local. The headers only ever take trust
 * away: a remote peer stays remote whatever it sends.
 */
export function callerAddress(peer: string | undefined, forwardedFor: string | undefined): string | undefined {
  if (forwardedFor === undefined) return peer;
  const client = forwardedFor.split(",")[0]?.trim().replace(/^for=/i, "") || "unknown";
  return `${client} (forwarded by ${peer ?? "unknown"})`;
}

/** Whether a peer's IP address is this machine's loopback (IPv4, IPv6 or IPv4-mapped IPv6). */
export function isLoopbackAddress(address: string): boolean {
  const plain = address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
  return plain === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
}

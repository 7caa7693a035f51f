import { UnavailableError } from "../core/errors.js";

/**
 * The one place where database failures become domain errors: every repository is wrapped by
 * `withDatabaseErrors`, so services never see a driver error for a lost database.
 */

// Node socket errors, and PostgreSQL SQLSTATEs for a server that is going away (57P0x), a broken
// connection (08xxx), a database that is gone (3D000) or full (53300): all worth a retry later.
const connectionErrorCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "3D000",
  "53300",
]);

function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && connectionErrorCodes.has(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i.test(
    error.message,
  );
}

/** Turns a failure to reach the database into UnavailableError; other errors pass unchanged. */
export function unavailableIfDisconnected(error: unknown): unknown {
  return isConnectionError(error) ? new UnavailableError("database unavailable; retry later") : error;
}

/** Maps a repository error that means something to the domain (a taken name); undefined: not one. */
export type RepositoryErrorMapper = (error: unknown, method: string, args: readonly unknown[]) => Error | undefined;

/**
 * `repository` with every async method's failures mapped: first by `mapError` (repository-specific
 * rules), then a lost database to UnavailableError.
 */
export function withDatabaseErrors<R extends object>(repository: R, mapError?: RepositoryErrorMapper): R {
  const wrapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(repository)) {
    if (typeof member !== "function") {
      wrapped[name] = member;
      continue;
    }
    const method = member as (...args: unknown[]) => Promise<unknown>;
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await method.apply(repository, args);
      } catch (error: unknown) {
        throw mapError?.(error, name, args) ?? unavailableIfDisconnected(error);
      }
    };
  }
  return wrapped as R;
}

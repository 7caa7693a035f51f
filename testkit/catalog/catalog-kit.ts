import assert from "node:assert/strict";
import type { status as Status } from "@grpc/grpc-js";
import { isServiceError } from "../../services/platform/calls/grpc-client.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../postgres.js";

/** A database a catalog service under test runs on. */
export interface TestDatabase {
  /** Environment entries that point service `prefix` at this database. */
  env(prefix: string): Record<string, string>;
  /** The throw-away PostgreSQL database; undefined for PGlite. */
  postgres: ThrowawayDatabase | undefined;
  close(): Promise<void>;
}

/** One dialect the catalog suites run on. */
export interface DatabaseVariant {
  name: "PostgreSQL" | "PGlite";
  open(): Promise<TestDatabase>;
}

/** Every suite runs once per variant: real PostgreSQL (a throw-away database) and in-memory PGlite. */
export const databaseVariants: readonly DatabaseVariant[] = [
  {
    name: "PostgreSQL",
    async open() {
      const postgres = await createThrowawayDatabase({ prefix: "catalog_test" });
      return {
        env: (prefix) => ({ [`${prefix}_DATABASE_URL`]: postgres.url }),
        postgres,
        close: () => postgres.drop(),
      };
    },
  },
  { name: "PGlite", open: async () => ({ env: () => ({}), postgres: undefined, close: async () => {} }) },
];

/** Environment of a service under test: ephemeral ports, quiet logs, no seeding unless asked. */
export function testEnv(
  prefix: string,
  database: TestDatabase,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    [`${prefix}_GRPC_PORT`]: "0",
    [`${prefix}_ADMIN_PORT`]: "0",
    [`${prefix}_GRPC_HOST`]: "127.0.0.1",
    [`${prefix}_SEED`]: "false",
    LOG_LEVEL: "silent",
    ...database.env(prefix),
    ...extra,
  };
}

/** Asserts that `call` fails with exactly `code` and `details`. */
export async function assertStatus(call: Promise<unknown>, code: Status, details: string): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(isServiceError(error), `expected a gRPC error, got ${String(error)}`);
    assert.deepEqual({ code: error.code, details: error.details }, { code, details });
    return true;
  });
}

/** Every item of a paged listing, following `next_page_token` until it is empty. */
export async function collectPages<I>(
  fetchPage: (pageToken: string) => Promise<{ items: I[]; nextPageToken: string }>,
  maxPages = 1000,
): Promise<I[][]> {
  const pages: I[][] = [];
  let token = "";
  do {
    const page = await fetchPage(token);
    pages.push(page.items);
    token = page.nextPageToken;
    assert.ok(pages.length <= maxPages, "listing did not end");
  } while (token !== "");
  return pages;
}

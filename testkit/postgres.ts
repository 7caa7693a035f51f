import { randomBytes } from "node:crypto";
import pg from "pg";

/** The shared test cluster: PostgreSQL on 127.0.0.1:5432, trust auth, user postgres. */
export const defaultAdminUrl = "postgresql://postgres@127.0.0.1:5432/postgres";

/** A database that exists only for one test suite. */
export interface ThrowawayDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Its name (`test_<hex>`), e.g. for `pg_terminate_backend` by `datname`. */
  name: string;
  /** Ends every connection to it and drops it. Idempotent. */
  drop(): Promise<void>;
}

/** Options of `createThrowawayDatabase`. */
export interface ThrowawayDatabaseOptions {
  /** A database on the cluster to connect to for CREATE/DROP DATABASE; `defaultAdminUrl` by default. */
  adminUrl?: string;
  /** Name prefix, letters/digits/underscore only; `test` by default. */
  prefix?: string;
}

/**
 * Creates an empty database with a random name on the test cluster. Call `drop()` in an
 * `after` hook; it forces out connections still open (PostgreSQL 13+ `WITH (FORCE)`).
 */
export async function createThrowawayDatabase(options: ThrowawayDatabaseOptions = {}): Promise<ThrowawayDatabase> {
  const adminUrl = options.adminUrl ?? defaultAdminUrl;
  const prefix = options.prefix ?? "test";
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(prefix))
    throw new Error(`prefix "${prefix}" must be lower-case letters, digits and underscores`);
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await runAdmin(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    drop: () => (dropped ??= runAdmin(adminUrl, `drop database if exists ${name} with (force)`).then(() => undefined)),
  };
}

/** Runs one statement as the cluster's admin connection (e.g. `pg_terminate_backend`). */
export async function runAdmin(
  adminUrl: string,
  statement: string,
  parameters: readonly unknown[] = [],
): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await client.query(statement, [...parameters]);
  } finally {
    await client.end();
  }
}

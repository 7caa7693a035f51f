import { status as Status } from "@grpc/grpc-js";

/** The slice of a catalog service's RPCs the bad-input tables call, for any of the three. */
export interface CatalogCalls {
  /** heroes, villains, locations. */
  plural: string;
  /** hero, villain, location. */
  singular: string;
  getRandoms(count: number): Promise<unknown>;
  get(id: bigint): Promise<unknown>;
  delete(id: bigint): Promise<unknown>;
  list(request: {
    pageSize?: number;
    pageToken?: string;
    nameFilter?: string;
  }): Promise<{ names: string[]; nextPageToken: string }>;
  /** Creates an item named `name` (other fields valid); resolves with its stored id and name. */
  create(name: string): Promise<{ id: bigint; name: string }>;
}

/** One refused request and exactly how. */
export interface RefusedCase {
  what: string;
  call(calls: CatalogCalls): Promise<unknown>;
  code: Status;
  details: (calls: CatalogCalls) => string;
}

const notIssued =
  "page_token: is not a token this server issued; pass next_page_token from the previous response, or empty for the first page";
const token = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * Combinations the per-service tables (services/heroes/heroes-invalid-cases.ts, villains and
 * locations tests) do not have: extreme counts and page sizes, ids past every stored one,
 * forged tokens of other shapes, and names the database cannot store.
 */
export const refusedCatalogCases: readonly RefusedCase[] = [
  {
    what: "count 2147483647",
    call: (c) => c.getRandoms(2_147_483_647),
    code: Status.INVALID_ARGUMENT,
    details: () => "count: must be from 1 to 1000, got 2147483647",
  },
  {
    what: "count -2147483648",
    call: (c) => c.getRandoms(-2_147_483_648),
    code: Status.INVALID_ARGUMENT,
    details: () => "count: must be from 1 to 1000, got -2147483648",
  },
  {
    what: "page_size 2147483647",
    call: (c) => c.list({ pageSize: 2_147_483_647 }),
    code: Status.INVALID_ARGUMENT,
    details: () => "page_size: must be from 0 to 100 (0 means 20), got 2147483647",
  },
  {
    what: "page_size -2147483648",
    call: (c) => c.list({ pageSize: -2_147_483_648 }),
    code: Status.INVALID_ARGUMENT,
    details: () => "page_size: must be from 0 to 100 (0 means 20), got -2147483648",
  },
  {
    what: "page_token of random bytes",
    call: (c) => c.list({ pageToken: "3q2-7wAA_w" }),
    code: Status.INVALID_ARGUMENT,
    details: () => notIssued,
  },
  {
    what: "page_token of 10 kB",
    call: (c) => c.list({ pageToken: "A".repeat(10_000) }),
    code: Status.INVALID_ARGUMENT,
    details: () => notIssued,
  },
  {
    what: "page_token with a fractional key",
    call: (c) => c.list({ pageToken: token({ v: 1, k: 1.5, f: "" }) }),
    code: Status.INVALID_ARGUMENT,
    details: () => notIssued,
  },
  {
    what: "page_token with a key past 2^53",
    call: (c) => c.list({ pageToken: token({ v: 1, k: 2 ** 60, f: "" }) }),
    code: Status.INVALID_ARGUMENT,
    details: () => notIssued,
  },
  {
    what: "page_token of another version",
    call: (c) => c.list({ pageToken: token({ v: 2, k: 1, f: "" }) }),
    code: Status.INVALID_ARGUMENT,
    details: () => notIssued,
  },
  {
    what: "name_filter with a quote and a percent, 51 characters",
    call: (c) => c.list({ nameFilter: `'%${"x".repeat(49)}` }),
    code: Status.INVALID_ARGUMENT,
    details: () => "name_filter: must be at most 50 characters, got 51",
  },
  {
    what: "get of an unknown id",
    call: (c) => c.get(123_456n),
    code: Status.NOT_FOUND,
    details: (c) => `${c.singular} 123456 not found`,
  },
  {
    what: "get of id 2147483648 (past the integer column)",
    call: (c) => c.get(2_147_483_648n),
    code: Status.NOT_FOUND,
    details: (c) => `${c.singular} 2147483648 not found`,
  },
  {
    what: "get of id 2^53 (past every stored id)",
    call: (c) => c.get(2n ** 53n),
    code: Status.NOT_FOUND,
    details: (c) => `${c.singular} 9007199254740992 not found`,
  },
  {
    what: "get of id 2^63-1 (int64's largest: named exactly, not rounded to a double)",
    call: (c) => c.get(2n ** 63n - 1n),
    code: Status.NOT_FOUND,
    details: (c) => `${c.singular} 9223372036854775807 not found`,
  },
  {
    what: "get of id -2147483649",
    call: (c) => c.get(-2_147_483_649n),
    code: Status.INVALID_ARGUMENT,
    details: () => "id: must be greater than 0, got -2147483649",
  },
  {
    what: "delete of an unknown id",
    call: (c) => c.delete(123_456n),
    code: Status.NOT_FOUND,
    details: (c) => `${c.singular} 123456 not found`,
  },
  {
    what: "name of 51 emoji (counted as characters, not bytes)",
    call: (c) => c.create("🦸".repeat(51)),
    code: Status.INVALID_ARGUMENT,
    details: (c) => `${c.singular}.name: must be 3 to 50 characters, got 51`,
  },
  {
    what: "name with a NUL character",
    call: (c) => c.create("Nul\u0000Man"),
    code: Status.INVALID_ARGUMENT,
    details: (c) => `${c.singular}.name: must not contain the NUL character (U+0000)`,
  },
  {
    what: "name_filter with a NUL character",
    call: (c) => c.list({ nameFilter: "a\u0000" }),
    code: Status.INVALID_ARGUMENT,
    details: () => "name_filter: must not contain the NUL character (U+0000)",
  },
];

/** Names stored and found verbatim: SQL metacharacters, LIKE wildcards, quotes, unicode. */
export const verbatimNames: readonly string[] = [
  "Robert'); DROP TABLE heroes;--",
  "50% Man_of \\Steel\\",
  'Mr. "Quote" O\'Neil',
  "Ünïcødé 漢字 🦸‍♀️",
  "🦸".repeat(50),
];

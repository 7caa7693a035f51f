import { InvalidArgumentError, NotFoundError } from "../core/errors.js";
import type { CatalogRepository } from "./catalog-repository.js";
import { fieldEntries, type CatalogInput, type CatalogItem, type CatalogSpec } from "./catalog-spec.js";
import { atMostCharacters, fieldProblem } from "./field-checks.js";
import { decodePageToken, encodePageToken } from "../core/page-token.js";

/** Most items one batch call returns or looks up. */
export const maxBatchSize = 1000;
/** Largest `page_size`; 0 asks for `defaultPageSize`. */
export const maxPageSize = 100;
export const defaultPageSize = 20;
/** Longest `name_filter`, in characters. */
export const maxNameFilterLength = 50;
/** Largest id a row can have (PostgreSQL `integer`); larger ids are simply not found. */
export const largestStoredId = 2_147_483_647;

/** A ListX request in domain terms. */
export interface ListRequest {
  /** 0..maxPageSize; 0 means defaultPageSize. */
  pageSize: number;
  /** Empty for the first page. */
  pageToken: string;
  nameFilter: string;
}

/** One page and the token of the next (empty on the last page). */
export interface ListPage<T> {
  items: T[];
  nextPageToken: string;
}

/**
 * The protocol-free operations of a catalog: checks inputs, names fields in errors, and knows
 * nothing about gRPC (the repository maps database failures to domain errors). Field paths use the
 * proto names (`hero.other_name`, `update_mask.paths[0]`) so messages match what the caller sent.
 */
export interface CatalogService<T extends CatalogItem> {
  /** NotFoundError when the catalog is empty. */
  randomOne(): Promise<T>;
  /** `count` (1..maxBatchSize) distinct items, or all when fewer exist. */
  randomMany(count: number): Promise<T[]>;
  /** Ids are int64 as the contract has them (exact in messages); only those up to `largestStoredId` can exist. */
  get(id: bigint): Promise<T>;
  /** 1..maxBatchSize ids; duplicates looked up once; found items in request order. */
  batchGet(ids: readonly bigint[]): Promise<{ items: T[]; missingIds: bigint[] }>;
  list(request: ListRequest): Promise<ListPage<T>>;
  create(input: CatalogInput<T>): Promise<T>;
  /** Changes the fields named by `maskPaths` (proto names), all of them when empty. */
  update(id: bigint, input: CatalogInput<T>, maskPaths: readonly string[]): Promise<T>;
  delete(id: bigint): Promise<void>;
}

/** The service of `spec` over `repository`. */
export function createCatalogService<T extends CatalogItem>(
  repository: CatalogRepository<T>,
  spec: CatalogSpec<T>,
): CatalogService<T> {
  const { singular, plural } = spec;
  const notFound = (id: bigint) => new NotFoundError(`${singular} ${id} not found`);
  const validate = (input: CatalogInput<T>, keys: ReadonlyArray<keyof CatalogInput<T>>) => {
    for (const key of keys) {
      const field = spec.fields[key];
      const problem = fieldProblem(field.check, input[key]);
      if (problem !== undefined) throw new InvalidArgumentError(`${singular}.${field.column}`, problem);
    }
  };
  const allKeys = fieldEntries(spec).map(([key]) => key);

  return {
    async randomOne() {
      const item = await repository.randomOne();
      if (item === undefined) throw new NotFoundError(`no ${plural} stored; create one first`);
      return item;
    },
    async randomMany(count) {
      if (!Number.isInteger(count) || count < 1 || count > maxBatchSize)
        throw new InvalidArgumentError("count", `must be from 1 to ${maxBatchSize}, got ${count}`);
      return repository.randomMany(count);
    },
    async get(id) {
      checkId("id", id);
      const item = storable(id) ? await repository.get(Number(id)) : undefined;
      if (item === undefined) throw notFound(id);
      return item;
    },
    async batchGet(ids) {
      if (ids.length < 1 || ids.length > maxBatchSize)
        throw new InvalidArgumentError("ids", `must hold 1 to ${maxBatchSize} ids, got ${ids.length}`);
      ids.forEach((id, index) => checkId(`ids[${index}]`, id));
      const unique = [...new Set(ids)];
      const stored = unique.filter(storable).map(Number);
      const byId = new Map((await repository.getMany(stored)).map((item) => [item.id, item]));
      const found = (id: bigint) => (storable(id) ? byId.get(Number(id)) : undefined);
      return {
        items: unique.flatMap((id) => found(id) ?? []),
        missingIds: unique.filter((id) => found(id) === undefined),
      };
    },
    async list(request) {
      const { pageSize, pageToken, nameFilter } = request;
      if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > maxPageSize) {
        throw new InvalidArgumentError(
          "page_size",
          `must be from 0 to ${maxPageSize} (0 means ${defaultPageSize}), got ${pageSize}`,
        );
      }
      const filterProblem = fieldProblem(atMostCharacters(maxNameFilterLength), nameFilter);
      if (filterProblem !== undefined) throw new InvalidArgumentError("name_filter", filterProblem);
      const afterKey = decodePageToken(pageToken, nameFilter) ?? 0n;
      // Stored ids are PostgreSQL integers: a key past the largest one has nothing after it.
      const afterId = afterKey >= BigInt(largestStoredId) ? largestStoredId : Number(afterKey);
      const limit = pageSize === 0 ? defaultPageSize : pageSize;
      // One extra row tells whether another page exists, so the last page has no token.
      const rows = afterId >= largestStoredId ? [] : await repository.list({ afterId, limit: limit + 1, nameFilter });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      const nextPageToken = rows.length > limit && last !== undefined ? encodePageToken(last.id, nameFilter) : "";
      return { items, nextPageToken };
    },
    async create(input) {
      validate(input, allKeys);
      return repository.create(input);
    },
    async update(id, input, maskPaths) {
      checkId(`${singular}.id`, id);
      const keys = maskPaths.length === 0 ? allKeys : maskPaths.map((path, index) => keyOfPath(path, index));
      validate(input, keys);
      const item = storable(id) ? await repository.update(Number(id), input, keys) : undefined;
      if (item === undefined) throw notFound(id);
      return item;
    },
    async delete(id) {
      checkId("id", id);
      if (!storable(id) || !(await repository.delete(Number(id)))) throw notFound(id);
    },
  };

  function keyOfPath(path: string, index: number): keyof CatalogInput<T> {
    const entry = fieldEntries(spec).find(([, field]) => field.column === path);
    if (entry === undefined) {
      const allowed = fieldEntries(spec)
        .map(([, field]) => field.column)
        .join(", ");
      throw new InvalidArgumentError(`update_mask.paths[${index}]`, `unknown field "${path}"; allowed: ${allowed}`);
    }
    return entry[0];
  }
}

function checkId(field: string, id: bigint): void {
  // Ids beyond any stored id (the proto allows int64) are valid requests that find nothing.
  if (id < 1n) throw new InvalidArgumentError(field, `must be greater than 0, got ${id}`);
}

/** Whether a row can have this id (a PostgreSQL `integer`): only then is it looked up, as a number. */
function storable(id: bigint): boolean {
  return id <= BigInt(largestStoredId);
}

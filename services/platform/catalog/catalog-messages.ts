import { InvalidArgumentError } from "../core/errors.js";

/**
 * Conversions the contract implementations of the catalog services share: proto int64 ids are
 * bigints, domain ids are numbers.
 */

/** A proto id as a domain number; ids too large to be exact stay too large, so they are not found. */
export function idFromProto(id: bigint): number {
  return Number(id);
}

/** Proto ids as domain numbers. */
export function idsFromProto(ids: readonly bigint[]): number[] {
  return ids.map(idFromProto);
}

/** A domain id as a proto int64. */
export function idToProto(id: number): bigint {
  return BigInt(id);
}

/** The paths of an optional FieldMask; none (all fields) when absent. */
export function maskPathsFromProto(mask: { paths: string[] } | undefined): string[] {
  return mask?.paths ?? [];
}

/** `message`, or InvalidArgumentError naming `field` when the request left it out. */
export function required<M>(message: M | undefined, field: string): M {
  if (message === undefined) throw new InvalidArgumentError(field, "is required");
  return message;
}

import { InvalidArgumentError } from "../core/errors.js";

/**
 * Conversions the contract implementations of the catalog services share. Requested ids stay
 * bigints (the service answers about exactly the id asked for); stored ids are numbers (PostgreSQL
 * `integer`), made int64 on the way out.
 */

/** A stored id as a proto int64. */
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

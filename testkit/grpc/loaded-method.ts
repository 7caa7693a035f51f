import type { MethodDefinition } from "@grpc/grpc-js";
import type { PackageDefinition } from "@grpc/proto-loader";

/** One method of a proto-loader package definition; throws when the proto does not have it. */
export function loadedMethod(
  definition: PackageDefinition,
  service: string,
  method: string,
): MethodDefinition<object, object> {
  const found: unknown = (definition[service] as Record<string, unknown> | undefined)?.[method];
  if (typeof found !== "object" || found === null || !("path" in found))
    throw new Error(`${service}/${method} is not in the loaded protos`);
  return found as MethodDefinition<object, object>;
}

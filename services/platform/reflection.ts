import { create, toBinary } from "@bufbuild/protobuf";
import type { DescFile } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import type { Server } from "@grpc/grpc-js";
import { loadFileDescriptorSetFromBuffer, loadSync, type AnyDefinition, type PackageDefinition } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { protoPath as healthProtoPath } from "grpc-health-check";

/**
 * Adds server reflection (grpc.reflection.v1 and v1alpha) so grpcurl and ghz work with no proto
 * files. The descriptors are the ones `buf build` produced and protoc-gen-es embedded in gen/,
 * so reflection can never disagree with the code that serves the calls.
 */
export function addReflection(server: Server, files: readonly DescFile[]): void {
  const descriptorSet = create(FileDescriptorSetSchema, { file: withDependencies(files).map((file) => file.proto) });
  const ours = withOriginalDescriptors(
    loadFileDescriptorSetFromBuffer(Buffer.from(toBinary(FileDescriptorSetSchema, descriptorSet))),
    descriptorSet.file.map((file) => Buffer.from(toBinary(FileDescriptorProtoSchema, file))),
  );
  const health = loadSync(healthProtoPath);
  new ReflectionService({ ...ours, ...health }).addToServer(server);
}

/**
 * proto-loader re-derives each file's descriptor through protobufjs, which drops `dependency`
 * and writes relative type names; clients that link what they get (grpcurl describe) then fail
 * on `google.protobuf.FieldMask`. Serve the original descriptors instead (reflection.test.ts).
 */
function withOriginalDescriptors(definition: PackageDefinition, originals: Buffer[]): PackageDefinition {
  const served: PackageDefinition = {};
  for (const [name, type] of Object.entries(definition)) {
    served[name] = "fileDescriptorProtos" in type ? ({ ...type, fileDescriptorProtos: originals } as AnyDefinition) : type;
  }
  return served;
}

/** The files and everything they import, dependencies first, each once. */
function withDependencies(files: readonly DescFile[]): DescFile[] {
  const ordered: DescFile[] = [];
  const seen = new Set<string>();
  const visit = (file: DescFile) => {
    if (seen.has(file.name)) return;
    seen.add(file.name);
    file.dependencies.forEach(visit);
    ordered.push(file);
  };
  files.forEach(visit);
  return ordered;
}

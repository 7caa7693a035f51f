import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { DescFile } from "@bufbuild/protobuf";
import {
  type DescriptorProto,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import type { Server } from "@grpc/grpc-js";
import {
  loadFileDescriptorSetFromBuffer,
  loadSync,
  type AnyDefinition,
  type PackageDefinition,
} from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { protoPath as healthProtoPath } from "grpc-health-check";

/**
 * Adds server reflection (grpc.reflection.v1 and v1alpha) so grpcurl and ghz work with no proto
 * files. The descriptors are the ones `buf build` produced and protoc-gen-es embedded in gen/,
 * so reflection can never disagree with the code that serves the calls.
 */
export function addReflection(server: Server, files: readonly DescFile[]): void {
  const served = new Set(files.map((file) => file.name));
  const descriptorSet = create(FileDescriptorSetSchema, {
    file: withDependencies(files).map((file) => (served.has(file.name) ? file.proto : withoutServices(file.proto))),
  });
  const originals = descriptorSet.file.map((file) => Buffer.from(toBinary(FileDescriptorProtoSchema, file)));
  // proto-loader re-derives each file's descriptor through protobufjs, which drops `dependency`
  // and writes relative type names; clients that link what they get (grpcurl describe) then
  // fail on `google.protobuf.FieldMask`. Serve the original descriptors (reflection.test.ts).
  const ours = mapFileDescriptors(
    loadFileDescriptorSetFromBuffer(Buffer.from(toBinary(FileDescriptorSetSchema, descriptorSet))),
    () => originals,
  );
  // Health has no buf-built descriptor here: qualify the names protobufjs left relative.
  const health = mapFileDescriptors(loadSync(healthProtoPath), (protos) => protos.map(qualifyTypeNames));
  new ReflectionService({ ...ours, ...health }).addToServer(server);
}

/**
 * An imported file as reflection shows it: its messages and enums, not its services. Fights'
 * contract imports the hero, villain and location files for their messages, but fights does not
 * serve their services, so `grpcurl list` must not offer them.
 */
function withoutServices(file: FileDescriptorProto): FileDescriptorProto {
  return create(FileDescriptorProtoSchema, { ...file, service: [] });
}

/** Resolves each relative type name like protoc does: innermost enclosing scope first, then outwards. */
function qualifyTypeNames(bytes: Buffer): Buffer {
  const file: FileDescriptorProto = fromBinary(FileDescriptorProtoSchema, bytes);
  const defined = new Set<string>();
  const collect = (scope: string, message: DescriptorProto) => {
    const name = `${scope}.${message.name}`;
    defined.add(name);
    message.enumType.forEach((enumType) => defined.add(`${name}.${enumType.name}`));
    message.nestedType.forEach((nested) => collect(name, nested));
  };
  const root = file.package === "" ? "" : `.${file.package}`;
  file.messageType.forEach((message) => collect(root, message));
  file.enumType.forEach((enumType) => defined.add(`${root}.${enumType.name}`));
  const qualify = (typeName: string, scope: string): string => {
    if (typeName === "" || typeName.startsWith(".")) return typeName;
    for (let current = scope; ; current = current.slice(0, current.lastIndexOf("."))) {
      if (defined.has(`${current}.${typeName}`)) return `${current}.${typeName}`;
      if (current === "") return typeName;
    }
  };
  const visit = (scope: string, message: DescriptorProto) => {
    const name = `${scope}.${message.name}`;
    for (const field of message.field) field.typeName = qualify(field.typeName, name);
    message.nestedType.forEach((nested) => visit(name, nested));
  };
  file.messageType.forEach((message) => visit(root, message));
  for (const service of file.service) {
    for (const method of service.method) {
      method.inputType = qualify(method.inputType, root);
      method.outputType = qualify(method.outputType, root);
    }
  }
  return Buffer.from(toBinary(FileDescriptorProtoSchema, file));
}
/** The definition with each type's file descriptors replaced by `replace(descriptors)`. */
function mapFileDescriptors(
  definition: PackageDefinition,
  replace: (descriptors: Buffer[]) => Buffer[],
): PackageDefinition {
  const served: PackageDefinition = {};
  for (const [name, type] of Object.entries(definition)) {
    const protos = "fileDescriptorProtos" in type ? (type.fileDescriptorProtos as Buffer[]) : undefined;
    served[name] = protos === undefined ? type : ({ ...type, fileDescriptorProtos: replace(protos) } as AnyDefinition);
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

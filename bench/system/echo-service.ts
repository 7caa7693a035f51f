import { create, createFileRegistry, type DescFile, type DescMessage, type DescService } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";

/** Fully qualified name of the bench echo service (for ghz `call` and h2load paths). */
export const echoServiceName = "superheroes.bench.v1.EchoService";

/** gRPC path of the one echo method. */
export const echoPath = `/${echoServiceName}/Echo`;

/**
 * The descriptor of `EchoService.Echo(EchoMessage) returns (EchoMessage)`, built at run time so the
 * bench needs no .proto in the contracts module (it is not part of the product's API) and still
 * serves reflection for ghz and grpcurl. `EchoMessage` has one field: `string message = 1`.
 */
export const echoFile: DescFile = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "superheroes/bench/v1/echo.proto",
    package: "superheroes.bench.v1",
    syntax: "proto3",
    messageType: [
      {
        name: "EchoMessage",
        field: [
          {
            name: "message",
            jsonName: "message",
            number: 1,
            type: FieldDescriptorProto_Type.STRING,
            label: FieldDescriptorProto_Label.OPTIONAL,
          },
        ],
      },
    ],
    service: [
      {
        name: "EchoService",
        method: [
          {
            name: "Echo",
            inputType: ".superheroes.bench.v1.EchoMessage",
            outputType: ".superheroes.bench.v1.EchoMessage",
          },
        ],
      },
    ],
  }),
  () => undefined,
).getFile("superheroes/bench/v1/echo.proto") as DescFile;

/** The echo service descriptor. */
export const echoService: DescService = echoFile.services[0] as DescService;

/** The echo message descriptor. */
export const echoMessage: DescMessage = echoFile.messages[0] as DescMessage;

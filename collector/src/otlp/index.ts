export { decodeProtobufTraces } from './decode-protobuf.ts';
export { decodeJsonTraces } from './decode-json.ts';
export { encodeErrorStatus, encodeExportResponse, type PartialSuccess, type WireFormat } from './encode-response.ts';
export * from './types.ts';

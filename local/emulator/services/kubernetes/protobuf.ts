/**
 * Request bodies in Kubernetes' protobuf encoding. kubectl's typed clients send built-in kinds
 * as `application/vnd.kubernetes.protobuf` (the `auth whoami` and `auth can-i` reviews among
 * them) while accepting JSON answers. The encoding is the magic `k8s\0` followed by a
 * runtime.Unknown message (typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2: the object's own
 * protobuf). Only the review kinds are decoded, into the JSON shape the routes read: the
 * fields are numbered as in k8s.io/api's generated.proto for authorization/v1 and
 * authentication/v1.
 */
import { StatusError, type Json } from './status';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Fields = Map<number, Array<Buffer | number>>;

/** Reads one message's fields: numbers for varints, bytes for length-delimited values. */
function readMessage(buffer: Buffer): Fields {
  const fields: Fields = new Map();
  let offset = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (offset >= buffer.length) throw new Error('truncated varint');
      const byte = buffer[offset++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  };
  while (offset < buffer.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    let value: Buffer | number;
    if (wireType === 0) value = varint();
    else if (wireType === 2) {
      const length = varint();
      value = buffer.subarray(offset, offset + length);
      offset += length;
    } else if (wireType === 1) {
      value = buffer.subarray(offset, offset + 8);
      offset += 8;
    } else if (wireType === 5) {
      value = buffer.subarray(offset, offset + 4);
      offset += 4;
    } else throw new Error(`unsupported wire type ${wireType}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

const text = (fields: Fields, n: number): string | undefined => {
  const value = fields.get(n)?.[0];
  return Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
};
const message = (fields: Fields, n: number): Fields | undefined => {
  const value = fields.get(n)?.[0];
  return Buffer.isBuffer(value) ? readMessage(value) : undefined;
};
const strings = (names: Record<number, string>, fields: Fields | undefined): Json | undefined => {
  if (!fields) return undefined;
  const result: Json = {};
  for (const [n, name] of Object.entries(names)) {
    const value = text(fields, Number(n));
    if (value !== undefined && value !== '') result[name] = value;
  }
  return result;
};

const RESOURCE_ATTRIBUTES = { 1: 'namespace', 2: 'verb', 3: 'group', 4: 'version', 5: 'resource', 6: 'subresource', 7: 'name' };
const NON_RESOURCE_ATTRIBUTES = { 1: 'path', 2: 'verb' };

/** Decodes a protobuf request body of a review kind into its JSON form. */
export function decodeProtobuf(body: Buffer): Json {
  try {
    if (!body.subarray(0, 4).equals(MAGIC)) throw new Error('the body does not start with the k8s protobuf magic');
    const unknown = readMessage(body.subarray(4));
    const typeMeta = message(unknown, 1);
    const apiVersion = typeMeta ? text(typeMeta, 1) : undefined;
    const kind = typeMeta ? text(typeMeta, 2) : undefined;
    const raw = unknown.get(2)?.[0];
    const object = readMessage(Buffer.isBuffer(raw) ? raw : Buffer.alloc(0));
    const spec = message(object, 2);
    switch (kind) {
      case 'SelfSubjectReview':
        return { apiVersion, kind };
      case 'SelfSubjectAccessReview': {
        const resourceAttributes = strings(RESOURCE_ATTRIBUTES, spec && message(spec, 1));
        const nonResourceAttributes = strings(NON_RESOURCE_ATTRIBUTES, spec && message(spec, 2));
        return { apiVersion, kind, spec: { ...(resourceAttributes ? { resourceAttributes } : {}), ...(nonResourceAttributes ? { nonResourceAttributes } : {}) } };
      }
      case 'SelfSubjectRulesReview':
        return { apiVersion, kind, spec: strings({ 1: 'namespace' }, spec) ?? {} };
      default:
        throw new StatusError(415, 'UnsupportedMediaType', `the protobuf encoding of ${kind ?? 'this object'} is not supported here; send application/json`);
    }
  } catch (error) {
    if (error instanceof StatusError) throw error;
    throw new StatusError(400, 'BadRequest', `the protobuf body could not be decoded: ${(error as Error).message}`);
  }
}

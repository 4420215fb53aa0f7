/**
 * Request bodies in Kubernetes' protobuf encoding. kubectl's typed clients send built-in kinds
 * as `application/vnd.kubernetes.protobuf` (the `auth whoami` and `auth can-i` reviews among
 * them, and `kubectl create configmap`) while accepting JSON answers. The encoding is the magic
 * `k8s\0` followed by a runtime.Unknown message (typeMeta = 1 {apiVersion = 1, kind = 2}, raw =
 * 2: the object's own protobuf). The review kinds and ConfigMap are decoded, into the JSON shape
 * the routes read: the fields are numbered as in k8s.io/api's generated.proto (authorization/v1,
 * authentication/v1, core/v1 and meta/v1's ObjectMeta).
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

/** A protobuf map<string, string|bytes>: repeated entries {key = 1, value = 2}. */
const map = (fields: Fields, n: number, bytes = false): Record<string, string> | undefined => {
  const entries = fields.get(n);
  if (!entries?.length) return undefined;
  const result: Record<string, string> = {};
  for (const entry of entries) {
    if (!Buffer.isBuffer(entry)) continue;
    const pair = readMessage(entry);
    const value = pair.get(2)?.[0];
    result[text(pair, 1) ?? ''] = Buffer.isBuffer(value) ? (bytes ? value.toString('base64') : value.toString('utf8')) : '';
  }
  return result;
};

/** The ObjectMeta fields a client sets on a new object (name, generateName, namespace, labels, annotations, finalizers). */
function objectMeta(fields: Fields | undefined): Json {
  if (!fields) return {};
  const finalizers = (fields.get(14) ?? []).filter(Buffer.isBuffer).map((b) => b.toString('utf8'));
  const labels = map(fields, 11);
  const annotations = map(fields, 12);
  return {
    ...strings({ 1: 'name', 2: 'generateName', 3: 'namespace', 5: 'uid', 6: 'resourceVersion' }, fields),
    ...(labels ? { labels } : {}),
    ...(annotations ? { annotations } : {}),
    ...(finalizers.length ? { finalizers } : {}),
  };
}

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
      case 'ConfigMap': {
        // `kubectl create configmap` sends it so: metadata = 1, data = 2, binaryData = 3, immutable = 4.
        const data = map(object, 2);
        const binaryData = map(object, 3, true);
        const immutable = object.get(4)?.[0];
        return { apiVersion, kind, metadata: objectMeta(message(object, 1)), ...(data ? { data } : {}), ...(binaryData ? { binaryData } : {}), ...(immutable !== undefined ? { immutable: immutable === 1 } : {}) };
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

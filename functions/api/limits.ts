/**
 * Every limit the API puts on its input, declared once. The router (handler.ts) checks them before
 * a route runs, so hostile or broken input is a 4xx naming the field and never reaches DynamoDB or
 * AWS; the OpenAPI document (openapi.ts) shows them. Names and ARNs take their rules from the
 * schemas that define them, so a path parameter cannot accept what a body would refuse.
 */
import clusterSpecSchema from '../../schemas/cluster-spec.schema.json';
import operationRequestSchema from '../../schemas/events/operation-requested.schema.json';

/** The JSON Schema keywords a parameter (path, query, header) is checked with. */
export interface ParameterSchema {
  type: 'string' | 'integer' | 'boolean';
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

/**
 * The largest body a route takes, in bytes (UTF-8). The spec travels inside the execution input,
 * which Step Functions caps at 256 KB, and the registry item (DynamoDB: 400 KB); a full reference
 * spec is about 3 KB, so 64 KB leaves room for any real cluster and none for a payload attack.
 */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The deepest nesting of arrays and objects in a body. The cluster spec nests 5 deep at most
 * (managedNodeGroups[].taints[]); validators and JSON.stringify recurse, so a 20,000-deep body
 * would otherwise overflow the stack.
 */
export const MAX_JSON_DEPTH = 16;

/** The longest query string the function reads (names and values, as characters). */
export const MAX_QUERY_CHARS = 2048;

/**
 * What API Gateway refuses before the function runs (REST API quotas: 10 MB payload, 10,240 bytes
 * of request line and headers). The local adapter answers them as the gateway would.
 */
export const GATEWAY_LIMITS = { maxPayloadBytes: 10 * 1024 * 1024, maxRequestLineAndHeadersBytes: 10_240 } as const;

const stringRule = (schema: { minLength?: number; maxLength?: number; pattern?: string }): ParameterSchema => ({
  type: 'string',
  ...(schema.minLength !== undefined ? { minLength: schema.minLength } : {}),
  ...(schema.maxLength !== undefined ? { maxLength: schema.maxLength } : {}),
  ...(schema.pattern !== undefined ? { pattern: schema.pattern } : {}),
});

const definitions = clusterSpecSchema.definitions;

export const CLUSTER_NAME = stringRule(clusterSpecSchema.properties.name);

/** Every path parameter, by its name in the route table's path templates. */
export const PATH_PARAMETERS: Record<string, { schema: ParameterSchema; description: string }> = {
  name: { schema: CLUSTER_NAME, description: 'The cluster name' },
  nodegroup: { schema: stringRule(definitions.ManagedNodeGroup.properties.name), description: 'The nodegroup name' },
  profile: { schema: stringRule(definitions.FargateProfile.properties.name), description: 'The Fargate profile name' },
  addon: { schema: stringRule(definitions.Addon.properties.name), description: 'The add-on name' },
  principalArn: { schema: stringRule(definitions.IamArn), description: 'An IAM ARN, percent-encoded (/ as %2F)' },
  namespace: { schema: stringRule(definitions.KubernetesName), description: 'The Kubernetes namespace of the service account' },
  serviceAccount: { schema: stringRule(definitions.PodIdentityAssociation.properties.serviceAccountName), description: 'The Kubernetes service account name' },
  // Ids are op- and a UUID or a 32-digit hash (accept-operation.ts); the slack admits neither more nor odd characters.
  id: { schema: { type: 'string', minLength: 4, maxLength: 64, pattern: '^op-[A-Za-z0-9-]+$' }, description: 'The operation id' },
};

/** The Idempotency-Key header, with the rule the operation-request event's idempotencyKey has. */
export const IDEMPOTENCY_KEY = { name: 'Idempotency-Key', schema: stringRule(operationRequestSchema.properties.idempotencyKey) };

export const PAGE_SIZE = { default: 50, schema: { type: 'integer', minimum: 1, maximum: 100 } satisfies ParameterSchema };

/** Cursors are base64url (the registry's own encoding); the longest one it hands out is a few hundred characters. */
export const CURSOR: ParameterSchema = { type: 'string', minLength: 1, maxLength: 1024, pattern: '^[A-Za-z0-9_-]+$' };

/** What is wrong with a parameter's value, in the words of an `errors[].message`; undefined when it holds. */
export function parameterProblem(value: string, schema: ParameterSchema): string | undefined {
  if (schema.type === 'integer') {
    const number = /^-?\d{1,16}$/.test(value) ? Number(value) : NaN;
    const range = `an integer from ${schema.minimum ?? '−∞'} to ${schema.maximum ?? '∞'}`;
    if (!Number.isSafeInteger(number) || (schema.minimum !== undefined && number < schema.minimum) || (schema.maximum !== undefined && number > schema.maximum)) return `must be ${range}`;
    return undefined;
  }
  if (schema.type === 'boolean') return value === 'true' || value === 'false' ? undefined : 'must be true or false';
  if (schema.minLength !== undefined && value.length < schema.minLength) return `must be at least ${schema.minLength} characters`;
  if (schema.maxLength !== undefined && value.length > schema.maxLength) return `must be at most ${schema.maxLength} characters (got ${value.length})`;
  if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) return `must match ${schema.pattern}`;
  return undefined;
}

/**
 * Whether JSON text nests arrays and objects deeper than `max`, read without parsing (parsing is
 * what must not happen to such a body). Brackets inside strings do not count.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** The nesting of a value already parsed (an event's detail), walked without recursion. */
export function valueNestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: next, depth } = stack.pop()!;
    if (next === null || typeof next !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(next)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

/** The media types of a YAML body (RFC 9512's application/yaml, and the older names clients still send). */
export const YAML_MEDIA_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'] as const;

/** Which bodies a route reads: JSON only, or JSON and YAML (POST /clusters: a spec or an eksctl ClusterConfig). */
export type BodyFormats = 'json' | 'json-or-yaml';

/** The media type of a Content-Type header, without parameters, lower case. */
const mediaTypeOf = (contentType: string): string => contentType.split(';')[0]!.trim().toLowerCase();

/** Whether a Content-Type names a YAML body. */
export function isYamlContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && (YAML_MEDIA_TYPES as readonly string[]).includes(mediaTypeOf(contentType));
}

/**
 * Why a Content-Type is not one the route reads, or undefined: application/json or any
 * application/*+json (and, where the route reads YAML, the YAML types), in UTF-8 (RFC 8259 allows
 * no other charset between systems; YAML 1.2 streams here are UTF-8 too).
 */
export function mediaTypeProblem(contentType: string | undefined, formats: BodyFormats = 'json'): string | undefined {
  const yaml = formats === 'json-or-yaml';
  if (!contentType) return `a body must be sent with Content-Type: application/json${yaml ? ' or application/yaml' : ''}`;
  const [type = '', ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  const isYaml = yaml && isYamlContentType(type);
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type) && !isYaml) return `Content-Type ${type || '(empty)'} is not JSON${yaml ? ' or YAML' : ''}: send application/json${yaml ? ` or ${YAML_MEDIA_TYPES.join(', ')}` : ''}`;
  const charset = parameters.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/^"|"$/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return `charset ${charset} is not accepted: ${isYaml ? 'YAML' : 'JSON'} is UTF-8`;
  return undefined;
}

/**
 * The OpenAPI 3.1 document of the REST API, built from the route table (routes.ts) and the JSON
 * Schemas the API validates with: GET /openapi.json answers it, scripts/openapi.ts writes the copy
 * in docs/openapi.json.
 */
import clusterSpecSchema from '../../schemas/cluster-spec.schema.json';
import statusEventSchema from '../../schemas/events/operation-status.schema.json';
import readyNodesSchema from '../../schemas/api/ready-nodes.schema.json';
import { pathParameterNames } from './admission';
import { CLUSTER_CONFIG_API_VERSION, CLUSTER_CONFIG_KIND } from '../domain/eksctl-config';
import { IDEMPOTENCY_KEY, MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_QUERY_CHARS, PATH_PARAMETERS, YAML_MEDIA_TYPES, type BodyFormats } from './limits';
import type { BodySchema, Route } from './routes';

type Json = Record<string, unknown>;

/** draft-07 `#/definitions/X` references, pointed at the document's components. */
function asComponent(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/definitions\/(\w+)"/g, '"#/components/schemas/$1"').replace(/"\.\.\/workflow\/workflow-state\.schema\.json#\/definitions\/\w+"/g, '"#/components/schemas/Enum"'));
}

function componentSchemas(): Json {
  const { definitions, $schema: _s, $id: _i, ...clusterSpec } = clusterSpecSchema as Json & { definitions: Json };
  const { $schema: _s2, $id: _i2, ...statusEvent } = statusEventSchema as Json;
  const { definitions: readyNodesDefinitions, $schema: _s3, $id: _i3, ...readyNodes } = readyNodesSchema as Json & { definitions: Json };
  return {
    ...(asComponent(definitions) as Json),
    ...(asComponent(readyNodesDefinitions) as Json),
    ReadyNodes: asComponent(readyNodes),
    ClusterDetail: {
      type: 'object',
      description: 'GET /clusters/{name}: the registered cluster (docs/api.md). The properties below are the ones described here; the answer has others (live, versionSupport…).',
      required: ['name', 'status', 'owner', 'spec', 'live', 'readyNodes'],
      properties: {
        name: { type: 'string' },
        status: { type: 'string' },
        owner: { type: 'string' },
        kubernetesVersion: { type: 'string' },
        spec: { $ref: '#/components/schemas/ClusterSpec' },
        live: { type: ['object', 'null'], description: 'What EKS says now; null before the control plane exists.' },
        readyNodes: { $ref: '#/components/schemas/ReadyNodes' },
      },
    },
    ClusterSpec: asComponent(clusterSpec),
    // The status event's enums live in the workflow schema; here they are plain strings.
    OperationStatusEvent: JSON.parse(JSON.stringify(asComponent(statusEvent)).replace(/\{"\$ref":"#\/components\/schemas\/Enum"\}/g, '{"type":"string"}').replace(/"description":"For UPDATE operations: what changes.","\$ref":"#\/components\/schemas\/Enum"/g, '"description":"For UPDATE operations: what changes.","type":"string"')),
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details (application/problem+json).',
      required: ['type', 'title', 'status', 'detail'],
      properties: {
        type: { type: 'string', format: 'uri' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        errors: { type: 'array', items: { type: 'object', required: ['pointer', 'message'], properties: { pointer: { type: 'string', description: 'JSON pointer into the request body, or the parameter: /path/<name>, /query/<name>, /header/<name>' }, message: { type: 'string' } } } },
        runningOperationId: { type: 'string', description: '409 Cluster busy: the operation holding the cluster.' },
      },
    },
    EksctlClusterConfig: {
      type: 'object',
      description: "An eksctl ClusterConfig, translated into a ClusterSpec: see docs/eksctl-config.md for each field's mapping. A field the service cannot honour is a 422 naming it (a JSON pointer into the ClusterConfig).",
      required: ['apiVersion', 'kind', 'metadata'],
      properties: {
        apiVersion: { const: CLUSTER_CONFIG_API_VERSION },
        kind: { const: CLUSTER_CONFIG_KIND },
        metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, region: { type: 'string' }, version: { type: 'string' }, tags: { type: 'object', additionalProperties: { type: 'string' } } } },
      },
    },
    OperationAccepted: {
      type: 'object',
      required: ['operationId', 'cluster', 'status', 'links'],
      properties: { operationId: { type: 'string' }, cluster: { type: 'string' }, status: { type: 'string' }, links: { type: 'object', properties: { operation: { type: 'string' } } } },
    },
  };
}

function bodySchema(schema: BodySchema, formats: BodyFormats): unknown {
  if ('clusterSpec' in schema) return formats === 'json-or-yaml' ? { oneOf: [{ $ref: '#/components/schemas/ClusterSpec' }, { $ref: '#/components/schemas/EksctlClusterConfig' }] } : { $ref: '#/components/schemas/ClusterSpec' };
  if ('definition' in schema) return { $ref: `#/components/schemas/${schema.definition}` };
  return schema.inline;
}

/** A route's request body: JSON, and for routes that read it YAML (one document, UTF-8), under the same schema. */
function requestBody(body: NonNullable<Route['body']>): Json {
  const formats = body.formats ?? 'json';
  const schema = bodySchema(body.schema, formats);
  const yaml = formats === 'json-or-yaml';
  return {
    required: true,
    description: `${body.description}. JSON (application/json or application/*+json, UTF-8)${yaml ? ` or YAML (${YAML_MEDIA_TYPES.join(', ')}: one YAML 1.2 document, UTF-8; a syntax error is a 400 naming its line and column)` : ''}, at most ${MAX_BODY_BYTES} bytes and ${MAX_JSON_DEPTH} levels of nesting.`,
    content: { 'application/json': { schema }, ...(yaml ? Object.fromEntries(YAML_MEDIA_TYPES.map((type) => [type, { schema }])) : {}) },
  };
}

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

function operation(route: Route): Json {
  const pathParams = pathParameterNames(route);
  const parameters = [
    ...pathParams.map((name) => ({ name, in: 'path', required: true, description: PATH_PARAMETERS[name]!.description, schema: PATH_PARAMETERS[name]!.schema })),
    ...(route.query ?? []).map((q) => ({ name: q.name, in: 'query', required: q.required ?? false, description: q.description, schema: q.schema })),
    ...(route.startsOperation ? [{ name: IDEMPOTENCY_KEY.name, in: 'header', required: false, description: 'Same key and same request: the same operation (safe to retry). Same key, other request: 422. Printable ASCII, no control characters.', schema: IDEMPOTENCY_KEY.schema }] : []),
  ];
  const checked = pathParams.length > 0 || route.query !== undefined || route.startsOperation === true || route.body !== undefined;
  const success = route.startsOperation
    ? { description: route.success.description, headers: { Location: { schema: { type: 'string' } } }, content: { 'application/json': { schema: { $ref: '#/components/schemas/OperationAccepted' } } } }
    : { description: route.success.description, content: { [route.success.contentType ?? 'application/json']: { schema: route.success.schema ? { $ref: `#/components/schemas/${route.success.schema}` } : { type: route.success.contentType === 'application/yaml' ? 'string' : 'object' } } } };
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? { requestBody: requestBody(route.body) }
      : {}),
    responses: {
      [String(route.success.status)]: success,
      ...(route.operationId === 'createCluster' || route.operationId === 'upgradeCluster' ? { '200': { description: '?dryRun=true: the plan', content: { 'application/json': { schema: { type: 'object' } } } } } : {}),
      ...(checked ? { '400': problemResponse('A parameter, header or body breaks its limits (errors[] names each: /path/<name>, /query/<name>, /header/<name>, or a pointer into the body), or a cursor this caller was not given') } : {}),
      '403': problemResponse('The IAM signature was refused'),
      ...(pathParams.length || route.query?.some((q) => q.name === 'cluster') ? { '404': problemResponse("No such cluster, nodegroup, profile, access entry or operation. Another principal's cluster or operation is answered the same way: nobody learns what others have.") } : {}),
      ...(route.startsOperation ? { '409': problemResponse('Another operation runs on the cluster (runningOperationId), or it is in a state that does not allow this') } : {}),
      ...(route.body || route.startsOperation ? { '422': problemResponse(`Invalid spec or change, a guardrail, ${route.body?.formats === 'json-or-yaml' ? 'ClusterConfig fields the service cannot honour (pointers into the ClusterConfig), ' : ''}or an Idempotency-Key reused with another request: errors[] names each field`) } : {}),
      ...(route.body ? { '413': problemResponse(`The body is larger than ${MAX_BODY_BYTES} bytes`), '415': problemResponse(route.body.formats === 'json-or-yaml' ? `The body is not JSON or YAML in UTF-8 (Content-Type application/json, application/*+json, ${YAML_MEDIA_TYPES.join(', ')})` : 'The body is not JSON in UTF-8 (Content-Type application/json or application/*+json)') } : {}),
      '414': problemResponse(`The query string is longer than ${MAX_QUERY_CHARS} characters`),
      ...Object.fromEntries(Object.entries(route.problems ?? {}).map(([status, when]) => [status, problemResponse(when)])),
    },
  };
}

export function buildOpenApi(routes: readonly Route[]): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'eks-provisioner',
      version: '1.0.0',
      description: 'EKS clusters on request. Every request is signed with AWS SigV4 (service execute-api); errors are application/problem+json. Operations run asynchronously: follow /operations/{id} or the status events on the bus.',
    },
    servers: [{ url: 'https://{api}.execute-api.{region}.amazonaws.com/v1', variables: { api: { default: 'abc123' }, region: { default: 'us-east-1' } } }, { url: 'http://127.0.0.1:3000', description: 'local mode (npm start)' }],
    security: [{ sigv4: [] }],
    paths,
    components: {
      securitySchemes: { sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', description: 'AWS Signature Version 4 (API Gateway AWS_IAM authorization)', 'x-amazon-apigateway-authtype': 'awsSigv4' } },
      schemas: componentSchemas(),
    },
  };
}

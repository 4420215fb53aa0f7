/**
 * OpenAPI v3, what kubectl 1.33 reads (it no longer needs /openapi/v2 when v3 answers):
 * - `kubectl apply` (client-side) computes its three-way strategic merge patch from the kind's
 *   schema in /openapi/v3/<group-version>, and only uses it when the kind's PATCH operation
 *   accepts `application/strategic-merge-patch+json`;
 * - `--validate` (default strict) looks for a `fieldValidation` query parameter on the kind's
 *   PATCH operation: found, kubectl leaves validation to the server (which rejects unknown
 *   fields here); not found, it would fall back to the protobuf /openapi/v2, not served here.
 * /openapi/v3 lists one document per served group version (with a hash, as the server does);
 * each holds the paths of its resources (operations tagged with x-kubernetes-group-version-kind
 * and x-kubernetes-action) and component schemas: ConfigMap and ObjectMeta in full (with the
 * list merge strategies a strategic merge patch needs), other kinds as open objects.
 */
import { createHash } from 'node:crypto';
import { groupVersions, resourcesOf, type ResourceType } from './resources';
import type { Json } from './status';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const ref = (name: string) => ({ allOf: [{ $ref: `#/components/schemas/${name}` }], default: {} });

function schemaName(r: ResourceType): string {
  const group = r.group === '' ? 'core' : r.group.replace(/\.k8s\.io$/, '');
  return `io.k8s.api.${group.replace(/\./g, '_')}.${r.version}.${r.kind}`;
}

const COMMON_SCHEMAS: Record<string, Json> = {
  [`${META}.ObjectMeta`]: {
    type: 'object',
    description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
    properties: {
      annotations: { type: 'object', additionalProperties: { type: 'string', default: '' } },
      creationTimestamp: { type: 'string', format: 'date-time' },
      deletionGracePeriodSeconds: { type: 'integer', format: 'int64' },
      deletionTimestamp: { type: 'string', format: 'date-time' },
      finalizers: { type: 'array', items: { type: 'string', default: '' }, 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
      generateName: { type: 'string' },
      generation: { type: 'integer', format: 'int64' },
      labels: { type: 'object', additionalProperties: { type: 'string', default: '' } },
      managedFields: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, 'x-kubernetes-list-type': 'atomic' },
      name: { type: 'string' },
      namespace: { type: 'string' },
      ownerReferences: {
        type: 'array',
        items: { type: 'object', required: ['apiVersion', 'kind', 'name', 'uid'], properties: { apiVersion: { type: 'string' }, blockOwnerDeletion: { type: 'boolean' }, controller: { type: 'boolean' }, kind: { type: 'string' }, name: { type: 'string' }, uid: { type: 'string' } } },
        'x-kubernetes-list-map-keys': ['uid'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'uid',
        'x-kubernetes-patch-strategy': 'merge',
      },
      resourceVersion: { type: 'string' },
      selfLink: { type: 'string' },
      uid: { type: 'string' },
    },
  },
  [`${META}.Status`]: {
    type: 'object',
    properties: { apiVersion: { type: 'string' }, code: { type: 'integer', format: 'int32' }, details: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, kind: { type: 'string' }, message: { type: 'string' }, metadata: { type: 'object' }, reason: { type: 'string' }, status: { type: 'string' } },
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
  },
  [`${META}.Patch`]: { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
};

function kindSchema(r: ResourceType): Json {
  const gvk = { 'x-kubernetes-group-version-kind': [{ group: r.group, kind: r.kind, version: r.version }] };
  const head = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: ref(`${META}.ObjectMeta`) };
  if (r.kind === 'ConfigMap') {
    return {
      type: 'object',
      description: 'ConfigMap holds configuration data for pods to consume.',
      properties: {
        ...head,
        binaryData: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
        data: { type: 'object', additionalProperties: { type: 'string', default: '' } },
        immutable: { type: 'boolean' },
      },
      ...gvk,
    };
  }
  return { type: 'object', properties: { ...head, spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }, ...gvk };
}

const queryParameter = (name: string, description: string, type = 'string') => ({ name, in: 'query', description, schema: { type, uniqueItems: true } });

function operation(r: ResourceType, action: string, id: string, body?: { contentTypes: string[]; schema: string }): Json {
  const schema = { $ref: `#/components/schemas/${schemaName(r)}` };
  const patch = action === 'patch';
  return {
    tags: [r.group ? `${r.group.replace(/\.k8s\.io$/, '')}_${r.version}` : `core_${r.version}`],
    operationId: id,
    ...(patch
      ? {
          parameters: [
            queryParameter('dryRun', 'When present, indicates that modifications should not be persisted.'),
            queryParameter('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
            queryParameter('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.'),
            queryParameter('force', 'Force is going to "force" Apply requests.', 'boolean'),
          ],
        }
      : action === 'post' || action === 'put'
        ? { parameters: [queryParameter('dryRun', 'When present, indicates that modifications should not be persisted.'), queryParameter('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'), queryParameter('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields.')] }
        : {}),
    ...(body ? { requestBody: { content: Object.fromEntries(body.contentTypes.map((type) => [type, { schema: { $ref: `#/components/schemas/${body.schema}` } }])), required: true } } : {}),
    responses: { '200': { description: 'OK', content: { 'application/json': { schema } } }, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: r.group, kind: r.kind, version: r.version },
  };
}

/** The OpenAPI v3 document of one group version (`api/v1`, `apis/apps/v1`). */
export function groupVersionDocument(group: string, version: string): Json | undefined {
  const resources = resourcesOf(group, version);
  if (!resources.length) return undefined;
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const paths: Record<string, Json> = {};
  const schemas: Record<string, Json> = { ...COMMON_SCHEMAS };
  for (const r of resources) {
    schemas[schemaName(r)] = kindSchema(r);
    const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.name}` : `${prefix}/${r.name}`;
    const Kind = `${r.kind}${r.namespaced ? 'Namespaced' : ''}`;
    const collection: Json = {};
    if (r.verbs.includes('list')) collection.get = operation(r, 'list', `list${Kind}`);
    if (r.verbs.includes('create')) collection.post = operation(r, 'post', `create${Kind}`, { contentTypes: ['application/json'], schema: schemaName(r) });
    if (Object.keys(collection).length) paths[base] = collection;
    const item: Json = {};
    if (r.verbs.includes('get')) item.get = operation(r, 'get', `read${Kind}`);
    if (r.verbs.includes('update')) item.put = operation(r, 'put', `replace${Kind}`, { contentTypes: ['application/json'], schema: schemaName(r) });
    if (r.verbs.includes('patch')) {
      item.patch = operation(r, 'patch', `patch${Kind}`, { contentTypes: ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'], schema: `${META}.Patch` });
    }
    if (r.verbs.includes('delete')) item.delete = operation(r, 'delete', `delete${Kind}`);
    if (Object.keys(item).length) paths[`${base}/{name}`] = item;
    if (r.namespaced && r.verbs.includes('list')) paths[`${prefix}/${r.name}`] = { get: operation(r, 'list', `list${r.kind}ForAllNamespaces`) };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'unversioned' }, paths, components: { schemas } };
}

function documentKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/**
 * /openapi/v3: every group version's document, each addressed with the hash of its content.
 * client-go requests a serverRelativeURL as the whole path, dropping the path of the server URL
 * in the kubeconfig, so the URLs carry `pathPrefix` (the cluster's `/k8s/<name>`).
 */
export function openApiIndex(pathPrefix: string): Json {
  const paths: Record<string, Json> = {};
  for (const { group, version } of groupVersions()) {
    const hash = createHash('sha512').update(JSON.stringify(groupVersionDocument(group, version))).digest('hex').slice(0, 128).toUpperCase();
    paths[documentKey(group, version)] = { serverRelativeURL: `${pathPrefix}/openapi/v3/${documentKey(group, version)}?hash=${hash}` };
  }
  return { paths };
}

/** The document at /openapi/v3/<key>, or undefined. */
export function openApiDocument(key: string): Json | undefined {
  const match = /^(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(key);
  if (!match) return undefined;
  return match[1] ? groupVersionDocument('', match[1]) : groupVersionDocument(match[2]!, match[3]!);
}

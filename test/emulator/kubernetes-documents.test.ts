/**
 * What kubectl reads before and around the objects: discovery (only what is served), OpenAPI v3
 * (what client-side apply and --validate look for), Tables (kubectl get's columns and ages),
 * list selectors, and protobuf request bodies of the review kinds.
 */
import { aggregatedDiscovery, discoveryDocument, wantsAggregatedDiscovery } from '../../local/emulator/services/kubernetes/discovery';
import { openApiDocument, openApiIndex } from '../../local/emulator/services/kubernetes/openapi';
import { decodeProtobuf } from '../../local/emulator/services/kubernetes/protobuf';
import { RESOURCE_TYPES, findResource } from '../../local/emulator/services/kubernetes/resources';
import { fieldSelector, labelSelector } from '../../local/emulator/services/kubernetes/selectors';
import { humanDuration, toTable, wantsTable } from '../../local/emulator/services/kubernetes/tables';

/* eslint-disable @typescript-eslint/no-explicit-any */

describe('discovery', () => {
  it('lists the core version, the served groups and, per group version, exactly the served resources and verbs', () => {
    const api = discoveryDocument('/api', '127.0.0.1:4566') as any;
    const apis = discoveryDocument('/apis', '127.0.0.1:4566') as any;
    const core = discoveryDocument('/api/v1', '127.0.0.1:4566') as any;
    const apps = discoveryDocument('/apis/apps/v1', '127.0.0.1:4566') as any;

    expect(api).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect(apis.groups.map((g: { name: string }) => g.name)).toEqual(['apps', 'authentication.k8s.io', 'authorization.k8s.io', 'coordination.k8s.io', 'policy']);
    expect(apis.groups[0]).toEqual({ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } });
    expect(core.resources.map((r: { name: string }) => r.name).sort()).toEqual(['configmaps', 'events', 'namespaces', 'nodes', 'pods', 'pods/eviction', 'services']);
    // kubectl drain finds the Eviction's group and version here (drain.CheckEvictionSupport).
    expect(core.resources.find((r: { name: string }) => r.name === 'pods/eviction')).toEqual({ name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
    expect(discoveryDocument('/apis/policy/v1', '127.0.0.1:4566')).toMatchObject({ resources: [{ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true, shortNames: ['pdb'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'] }] });
    expect(core.resources.find((r: { name: string }) => r.name === 'configmaps')).toEqual({ name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'], shortNames: ['cm'] });
    expect(apps.resources.map((r: { shortNames: string[] }) => r.shortNames[0])).toEqual(['ds', 'deploy', 'rs']);
  });

  it('answers the aggregated (v2) form of /api and /apis to a client that asks for it', () => {
    const core = aggregatedDiscovery('/api') as any;
    const named = aggregatedDiscovery('/apis') as any;

    expect(wantsAggregatedDiscovery('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json')).toBe(true);
    expect(wantsAggregatedDiscovery('application/json')).toBe(false);
    expect(core).toMatchObject({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', items: [{ metadata: {}, versions: [{ version: 'v1', freshness: 'Current' }] }] });
    expect(core.items[0].versions[0].resources.find((r: { resource: string }) => r.resource === 'nodes')).toEqual({ resource: 'nodes', responseKind: { group: '', version: 'v1', kind: 'Node' }, scope: 'Cluster', singularResource: 'node', verbs: ['get', 'list', 'patch'], shortNames: ['no'] });
    expect(core.items[0].versions[0].resources.find((r: { resource: string }) => r.resource === 'pods').subresources).toEqual([{ subresource: 'eviction', responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] }]);
    expect(named.items.map((g: { metadata: { name: string } }) => g.metadata.name)).toEqual(['apps', 'authentication.k8s.io', 'authorization.k8s.io', 'coordination.k8s.io', 'policy']);
  });

  it('has nothing for groups and versions it does not serve', () => {
    expect(discoveryDocument('/apis/batch/v1', 'x')).toBeUndefined();
    expect(discoveryDocument('/apis/batch', 'x')).toBeUndefined();
    expect(discoveryDocument('/api/v2', 'x')).toBeUndefined();
    expect(discoveryDocument('/apis/apps', 'x')).toMatchObject({ kind: 'APIGroup', name: 'apps' });
  });
});

describe('OpenAPI v3', () => {
  it('indexes one document per served group version, addressed under the cluster path', () => {
    const index = openApiIndex('/k8s/demo') as { paths: Record<string, { serverRelativeURL: string }> };

    expect(Object.keys(index.paths).sort()).toEqual(['api/v1', 'apis/apps/v1', 'apis/authentication.k8s.io/v1', 'apis/authorization.k8s.io/v1', 'apis/coordination.k8s.io/v1', 'apis/policy/v1']);
    expect(index.paths['api/v1']!.serverRelativeURL).toMatch(/^\/k8s\/demo\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
  });

  it("gives ConfigMap's PATCH the strategic merge content type and the fieldValidation parameter kubectl looks for", () => {
    const document = openApiDocument('api/v1') as any;
    const patch = document.paths['/api/v1/namespaces/{namespace}/configmaps/{name}'].patch;

    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: '', kind: 'ConfigMap', version: 'v1' });
    expect(Object.keys(patch.requestBody.content)).toContain('application/strategic-merge-patch+json');
    expect(patch.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
    expect(document.components.schemas['io.k8s.api.core.v1.ConfigMap']).toMatchObject({ 'x-kubernetes-group-version-kind': [{ group: '', kind: 'ConfigMap', version: 'v1' }], properties: { data: { type: 'object' } } });
    expect(document.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties.ownerReferences['x-kubernetes-patch-merge-key']).toBe('uid');
    // Read-only kinds have no write operations; nodes only the PATCH kubectl cordon sends.
    expect(document.paths['/api/v1/namespaces/{namespace}/services/{name}']).toEqual({ get: expect.anything() });
    expect(document.paths['/api/v1/nodes/{name}']).toEqual({ get: expect.anything(), patch: expect.anything() });
    expect(openApiDocument('apis/batch/v1')).toBeUndefined();
  });
});

describe('tables', () => {
  it('formats ages as apimachinery HumanDuration does', () => {
    const cases: Array<[number, string]> = [
      [-5_000, '<invalid>'],
      [-1_000, '0s'],
      [45_000, '45s'],
      [119_000, '119s'],
      [200_000, '3m20s'],
      [600_000, '10m'],
      [179 * 60_000, '179m'],
      [(5 * 60 + 10) * 60_000, '5h10m'],
      [30 * 3_600_000, '30h'],
      [(3 * 24 + 4) * 3_600_000, '3d4h'],
      [100 * 86_400_000, '100d'],
      [(3 * 365 + 10) * 86_400_000, '3y10d'],
      [9 * 365 * 86_400_000, '9y'],
    ];
    for (const [ms, text] of cases) expect([ms, humanDuration(ms)]).toEqual([ms, text]);
  });

  it('recognises the Accept kubectl get sends', () => {
    expect(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json')).toBe(true);
    expect(wantsTable('application/json')).toBe(false);
  });

  it('prints nodes with the server’s columns (wide ones at priority 1) and rows carrying the object metadata', () => {
    const node = {
      metadata: { name: 'ip-10-0-1-5.ec2.internal', creationTimestamp: '2026-12-01T10:00:00Z', labels: {} },
      spec: {},
      status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '10.0.1.5' }], nodeInfo: { kubeletVersion: 'v1.33.5-eks-113cf36', osImage: 'Amazon Linux 2023', kernelVersion: '6.1', containerRuntimeVersion: 'containerd://1.7.27' } },
    };

    const table = toTable(findResource('', 'v1', 'nodes')!, [node], '9', new Date('2026-12-01T10:05:00Z'), null) as any;

    expect(table.columnDefinitions.map((c: { name: string; priority: number }) => `${c.name}:${c.priority}`)).toEqual(['Name:0', 'Status:0', 'Roles:0', 'Age:0', 'Version:0', 'Internal-IP:1', 'External-IP:1', 'OS-Image:1', 'Kernel-Version:1', 'Container-Runtime:1']);
    expect(table.rows[0].cells).toEqual(['ip-10-0-1-5.ec2.internal', 'Ready', '<none>', '5m', 'v1.33.5-eks-113cf36', '10.0.1.5', '<none>', 'Amazon Linux 2023', '6.1', 'containerd://1.7.27']);
    expect(table.rows[0].object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: node.metadata });
  });

  it('has a printer for every listable kind it serves', () => {
    for (const type of RESOURCE_TYPES.filter((r) => r.verbs.includes('list'))) expect([type.name, toTable(type, [], '1', new Date(), null)]).toEqual([type.name, expect.objectContaining({ kind: 'Table' })]);
  });
});

describe('selectors', () => {
  const pod = (labels: Record<string, string>, nodeName: string) => ({ metadata: { name: 'p', labels }, spec: { nodeName } });

  it('filter by labels (equality, inequality, existence, set) and fields', () => {
    const dns = pod({ 'k8s-app': 'kube-dns', tier: 'system' }, 'node-a');
    const proxy = pod({ 'k8s-app': 'kube-proxy' }, 'node-b');

    expect([dns, proxy].filter(labelSelector('k8s-app=kube-dns'))).toEqual([dns]);
    expect([dns, proxy].filter(labelSelector('k8s-app!=kube-dns'))).toEqual([proxy]);
    expect([dns, proxy].filter(labelSelector('tier'))).toEqual([dns]);
    expect([dns, proxy].filter(labelSelector('!tier'))).toEqual([proxy]);
    expect([dns, proxy].filter(labelSelector('k8s-app in (kube-proxy,aws-node)'))).toEqual([proxy]);
    expect([dns, proxy].filter(fieldSelector('spec.nodeName=node-b'))).toEqual([proxy]);
    expect(() => labelSelector('a b c')).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe('protobuf request bodies', () => {
  // Minimal protobuf writer: field n as a length-delimited value.
  const field = (n: number, value: Buffer | string) => {
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value);
    const length: number[] = [];
    let rest = bytes.length;
    do {
      length.push((rest & 0x7f) | (rest > 0x7f ? 0x80 : 0));
      rest >>= 7;
    } while (rest > 0);
    return Buffer.concat([Buffer.from([(n << 3) | 2, ...length]), bytes]);
  };
  const envelope = (apiVersion: string, kind: string, raw: Buffer) => Buffer.concat([Buffer.from('k8s\0'), field(1, Buffer.concat([field(1, apiVersion), field(2, kind)])), field(2, raw)]);

  it('decodes a SelfSubjectAccessReview as kubectl auth can-i sends it, long strings included', () => {
    const attributes = Buffer.concat([field(1, 'kube-system'), field(2, 'patch'), field(5, 'configmaps'), field(7, 'a'.repeat(200))]);
    const body = envelope('authorization.k8s.io/v1', 'SelfSubjectAccessReview', Buffer.concat([field(1, Buffer.alloc(0)), field(2, field(1, attributes))]));

    expect(decodeProtobuf(body)).toEqual({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'kube-system', verb: 'patch', resource: 'configmaps', name: 'a'.repeat(200) } } });
  });

  it('decodes a ConfigMap as kubectl create configmap sends it: metadata, data and binaryData maps, immutable', () => {
    const entry = (key: string, value: string | Buffer) => Buffer.concat([field(1, key), field(2, value)]);
    const metadata = Buffer.concat([field(1, 'settings'), field(3, 'default'), field(11, entry('team', 'a')), field(14, 'keep')]);
    const configMap = Buffer.concat([field(1, metadata), field(2, entry('color', 'blue')), field(2, entry('size', 'small')), field(3, entry('blob', Buffer.from([0xff, 0x00]))), Buffer.from([0x20, 0x01])]);

    expect(decodeProtobuf(envelope('v1', 'ConfigMap', configMap))).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'default', labels: { team: 'a' }, finalizers: ['keep'] },
      data: { color: 'blue', size: 'small' },
      binaryData: { blob: '/wA=' },
      immutable: true,
    });
  });

  it('refuses bodies without the magic (400) and kinds it does not decode (415)', () => {
    expect(() => decodeProtobuf(Buffer.from('{}'))).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => decodeProtobuf(envelope('v1', 'Secret', Buffer.alloc(0)))).toThrow(expect.objectContaining({ status: 415 }));
  });
});

/**
 * Discovery documents: /api (APIVersions), /api/v1 and /apis/<group>/<version>
 * (APIResourceList), /apis (APIGroupList) and /apis/<group> (APIGroup), built from the resource
 * catalogue so only what is served is advertised. kubectl 1.33 first asks /api and /apis for the
 * aggregated form (`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`, then
 * v2beta1, then plain `application/json`): asked so, /api and /apis answer the v2
 * APIGroupDiscoveryList (every group, version and resource in one document, as kube-apiserver
 * does), which spares kubectl one request per group version; a client that asks for plain JSON
 * gets the plain documents.
 */
import { RESOURCE_TYPES, groupVersions, resourcesOf } from './resources';
import type { Json } from './status';

function groupEntry(group: string): Json {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map(({ groupVersion, version }) => ({ groupVersion, version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/** The discovery document at a path, or undefined when the path is not a discovery path served. */
export function discoveryDocument(path: string, serverAddress: string): Json | undefined {
  if (path === '/api') {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }
  if (path === '/apis') {
    const groups = [...new Set(groupVersions().map((gv) => gv.group))].filter(Boolean);
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupEntry) };
  }
  const legacy = /^\/api\/(v1)$/.exec(path);
  const named = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  const [group, version] = legacy ? ['', legacy[1]!] : named ? [named[1]!, named[2]] : [undefined, undefined];
  if (group === undefined) return undefined;
  if (version === undefined) {
    return groupVersions().some((gv) => gv.group === group) ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group) } : undefined;
  }
  const resources = resourcesOf(group, version);
  if (!resources.length) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: resources.flatMap((r) => [
      {
        name: r.name,
        singularName: r.singularName,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs,
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        ...(r.categories ? { categories: r.categories } : {}),
      },
      // As kube-apiserver lists `pods/eviction`: kubectl drain reads its group and version here.
      ...(r.subresources ?? []).map((sub) => ({ name: `${r.name}/${sub.name}`, singularName: '', namespaced: r.namespaced, group: sub.group, version: sub.version, kind: sub.kind, verbs: sub.verbs })),
    ]),
  };
}

export const AGGREGATED_DISCOVERY_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** Whether an Accept header asks for the v2 aggregated discovery document. */
export function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  return (accept ?? '')
    .split(',')
    .map((part) => part.trim())
    .some((part) => /^application\/json\s*;/.test(part) && /\bas=APIGroupDiscoveryList\b/.test(part) && /\bg=apidiscovery\.k8s\.io\b/.test(part) && /\bv=v2\b/.test(part));
}

/** The APIGroupDiscoveryList of /api (the core group) or /apis (the named groups). */
export function aggregatedDiscovery(path: '/api' | '/apis'): Json {
  const groups = [...new Set(groupVersions().map((gv) => gv.group))].filter((group) => (path === '/api' ? group === '' : group !== ''));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((group) => ({
      metadata: group ? { name: group } : {},
      versions: groupVersions()
        .filter((gv) => gv.group === group)
        .map(({ version }) => ({
          version,
          resources: RESOURCE_TYPES.filter((r) => r.group === group && r.version === version).map((r) => ({
            resource: r.name,
            responseKind: { group: r.group, version: r.version, kind: r.kind },
            scope: r.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: r.singularName,
            verbs: r.verbs,
            ...(r.shortNames ? { shortNames: r.shortNames } : {}),
            ...(r.categories ? { categories: r.categories } : {}),
            ...(r.subresources ? { subresources: r.subresources.map((sub) => ({ subresource: sub.name, responseKind: { group: sub.group, version: sub.version, kind: sub.kind }, verbs: sub.verbs })) } : {}),
          })),
          freshness: 'Current',
        })),
    })),
  };
}

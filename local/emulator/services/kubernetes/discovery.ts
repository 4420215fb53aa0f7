/**
 * Discovery documents: /api (APIVersions), /api/v1 and /apis/<group>/<version>
 * (APIResourceList), /apis (APIGroupList) and /apis/<group> (APIGroup), built from the resource
 * catalogue so only what is served is advertised. kubectl 1.33 first asks /api and /apis for the
 * aggregated form (`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`, with
 * plain `application/json` as its last choice); these answers are the plain documents with
 * content type application/json, on which client-go falls back to the per-group-version
 * documents, as it does against servers without aggregated discovery.
 */
import { groupVersions, resourcesOf } from './resources';
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
    resources: resources.map((r) => ({
      name: r.name,
      singularName: r.singularName,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    })),
  };
}

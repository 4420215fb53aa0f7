/** Merging a cluster's kubeconfig into the user's, as `aws eks update-kubeconfig` does. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { kubeconfigPath, mergeKubeconfig, writeMergedKubeconfig, type Kubeconfig } from '../../../cli/kubeconfig/merge';

const ARN = 'arn:aws:eks:us-east-1:000000000000:cluster/demo';
const incoming: Kubeconfig = {
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: ARN, cluster: { server: 'https://new.example' } }],
  contexts: [{ name: ARN, context: { cluster: ARN, user: ARN } }],
  users: [{ name: ARN, user: { exec: { command: 'aws' } } }],
  'current-context': ARN,
};
const existing: Kubeconfig = {
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [
    { name: 'kind-dev', cluster: { server: 'https://127.0.0.1:6443' } },
    { name: ARN, cluster: { server: 'https://old.example' } },
  ],
  contexts: [{ name: 'kind-dev', context: { cluster: 'kind-dev', user: 'kind-dev', namespace: 'apps' } }],
  users: [{ name: 'kind-dev', user: { token: 'abc' } }],
  'current-context': 'kind-dev',
  preferences: { colors: true },
  extensions: [{ name: 'x', extension: { a: 1 } }],
};

describe('mergeKubeconfig', () => {
  test('adds the cluster, context and user, replaces same-named ones, keeps the rest, and switches context', () => {
    const merged = mergeKubeconfig(existing, incoming);

    expect(merged.clusters).toEqual([
      { name: 'kind-dev', cluster: { server: 'https://127.0.0.1:6443' } },
      { name: ARN, cluster: { server: 'https://new.example' } },
    ]);
    expect(merged.contexts!.map((c) => c.name)).toEqual(['kind-dev', ARN]);
    expect(merged.users).toEqual([{ name: 'kind-dev', user: { token: 'abc' } }, { name: ARN, user: { exec: { command: 'aws' } } }]);
    expect(merged['current-context']).toBe(ARN);
    expect(merged.preferences).toEqual({ colors: true });
    expect(merged.extensions).toEqual(existing.extensions);
  });

  test('without setting the context, current-context stays', () => {
    expect(mergeKubeconfig(existing, incoming, { setCurrentContext: false })['current-context']).toBe('kind-dev');
  });

  test('into nothing: a whole kubeconfig', () => {
    expect(mergeKubeconfig(undefined, incoming)).toMatchObject({ apiVersion: 'v1', kind: 'Config', clusters: incoming.clusters, 'current-context': ARN });
  });
});

describe('the file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'eksp-kubeconfig-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('is read, merged and written back, private to the user (0600); its directory is made', () => {
    const path = join(dir, 'nested', 'config');
    writeMergedKubeconfig(path, JSON.stringify({ clusters: [] }));
    writeFileSync(path, stringify(existing));
    writeMergedKubeconfig(path, JSON.stringify(incoming));

    expect(parse(readFileSync(path, 'utf8'))).toEqual(mergeKubeconfig(existing, incoming));
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  test('an empty file counts as none', () => {
    const path = join(dir, 'config');
    writeFileSync(path, '');

    expect(writeMergedKubeconfig(path, JSON.stringify(incoming)).clusters).toEqual(incoming.clusters);
  });

  test('where: --kubeconfig, else KUBECONFIG’s first file, else ~/.kube/config', () => {
    expect(kubeconfigPath('/x/config', { KUBECONFIG: '/y:/z' })).toBe('/x/config');
    expect(kubeconfigPath(undefined, { KUBECONFIG: '/y:/z' })).toBe('/y');
    expect(kubeconfigPath(undefined, { HOME: '/home/me' })).toBe('/home/me/.kube/config');
  });
});

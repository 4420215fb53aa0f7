/**
 * Each verb and its flags → the HTTP request the CLI makes, against a fake API on 127.0.0.1:0.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eksp, FakeApi, fakeIo, type RecordedRequest } from '../../support/cli-harness';

const OPERATION = {
  id: 'op-1',
  type: 'UPDATE',
  action: 'ADD_NODEGROUP',
  cluster: 'demo',
  status: 'SUCCEEDED',
  phase: 'Completed',
  outputs: { action: 'ADD_NODEGROUP', target: 'ng-2', result: 'applied' },
  steps: [{ name: 'Create Nodegroup', resource: 'nodegroup ng-2', phase: 'Update', status: 'SUCCEEDED', startedAt: '2026-12-04T02:00:00.000Z', endedAt: '2026-12-04T02:03:00.000Z' }],
};
const CLUSTER = {
  name: 'demo',
  status: 'ACTIVE',
  owner: 'arn:aws:iam::000000000000:user/local-developer',
  kubernetesVersion: '1.32',
  createdAt: '2026-12-04T01:00:00.000Z',
  updatedAt: '2026-12-04T01:20:00.000Z',
  currentOperation: null,
  spec: {
    name: 'demo',
    identityMappings: [{ arn: 'arn:aws:iam::000000000000:role/dev', username: 'dev', groups: ['devs'] }],
    endpointAccess: { public: true, private: false, publicAccessCidrs: ['0.0.0.0/0'] },
    managedNodeGroups: [{ name: 'ng-1', minSize: 2, maxSize: 3, desiredSize: 2, instanceTypes: ['m5.large'] }],
    selfManagedNodeGroups: [{ name: 'batch', minSize: 0, maxSize: 4, desiredSize: 1, instanceTypes: ['c6i.xlarge', 'c5.xlarge'] }],
  },
  live: { endpointAccess: { public: true, private: false, publicAccessCidrs: ['203.0.113.0/24'] }, nodegroups: [{ name: 'ng-1', status: 'ACTIVE' }] },
  readyNodes: { 'ng-1': { ready: 1, desired: 2, observedAt: '2026-12-04T01:18:00.000Z' } },
};
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: arn:aws:eks:us-east-1:000000000000:cluster/demo
    cluster: { server: "https://127.0.0.1:4566/k8s/demo", certificate-authority-data: "Q0E=" }
contexts:
  - name: arn:aws:eks:us-east-1:000000000000:cluster/demo
    context: { cluster: "arn:aws:eks:us-east-1:000000000000:cluster/demo", user: "arn:aws:eks:us-east-1:000000000000:cluster/demo" }
current-context: arn:aws:eks:us-east-1:000000000000:cluster/demo
users:
  - name: arn:aws:eks:us-east-1:000000000000:cluster/demo
    user: { exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token, --cluster-name, demo] } }
`;
const UPGRADE_PLAN = {
  dryRun: true,
  plan: { cluster: 'demo', from: '1.32', to: '1.33', force: false, passes: ['1.33'], addons: [{ name: 'coredns', from: 'v1.11.4-eksbuild.2', to: 'v1.12.1-eksbuild.2' }], nodegroups: [{ name: 'ng-1', from: '1.32', to: '1.33' }], problems: [], canProceed: true },
  blocking: [],
};

function respond(request: RecordedRequest) {
  const { method, path } = request;
  if (method === 'POST' && path === '/clusters?dryRun=true') return { status: 200, body: { spec: { name: 'demo', version: '1.33' }, stackName: 'eksp-demo-cluster', steps: ['Create cluster stack eksp-demo-cluster'], template: {} } };
  if (method === 'POST' && path === '/clusters/demo/upgrade?dryRun=true') return { status: 200, body: UPGRADE_PLAN };
  if (method !== 'GET') return { status: 202, body: { operationId: 'op-1', cluster: 'demo', status: 'ACCEPTED', links: { operation: '/operations/op-1' } } };
  if (path === '/operations/op-1') return { status: 200, body: OPERATION };
  if (path === '/clusters') return { status: 200, body: { clusters: [CLUSTER] } };
  if (path === '/clusters/demo') return { status: 200, body: CLUSTER };
  if (path === '/clusters/demo/kubeconfig') return { status: 200, body: KUBECONFIG, contentType: 'application/yaml' };
  if (path === '/operations?cluster=demo') return { status: 200, body: { operations: [OPERATION] } };
  return undefined;
}

let api: FakeApi;
let dir: string;

beforeAll(async () => {
  api = await new FakeApi(respond).start();
  dir = mkdtempSync(join(tmpdir(), 'eksp-cli-'));
});
afterAll(async () => {
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => api.requests.splice(0));

async function requestsOf(...argv: string[]): Promise<Array<{ method: string; path: string; body?: unknown }>> {
  const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });
  const code = await eksp(io, ...argv);
  if (code !== 0) throw new Error(`eksp ${argv.join(' ')} exited ${code}: ${io.stderr.text}`);
  return api.calls.map((r) => ({ method: r.method, path: r.path, ...(r.body ? { body: JSON.parse(r.body) } : {}) }));
}

describe('each verb makes the request of its route', () => {
  const ARN = 'arn:aws:iam::000000000000:role/dev';
  const ENCODED = encodeURIComponent(ARN);
  test.each<[string, string[], Array<{ method: string; path: string; body?: unknown }>]>([
    ['create cluster --name', ['create', 'cluster', '--name', 'demo', '--version', '1.33'], [{ method: 'POST', path: '/clusters', body: { name: 'demo', version: '1.33' } }]],
    ['delete cluster', ['delete', 'cluster', '--name', 'demo'], [{ method: 'DELETE', path: '/clusters/demo' }]],
    ['delete cluster --disable-deletion-protection', ['delete', 'cluster', '-n', 'demo', '--disable-deletion-protection'], [{ method: 'DELETE', path: '/clusters/demo?disableDeletionProtection=true' }]],
    ['upgrade cluster (plan only)', ['upgrade', 'cluster', '--name', 'demo', '--version', '1.33'], [{ method: 'POST', path: '/clusters/demo/upgrade?dryRun=true', body: { version: '1.33' } }]],
    ['upgrade cluster --approve --force', ['upgrade', 'cluster', '--name', 'demo', '--version', '1.33', '--approve', '--force'], [{ method: 'POST', path: '/clusters/demo/upgrade', body: { version: '1.33', force: true } }]],
    [
      'create nodegroup',
      ['create', 'nodegroup', '--cluster', 'demo', '--name', 'ng-2', '--node-type', 't3.large', '--nodes', '3', '--nodes-min', '1', '--nodes-max', '5', '--node-volume-size', '40', '--node-labels', 'team=data,tier=batch', '--spot'],
      [{ method: 'POST', path: '/clusters/demo/nodegroups', body: { name: 'ng-2', instanceTypes: ['t3.large'], desiredSize: 3, minSize: 1, maxSize: 5, volumeSize: 40, labels: { team: 'data', tier: 'batch' }, capacityType: 'SPOT' } }],
    ],
    ['scale nodegroup', ['scale', 'nodegroup', '--cluster', 'demo', '--name', 'ng-1', '--nodes', '3', '--nodes-max', '4'], [{ method: 'PATCH', path: '/clusters/demo/nodegroups/ng-1', body: { desiredSize: 3, maxSize: 4 } }]],
    ['delete nodegroup', ['delete', 'nodegroup', '--cluster', 'demo', '--name', 'ng-1'], [{ method: 'DELETE', path: '/clusters/demo/nodegroups/ng-1' }]],
    ['create fargateprofile', ['create', 'fargateprofile', '--cluster', 'demo', '--name', 'fp-apps', '--namespace', 'apps', '--labels', 'run=fargate'], [{ method: 'POST', path: '/clusters/demo/fargate-profiles', body: { name: 'fp-apps', selectors: [{ namespace: 'apps', labels: { run: 'fargate' } }] } }]],
    ['delete fargateprofile', ['delete', 'fargateprofile', '--cluster', 'demo', '--name', 'fp-apps'], [{ method: 'DELETE', path: '/clusters/demo/fargate-profiles/fp-apps' }]],
    ['create iamidentitymapping', ['create', 'iamidentitymapping', '--cluster', 'demo', '--arn', 'arn:aws:iam::000000000000:role/ops', '--username', 'ops', '--group', 'a', '--group', 'b,c'], [{ method: 'POST', path: '/clusters/demo/access-entries', body: { arn: 'arn:aws:iam::000000000000:role/ops', username: 'ops', groups: ['a', 'b', 'c'] } }]],
    [
      'create iamidentitymapping --no-duplicate-arns reads the mappings first',
      ['create', 'iamidentitymapping', '--cluster', 'demo', '--arn', 'arn:aws:iam::000000000000:role/ops', '--no-duplicate-arns'],
      [{ method: 'GET', path: '/clusters/demo' }, { method: 'POST', path: '/clusters/demo/access-entries', body: { arn: 'arn:aws:iam::000000000000:role/ops' } }],
    ],
    ['get iamidentitymapping', ['get', 'iamidentitymapping', '--cluster', 'demo'], [{ method: 'GET', path: '/clusters/demo' }]],
    ['delete iamidentitymapping', ['delete', 'iamidentitymapping', '--cluster', 'demo', '--arn', ARN], [{ method: 'DELETE', path: `/clusters/demo/access-entries/${ENCODED}` }]],
    [
      'create accessentry',
      ['create', 'accessentry', '--cluster', 'demo', '--principal-arn', ARN, '--kubernetes-groups', 'deployers', '--access-policy', 'AmazonEKSEditPolicy', '--namespaces', 'apps'],
      [{ method: 'POST', path: '/clusters/demo/access-entries', body: { principalArn: ARN, kubernetesGroups: ['deployers'], accessPolicies: [{ policy: 'AmazonEKSEditPolicy', scope: 'namespace', namespaces: ['apps'] }] } }],
    ],
    ['delete accessentry', ['delete', 'accessentry', '--cluster', 'demo', '--principal-arn', ARN], [{ method: 'DELETE', path: `/clusters/demo/access-entries/${ENCODED}` }]],
    [
      'utils update-cluster-endpoints --approve keeps what is not given (the live CIDRs)',
      ['utils', 'update-cluster-endpoints', '--cluster', 'demo', '--private-access=true', '--approve'],
      [{ method: 'GET', path: '/clusters/demo' }, { method: 'PUT', path: '/clusters/demo/endpoint-access', body: { public: true, private: true, publicAccessCidrs: ['203.0.113.0/24'] } }],
    ],
    ['utils update-cluster-endpoints without --approve changes nothing', ['utils', 'update-cluster-endpoints', '--cluster', 'demo', '--public-access', 'false', '--private-access'], [{ method: 'GET', path: '/clusters/demo' }]],
    ['get clusters', ['get', 'clusters'], [{ method: 'GET', path: '/clusters' }]],
    ['get cluster --name', ['get', 'cluster', '--name', 'demo', '-o', 'json'], [{ method: 'GET', path: '/clusters/demo' }]],
    ['get nodegroup', ['get', 'nodegroup', '--cluster', 'demo'], [{ method: 'GET', path: '/clusters/demo' }]],
    ['get operations', ['get', 'operations', '--cluster', 'demo'], [{ method: 'GET', path: '/operations?cluster=demo' }]],
  ])('%s', async (_name, argv, expected) => {
    expect(await requestsOf(...argv)).toEqual(expected);
  });

  test('an operation route waits by default: it polls GET /operations/{id} until the end', async () => {
    await requestsOf('scale', 'nodegroup', '--cluster', 'demo', '--name', 'ng-1', '--nodes', '2');

    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['PATCH /clusters/demo/nodegroups/ng-1', 'GET /operations/op-1']);
  });

  test('delete waits only with --wait, as eksctl', async () => {
    await requestsOf('delete', 'nodegroup', '--cluster', 'demo', '--name', 'ng-1');
    const withoutWait = api.requests.length;
    api.requests.splice(0);
    await requestsOf('delete', 'nodegroup', '--cluster', 'demo', '--name', 'ng-1', '--wait');

    expect(withoutWait).toBe(1);
    expect(api.requests.map((r) => r.path)).toEqual(['/clusters/demo/nodegroups/ng-1', '/operations/op-1']);
  });
});

describe('create cluster -f sends the file as it is, with its media type', () => {
  test.each([
    ['spec.json', '{"name": "demo",\n "managedNodeGroups": []}\n', 'application/json'],
    ['spec.yaml', 'name: demo\nmanagedNodeGroups: []\n', 'application/yaml'],
    ['cluster.yml', 'apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: demo\n  region: us-east-1\n', 'application/yaml'],
  ])('%s → %s', async (file, text, contentType) => {
    const path = join(dir, file);
    writeFileSync(path, text);
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'create', 'cluster', '-f', path, '--no-wait');

    expect(code).toBe(0);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({ method: 'POST', path: '/clusters', body: text });
    expect(api.requests[0]!.headers['content-type']).toBe(contentType);
    expect(io.stdout.text).toContain('eksp watch op-1');
  });

  test('--dry-run asks for the plan and prints its stack, steps and spec', async () => {
    const path = join(dir, 'dry.json');
    writeFileSync(path, '{"name": "demo"}');
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'create', 'cluster', '-f', path, '--dry-run');

    expect(code).toBe(0);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /clusters?dryRun=true']);
    expect(io.stdout.text).toBe('stack: eksp-demo-cluster\nsteps:\n  - Create cluster stack eksp-demo-cluster\nspec:\n  name: demo\n  version: "1.33"\n');
  });
});

describe('output', () => {
  test('get clusters prints a table; -o json the API’s items; -o yaml the same as YAML', async () => {
    const table = fakeIo({ env: { EKSP_ENDPOINT: api.url } });
    const json = fakeIo({ env: { EKSP_ENDPOINT: api.url } });
    const yaml = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    await eksp(table, 'get', 'clusters');
    await eksp(json, 'get', 'clusters', '-o', 'json');
    await eksp(yaml, 'get', 'clusters', '-o', 'yaml');

    expect(table.stdout.lines).toEqual(['NAME   VERSION   STATUS   CREATED                    OPERATION', 'demo   1.32      ACTIVE   2026-12-04T01:00:00.000Z']);
    expect(JSON.parse(json.stdout.text)).toEqual([CLUSTER]);
    expect(yaml.stdout.text).toMatch(/^- name: demo\n {2}status: ACTIVE\n/);
  });

  test("get nodegroup prints each nodegroup of the spec with its Ready nodes at the workflow's last look; -o json the rows", async () => {
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });
    const json = fakeIo({ env: { EKSP_ENDPOINT: api.url } });
    const missing = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    await eksp(io, 'get', 'nodegroup', '--cluster', 'demo');
    await eksp(json, 'get', 'nodegroup', '--cluster', 'demo', '--name', 'ng-1', '-o', 'json');
    const code = await eksp(missing, 'get', 'nodegroup', '--cluster', 'demo', '--name', 'ng-9');

    expect(io.stdout.lines).toEqual([
      'CLUSTER   NODEGROUP   TYPE           STATUS   MIN SIZE   MAX SIZE   DESIRED CAPACITY   READY                                  INSTANCE TYPE',
      'demo      ng-1        managed        ACTIVE   2          3          2                  1/2 (as of 2026-12-04T01:18:00.000Z)   m5.large',
      'demo      batch       self-managed   -        0          4          1                  -                                      c6i.xlarge,c5.xlarge',
    ]);
    expect(JSON.parse(json.stdout.text)).toEqual([
      { cluster: 'demo', name: 'ng-1', type: 'managed', status: 'ACTIVE', minSize: 2, maxSize: 3, desiredSize: 2, instanceTypes: ['m5.large'], readyNodes: { ready: 1, desired: 2, observedAt: '2026-12-04T01:18:00.000Z' } },
    ]);
    expect(code).toBe(1);
    expect(missing.stderr.text).toBe('Error: no nodegroup "ng-9" in cluster "demo"\n');
  });

  test('get iamidentitymapping prints ARN, username and groups', async () => {
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    await eksp(io, 'get', 'iamidentitymapping', '--cluster', 'demo');

    expect(io.stdout.lines).toEqual(['ARN                                  USERNAME   GROUPS', 'arn:aws:iam::000000000000:role/dev   dev        devs']);
  });

  test('-o json on an operation route prints the ended operation alone on stdout; progress goes to stderr', async () => {
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'create', 'nodegroup', '--cluster', 'demo', '--name', 'ng-2', '-o', 'json');

    expect(code).toBe(0);
    expect(JSON.parse(io.stdout.text)).toEqual(OPERATION);
    expect(io.stderr.text).toContain('[✔]  created nodegroup "ng-2"');
  });

  test('upgrade cluster without --approve prints the plan as eksctl does and says nothing changed', async () => {
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'upgrade', 'cluster', '--name', 'demo', '--version', '1.33');

    expect(code).toBe(0);
    expect(io.stdout.lines.map((l) => l.slice(20))).toEqual([
      '[ℹ]  (plan) would upgrade cluster "demo" control plane from current version "1.32" to "1.33"',
      '[ℹ]  (plan) would update add-on "coredns" from v1.11.4-eksbuild.2 to v1.12.1-eksbuild.2',
      '[ℹ]  (plan) would upgrade nodegroup "ng-1" from 1.32 to 1.33',
      "[!]  no changes were applied, run again with '--approve' to apply the changes",
    ]);
  });

  test('utils write-kubeconfig merges into --kubeconfig and says where', async () => {
    const path = join(dir, 'kube', 'config');
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'utils', 'write-kubeconfig', '--cluster', 'demo', '--kubeconfig', path);

    expect(code).toBe(0);
    expect(readFileSync(path, 'utf8')).toContain('current-context: arn:aws:eks:us-east-1:000000000000:cluster/demo');
    expect(io.stdout.text).toContain(`[✔]  saved kubeconfig as "${path}"`);
  });
});

describe('errors', () => {
  let refusing: FakeApi;
  beforeAll(async () => {
    refusing = await new FakeApi(() => ({
      status: 409,
      contentType: 'application/problem+json',
      body: { type: 'https://eks-provisioner.dev/problems/cluster-busy', status: 409, title: 'Cluster busy', detail: 'cluster demo has operation op-9 in progress; retry when it ends', runningOperationId: 'op-9' },
    })).start();
  });
  afterAll(() => refusing.stop());

  test('a problem is printed with its title and detail, and how to follow the running operation; exit 1', async () => {
    const io = fakeIo({ env: { EKSP_ENDPOINT: refusing.url } });

    const code = await eksp(io, 'delete', 'cluster', '--name', 'demo');

    expect(code).toBe(1);
    expect(io.stderr.text).toBe('Error: Cluster busy: cluster demo has operation op-9 in progress; retry when it ends\n  follow it with: eksp watch op-9\n');
  });

  test('--endpoint wins over EKSP_ENDPOINT', async () => {
    const io = fakeIo({ env: { EKSP_ENDPOINT: 'http://127.0.0.1:9' } });

    await eksp(io, '--endpoint', api.url, 'get', 'clusters');

    expect(io.stderr.text).toBe('');
    expect(io.stdout.text).toContain('demo');
  });

  test('an unreachable API is named, with where the endpoint comes from', async () => {
    const io = fakeIo({ env: { EKSP_ENDPOINT: 'http://127.0.0.1:9' } });

    const code = await eksp(io, 'get', 'clusters');

    expect(code).toBe(1);
    expect(io.stderr.text).toMatch(/^Error: cannot reach the eks-provisioner API at http:\/\/127\.0\.0\.1:9: fetch failed .*\n {2}\(local mode: is `npm start` running\?/);
  });

  test('a missing required flag is a usage error, and nothing is sent', async () => {
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'delete', 'cluster');

    expect(code).toBe(1);
    expect(io.stderr.text).toContain("error: required option '-n, --name <name>' not specified");
    expect(api.requests).toEqual([]);
  });
});

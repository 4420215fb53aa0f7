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
    podIdentityAssociations: [
      { namespace: 'payments', serviceAccountName: 'ledger', roleArn: 'arn:aws:iam::000000000000:role/payments-ledger' },
      { namespace: 'jobs', serviceAccountName: 'runner', permissionPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'] },
    ],
    addons: [{ name: 'vpc-cni', version: 'v1.19.5-eksbuild.3', configurationValues: '{\n  "env": {"ENABLE_PREFIX_DELEGATION": "true"}\n}' }, { name: 'coredns' }, { name: 'eks-pod-identity-agent' }],
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
  plan: { cluster: 'demo', from: '1.32', to: '1.33', force: false, passes: ['1.33'], addons: [{ name: 'coredns', from: 'v1.11.4-eksbuild.2', to: 'v1.12.1-eksbuild.2' }], nodegroups: [{ name: 'ng-1', from: '1.32', to: '1.33' }], selfManagedNodegroups: [{ name: 'batch', from: '1.32', to: '1.33' }, { name: 'gpu', from: '1.32', to: '1.32', pinnedAmi: 'ami-0123456789abcdef0', skipped: 'its spec pins AMI ami-0123456789abcdef0, which the upgrade keeps' }], problems: [], canProceed: true },
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
      // Unset flags are eksctl's: public subnets without -P.
      [{ method: 'POST', path: '/clusters/demo/nodegroups', body: { name: 'ng-2', instanceTypes: ['t3.large'], desiredSize: 3, minSize: 1, maxSize: 5, volumeSize: 40, labels: { team: 'data', tier: 'batch' }, capacityType: 'SPOT', privateNetworking: false } }],
    ],
    [
      'create nodegroup: sizes and AMI family as eksctl derives them',
      ['create', 'nodegroup', '--cluster', 'demo', '--name', 'ng-arm', '--node-type', 'm7g.large', '--nodes', '4', '--node-ami-family', 'AmazonLinux2023', '-P'],
      [{ method: 'POST', path: '/clusters/demo/nodegroups', body: { name: 'ng-arm', instanceTypes: ['m7g.large'], amiType: 'AL2023_ARM_64_STANDARD', desiredSize: 4, minSize: 4, maxSize: 4, privateNetworking: true } }],
    ],
    [
      'create nodegroup --managed=false: a self-managed nodegroup',
      ['create', 'nodegroup', '--cluster', 'demo', '--name', 'ng-self', '--managed=false', '--node-type', 'c6i.xlarge', '--nodes', '2', '--nodes-max', '4', '--node-labels', 'workload=batch', '-P'],
      [{ method: 'POST', path: '/clusters/demo/nodegroups?managed=false', body: { name: 'ng-self', instanceTypes: ['c6i.xlarge'], desiredSize: 2, minSize: 2, maxSize: 4, labels: { workload: 'batch' }, privateNetworking: true } }],
    ],
    [
      'create nodegroup --managed false --spot: Spot through the instances distribution',
      ['create', 'nodegroup', '--cluster', 'demo', '--name', 'ng-spot', '--managed', 'false', '--instance-types', 'c6i.large,c5.large', '--spot'],
      [
        {
          method: 'POST',
          path: '/clusters/demo/nodegroups?managed=false',
          body: { name: 'ng-spot', instanceTypes: ['c6i.large', 'c5.large'], instancesDistribution: { onDemandBaseCapacity: 0, onDemandPercentageAboveBaseCapacity: 0, spotAllocationStrategy: 'capacity-optimized' }, minSize: 2, maxSize: 2, desiredSize: 2, privateNetworking: false },
        },
      ],
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
    ['utils associate-iam-oidc-provider --approve', ['utils', 'associate-iam-oidc-provider', '--cluster', 'demo', '--approve'], [{ method: 'PATCH', path: '/clusters/demo', body: { iam: { withOIDC: true } } }]],
    ['utils associate-iam-oidc-provider without --approve changes nothing', ['utils', 'associate-iam-oidc-provider', '--cluster', 'demo'], [{ method: 'GET', path: '/clusters/demo' }]],
    ['utils update-cluster-endpoints without --approve changes nothing', ['utils', 'update-cluster-endpoints', '--cluster', 'demo', '--public-access', 'false', '--private-access'], [{ method: 'GET', path: '/clusters/demo' }]],
    [
      'create addon',
      ['create', 'addon', '--cluster', 'demo', '--name', 'vpc-cni', '--version', 'v1.19.5-eksbuild.3', '--configuration-values', '{"env": {"ENABLE_PREFIX_DELEGATION": "true"}}'],
      [{ method: 'POST', path: '/clusters/demo/addons', body: { name: 'vpc-cni', version: 'v1.19.5-eksbuild.3', configurationValues: '{"env": {"ENABLE_PREFIX_DELEGATION": "true"}}' } }],
    ],
    ['get addons', ['get', 'addons', '--cluster', 'demo'], [{ method: 'GET', path: '/clusters/demo' }]],
    ['update addon', ['update', 'addon', '--cluster', 'demo', '--name', 'coredns', '--version', 'v1.12.1-eksbuild.2'], [{ method: 'PATCH', path: '/clusters/demo/addons/coredns', body: { version: 'v1.12.1-eksbuild.2' } }]],
    ['delete addon', ['delete', 'addon', '--cluster', 'demo', '--name', 'coredns'], [{ method: 'DELETE', path: '/clusters/demo/addons/coredns' }]],
    ['delete addon --preserve', ['delete', 'addon', '--cluster', 'demo', '--name', 'vpc-cni', '--preserve'], [{ method: 'DELETE', path: '/clusters/demo/addons/vpc-cni?preserve=true' }]],
    [
      'create podidentityassociation --role-arn',
      ['create', 'podidentityassociation', '--cluster', 'demo', '--namespace', 'payments', '--service-account-name', 'ledger', '--role-arn', 'arn:aws:iam::000000000000:role/payments-ledger'],
      [{ method: 'POST', path: '/clusters/demo/pod-identity-associations', body: { namespace: 'payments', serviceAccountName: 'ledger', roleArn: 'arn:aws:iam::000000000000:role/payments-ledger' } }],
    ],
    [
      'create podidentityassociation --permission-policy-arns',
      ['create', 'podidentityassociation', '--cluster', 'demo', '--namespace', 'jobs', '--service-account-name', 'runner', '--permission-policy-arns', 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess,arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess'],
      [{ method: 'POST', path: '/clusters/demo/pod-identity-associations', body: { namespace: 'jobs', serviceAccountName: 'runner', permissionPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess', 'arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess'] } }],
    ],
    ['get podidentityassociation', ['get', 'podidentityassociation', '--cluster', 'demo', '--namespace', 'payments'], [{ method: 'GET', path: '/clusters/demo' }]],
    ['delete podidentityassociation', ['delete', 'podidentityassociation', '--cluster', 'demo', '--namespace', 'payments', '--service-account-name', 'ledger'], [{ method: 'DELETE', path: '/clusters/demo/pod-identity-associations/payments/ledger' }]],
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

  test('create addon --configuration-values @FILE sends the file’s text; --wait follows the operation', async () => {
    const values = join(dir, 'values.yaml');
    writeFileSync(values, 'env:\n  WARM_IP_TARGET: "2"\n');

    await requestsOf('create', 'addon', '--cluster', 'demo', '--name', 'vpc-cni', '--configuration-values', `@${values}`, '--wait');

    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /clusters/demo/addons', 'GET /operations/op-1']);
    expect(JSON.parse(api.requests[0]!.body)).toEqual({ name: 'vpc-cni', configurationValues: 'env:\n  WARM_IP_TARGET: "2"\n' });
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

describe('create nodegroup -f: the nodegroups of a ClusterConfig, translated as the service translates it', () => {
  const EXAMPLE = join(__dirname, '../../../examples/eksctl-cluster.yaml');

  test('managedNodeGroups go to the managed route, nodeGroups to ?managed=false, one after another, each waited for', async () => {
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'create', 'nodegroup', '-f', EXAMPLE);

    expect({ code, stderr: io.stderr.text }).toEqual({ code: 0, stderr: '' });
    expect(api.requests.map((r) => `${r.method} ${r.path}${r.body ? ` ${(JSON.parse(r.body) as { name: string }).name}` : ''}`)).toEqual([
      'POST /clusters/payments-prod/nodegroups general',
      'GET /operations/op-1',
      'POST /clusters/payments-prod/nodegroups?managed=false batch',
      'GET /operations/op-1',
      'POST /clusters/payments-prod/nodegroups?managed=false batch-spot',
      'GET /operations/op-1',
    ]);
    expect(JSON.parse(api.requests[2]!.body)).toEqual({
      name: 'batch',
      instanceTypes: ['c6i.xlarge'],
      desiredSize: 2,
      minSize: 1,
      maxSize: 4,
      privateNetworking: true,
      labels: { workload: 'batch' },
      taints: [{ key: 'workload', value: 'batch', effect: 'NoSchedule' }],
    });
    expect(JSON.parse(api.requests[4]!.body)).toMatchObject({
      name: 'batch-spot',
      instanceTypes: ['c6i.xlarge', 'c5.xlarge', 'm6i.xlarge'],
      instancesDistribution: { onDemandBaseCapacity: 0, onDemandPercentageAboveBaseCapacity: 0, spotAllocationStrategy: 'price-capacity-optimized' },
    });
  });

  test('the first nodegroup that does not succeed stops the rest, which are named; exit 1', async () => {
    const failed = { ...OPERATION, status: 'FAILED', phase: 'Update', error: { code: 'NodeCreationFailure', message: 'instances failed to join the cluster', resource: 'nodegroup general' } };
    const failing = await new FakeApi((r) => (r.method === 'GET' ? { status: 200, body: failed } : respond(r))).start();
    const io = fakeIo({ env: { EKSP_ENDPOINT: failing.url } });

    const code = await eksp(io, 'create', 'nodegroup', '-f', EXAMPLE);
    await failing.stop();

    expect(code).toBe(1);
    expect(failing.calls.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /clusters/payments-prod/nodegroups']);
    expect(io.stderr.lines.map((l) => l.slice(20))).toEqual(['[✖]  not created, after nodegroup "general" did not succeed: batch, batch-spot']);
  });

  test('--include picks nodegroups by name; one alone may go --no-wait', async () => {
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'create', 'nodegroup', '-f', EXAMPLE, '--include', 'batch-spot', '--no-wait');

    expect(code).toBe(0);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /clusters/payments-prod/nodegroups?managed=false']);
  });

  test.each<[string, string, string[], string]>([
    [
      'a field the service cannot honour is named by its place in the file',
      'apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: { name: demo }\nnodeGroups:\n  - name: ng-1\n    maxPodsPerNode: 50\n',
      [],
      "Error: the service cannot honour this field:\n  /nodeGroups/0/maxPodsPerNode: the nodes use the AMI's max-pods (from the VPC CNI's limits); overriding it is not offered\n",
    ],
    ['several nodegroups cannot go --no-wait', 'apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: { name: demo }\nnodeGroups: [{ name: a }, { name: b }]\n', ['--no-wait'], 'Error: --no-wait takes one nodegroup: a cluster runs one operation at a time, so several are created one after another, each waited for\n'],
    ['--cluster must be the file’s', 'apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: { name: demo }\nnodeGroups: [{ name: a }]\n', ['--cluster', 'other'], "Error: --cluster other is not FILE's cluster (demo)\n"],
    ['--include names a nodegroup of the file', 'apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: { name: demo }\nnodeGroups: [{ name: a }]\n', ['--include', 'b'], 'Error: FILE has no nodegroup b\n'],
  ])('%s; nothing is sent', async (_name, text, flags, stderr) => {
    const path = join(dir, 'nodegroups.yaml');
    writeFileSync(path, text);
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'create', 'nodegroup', '-f', path, ...flags);

    expect(code).toBe(1);
    expect(io.stderr.text.replaceAll(path, 'FILE')).toBe(stderr);
    expect(api.requests).toEqual([]);
  });

  test('a flag asking what the service cannot honour is named by the flag', async () => {
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'create', 'nodegroup', '--cluster', 'demo', '--name', 'ng-u', '--managed=false', '--node-ami-family', 'Ubuntu2204');

    expect(code).toBe(1);
    expect(io.stderr.text).toBe('Error: the service cannot honour this field:\n  --node-ami-family: self-managed nodes run Amazon Linux 2023 only (they join with nodeadm)\n');
    expect(api.requests).toEqual([]);
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

  test('get addons prints name, version (EKS’s default when the spec names none) and configuration values on one line', async () => {
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    await eksp(io, 'get', 'addons', '--cluster', 'demo');

    expect(io.stdout.lines).toEqual([
      'NAME                     VERSION              CONFIGURATION VALUES',
      'vpc-cni                  v1.19.5-eksbuild.3   { "env": {"ENABLE_PREFIX_DELEGATION": "true"} }',
      'coredns                  (EKS default)',
      'eks-pod-identity-agent   (EKS default)',
    ]);
  });

  test('get podidentityassociation prints each association’s role, or the policies of the role the service makes', async () => {
    const all = fakeIo({ env: { EKSP_ENDPOINT: api.url } });
    const none = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    await eksp(all, 'get', 'podidentityassociation', '--cluster', 'demo');
    await eksp(none, 'get', 'podidentityassociation', '--cluster', 'demo', '--namespace', 'web');

    expect(all.stdout.lines).toEqual([
      'NAMESPACE   SERVICE ACCOUNT NAME   IAM ROLE ARN                                     PERMISSION POLICY ARNS',
      'payments    ledger                 arn:aws:iam::000000000000:role/payments-ledger',
      'jobs        runner                 (made by the service)                            arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    ]);
    expect(none.stdout.text).toBe('No Pod Identity associations on cluster demo in namespace web\n');
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
      '[ℹ]  (plan) would replace the nodes of self-managed nodegroup "batch" with 1.33 nodes, one at a time',
      '[ℹ]  (plan) would leave self-managed nodegroup "gpu" as it is: its spec pins AMI ami-0123456789abcdef0, which the upgrade keeps',
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
    expect(io.stderr.text).toMatch(/\nError: cannot reach the eks-provisioner API at http:\/\/127\.0\.0\.1:9: fetch failed .*\n {2}gave up after 5 attempts\n {2}\(local mode: is `npm start` running\?/);
  });

  test.each([
    ['create podidentityassociation with both roles', ['create', 'podidentityassociation', '-c', 'demo', '--namespace', 'a', '--service-account-name', 'b', '--role-arn', 'arn:aws:iam::000000000000:role/r', '--permission-policy-arns', 'arn:aws:iam::aws:policy/P'], 'Error: give either --role-arn or --permission-policy-arns\n'],
    ['create podidentityassociation with no role', ['create', 'podidentityassociation', '-c', 'demo', '--namespace', 'a', '--service-account-name', 'b'], 'Error: give either --role-arn or --permission-policy-arns\n'],
    ['update addon with nothing to change', ['update', 'addon', '-c', 'demo', '-n', 'coredns'], 'Error: update addon needs --version or --configuration-values\n'],
    ['create addon --configuration-values @ a missing file', ['create', 'addon', '-c', 'demo', '-n', 'vpc-cni', '--configuration-values', '@/nonexistent/values.json'], "Error: --configuration-values @/nonexistent/values.json: ENOENT: no such file or directory, open '/nonexistent/values.json'\n"],
  ])('%s is a usage error, and nothing is sent', async (_name, argv, stderr) => {
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, ...argv);

    expect({ code, stderr: io.stderr.text }).toEqual({ code: 1, stderr });
    expect(api.requests).toEqual([]);
  });

  test('a missing required flag is a usage error, and nothing is sent', async () => {
    const io = fakeIo({ env: { EKSP_ENDPOINT: api.url } });

    const code = await eksp(io, 'delete', 'cluster');

    expect(code).toBe(1);
    expect(io.stderr.text).toContain("error: required option '-n, --name <name>' not specified");
    expect(api.requests).toEqual([]);
  });
});

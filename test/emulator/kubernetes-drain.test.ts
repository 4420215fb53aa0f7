/**
 * The real kubectl 1.33 cordoning and draining a node of an emulated EKS cluster (three nodes of
 * a managed nodegroup; the vpc-cni, kube-proxy and coredns add-ons): `kubectl cordon` shows the
 * node SchedulingDisabled, `kubectl get pdb` the coredns add-on's own budget, `kubectl drain
 * --ignore-daemonsets` evicts the coredns pod (its replacement runs on another node) while a
 * budget allows it, and retries with the disruption-budget message until its timeout while a
 * budget of minAvailable 2 forbids it. kubectl gets a fresh EKS token (k8s-aws-v1., signed as the
 * cluster's creator) on each call through --token, so only kubectl itself is needed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAddonCommand, CreateClusterCommand, CreateNodegroupCommand, DescribeClusterCommand, DescribeNodegroupCommand, type Cluster } from '@aws-sdk/client-eks';
import { kubernetesToken } from '../../functions/ports/kubernetes-token';
import { createKubernetesService } from '../../local/emulator/services/kubernetes';
import { spawnCollect, type ToolRun } from '../support/aws-tools';
import { CLUSTER_ROLE_ARN, NODE_ROLE_ARN, startEksWorld, type EksWorld } from '../support/eks-world';
import { kubeFetch } from '../support/kube-fetch';
import { emulatorOnlyEnvironment, itWith, tools } from '../support/third-party';
import { until } from '../support/until';

const SCALE = 0.001;
const KEYS = { accessKeyId: 'AKIDDRAINADMIN', secretAccessKey: 'x' };
const withKubectl = itWith(tools.kubectl, 'kubectl');
/** The emulated kubectl drain budget: kubectl retries a refused eviction every 5 real seconds. */
jest.setTimeout(60_000);

let env: EksWorld;
let cluster: Cluster;
let dir: string;

interface PodView {
  metadata: { name: string; deletionTimestamp?: string; ownerReferences: Array<{ kind: string }> };
  spec: { nodeName?: string };
  status: { phase: string };
}

beforeAll(async () => {
  if (!tools.kubectl) return;
  env = await startEksWorld({ scale: SCALE, accessKeyId: KEYS.accessKeyId, more: (world, eks) => [createKubernetesService(world, { eks })] });
  await env.eks.send(new CreateClusterCommand({ name: 'drain', version: '1.33', roleArn: CLUSTER_ROLE_ARN, resourcesVpcConfig: { subnetIds: env.subnets } }));
  cluster = await until(() => env.eks.send(new DescribeClusterCommand({ name: 'drain' })).then((r) => r.cluster!), (c) => c.status === 'ACTIVE', 'cluster ACTIVE');
  for (const addonName of ['vpc-cni', 'kube-proxy', 'coredns']) await env.eks.send(new CreateAddonCommand({ clusterName: 'drain', addonName }));
  await env.eks.send(new CreateNodegroupCommand({ clusterName: 'drain', nodegroupName: 'ng', nodeRole: NODE_ROLE_ARN, subnets: env.subnets, scalingConfig: { minSize: 3, maxSize: 3, desiredSize: 3 }, instanceTypes: ['t3.medium'] }));
  await until(() => env.eks.send(new DescribeNodegroupCommand({ clusterName: 'drain', nodegroupName: 'ng' })).then((r) => r.nodegroup!.status), (s) => s === 'ACTIVE', 'nodegroup ACTIVE');
  dir = mkdtempSync(join(tmpdir(), 'eksp-drain-'));
  writeFileSync(
    join(dir, 'config'),
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'drain', cluster: { server: cluster.endpoint, 'certificate-authority-data': cluster.certificateAuthority!.data } }],
      users: [{ name: 'admin', user: {} }],
      contexts: [{ name: 'admin', context: { cluster: 'drain', user: 'admin' } }],
      'current-context': 'admin',
    }),
  );
  // Two coredns pods Running on Ready nodes: what a drain starts from.
  await until(() => api('GET', '/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns'), (r) => r.body.items?.filter((p: PodView) => p.status.phase === 'Running').length === 2, 'coredns Running', 10_000);
}, 60_000);

afterAll(async () => {
  await env?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const token = () => kubernetesToken('drain', 'us-east-1', async () => KEYS);

async function kubectl(...args: string[]): Promise<ToolRun> {
  return spawnCollect('kubectl', ['--kubeconfig', join(dir, 'config'), '--token', await token(), ...args], { ...emulatorOnlyEnvironment(env.emulator.url), HOME: dir });
}

async function api(method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${await token()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await kubeFetch(`${cluster.endpoint}${path}`, Buffer.from(cluster.certificateAuthority!.data!, 'base64').toString(), { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: response.status, body: response.json<Record<string, any>>() }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const corednsPods = async (): Promise<PodView[]> => (await api('GET', '/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns')).body.items;
const podsOn = async (node: string): Promise<PodView[]> => (await api('GET', `/api/v1/pods?fieldSelector=spec.nodeName%3D${node}`)).body.items;
const allRunning = (pods: PodView[]) => pods.length === 2 && pods.every((p) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp);

describe('kubectl cordon and drain against an emulated EKS cluster', () => {
  withKubectl('`kubectl get pdb -n kube-system` shows the coredns add-on budget: maxUnavailable 1, one disruption allowed', async () => {
    const run = await kubectl('get', 'pdb', '-n', 'kube-system');

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout.split('\n')[0]).toMatch(/^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE$/);
    expect(run.stdout.split('\n')[1]).toMatch(/^coredns\s+N\/A\s+1\s+1\s+\S+$/);
  });

  withKubectl('`kubectl cordon` marks the node SchedulingDisabled and taints it; `kubectl get pods -A --field-selector spec.nodeName=` lists what runs there', async () => {
    const node = (await corednsPods())[0]!.spec.nodeName!;

    const cordon = await kubectl('cordon', node);
    const nodes = await kubectl('get', 'nodes');
    const onNode = await kubectl('get', 'pods', '-A', '--field-selector', `spec.nodeName=${node}`, '-o', 'name');
    const object = (await api('GET', `/api/v1/nodes/${node}`)).body;
    const uncordon = await kubectl('uncordon', node);

    expect({ code: cordon.code, stdout: cordon.stdout.trim() }).toEqual({ code: 0, stdout: `node/${node} cordoned` });
    expect(nodes.stdout.split('\n').find((line) => line.startsWith(node))).toMatch(/^\S+\s+Ready,SchedulingDisabled\s/);
    expect(nodes.stdout.split('\n').filter((line) => /\sReady\s/.test(line))).toHaveLength(2);
    expect(onNode.stdout.trim().split('\n').map((name) => name.replace(/-([a-z0-9]{10}-)?[a-z0-9]{5}$/, '')).sort()).toEqual(['pod/aws-node', 'pod/coredns', 'pod/kube-proxy']);
    expect(object.spec).toMatchObject({ unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] });
    expect(uncordon.stdout.trim()).toBe(`node/${node} uncordoned`);
    expect((await api('GET', `/api/v1/nodes/${node}`)).body.spec.unschedulable).toBeUndefined();
  });

  withKubectl('`kubectl drain --ignore-daemonsets` evicts the coredns pod while its budget allows; the replacement runs on another node', async () => {
    const [evicted] = await corednsPods();
    const node = evicted!.spec.nodeName!;

    const drain = await kubectl('drain', node, '--ignore-daemonsets', '--timeout=30s');

    expect(drain.code).toBe(0);
    expect(drain.stdout).toContain(`node/${node} cordoned`);
    expect(drain.stdout).toContain(`pod/${evicted!.metadata.name} evicted`);
    expect(drain.stdout).toContain(`node/${node} drained`);
    expect(drain.stderr).toMatch(/Warning: ignoring DaemonSet-managed Pods: kube-system\/aws-node-\S+, kube-system\/kube-proxy-\S+/);
    // Only the DaemonSets' pods stay on the drained node; coredns is back to two Running pods elsewhere.
    expect((await podsOn(node)).map((p) => p.metadata.ownerReferences[0]!.kind)).toEqual(['DaemonSet', 'DaemonSet']);
    const after = await until(corednsPods, allRunning, 'coredns back to two Running pods');
    expect(after.map((p) => p.metadata.name)).not.toContain(evicted!.metadata.name);
    expect(after.map((p) => p.spec.nodeName)).not.toContain(node);
    expect((await kubectl('uncordon', node)).code).toBe(0);
  });

  withKubectl('`kubectl drain` retries and times out with the disruption-budget message while a budget of minAvailable 2 (kubectl apply) forbids evicting', async () => {
    await until(corednsPods, allRunning, 'coredns Running');
    writeFileSync(
      join(dir, 'pdb.yaml'),
      ['apiVersion: policy/v1', 'kind: PodDisruptionBudget', 'metadata:', '  name: coredns', '  namespace: kube-system', 'spec:', '  minAvailable: 2', '  selector:', '    matchLabels:', '      k8s-app: kube-dns', ''].join('\n'),
    );
    expect((await kubectl('delete', 'pdb', 'coredns', '-n', 'kube-system')).stdout.trim()).toBe('poddisruptionbudget.policy "coredns" deleted');
    const apply = await kubectl('apply', '-f', join(dir, 'pdb.yaml'));
    const pdb = await kubectl('get', 'pdb', 'coredns', '-n', 'kube-system');
    const [blocked] = await corednsPods();

    const drain = await kubectl('drain', blocked!.spec.nodeName!, '--ignore-daemonsets', '--timeout=7s');
    const eviction = await api('POST', `/api/v1/namespaces/kube-system/pods/${blocked!.metadata.name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: blocked!.metadata.name, namespace: 'kube-system' } });

    expect({ code: apply.code, stdout: apply.stdout.trim() }).toEqual({ code: 0, stdout: 'poddisruptionbudget.policy/coredns created' });
    expect(pdb.stdout.split('\n')[1]).toMatch(/^coredns\s+2\s+N\/A\s+0\s+\S+$/);
    expect(drain.code).not.toBe(0);
    expect(drain.stderr).toContain(`error when evicting pods/"${blocked!.metadata.name}" -n "kube-system" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.`);
    expect(drain.stderr).toMatch(/global timeout reached: 7s/);
    expect(eviction).toEqual({
      status: 429,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: "Cannot evict pod as it would violate the pod's disruption budget.",
        reason: 'TooManyRequests',
        details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget coredns needs 2 healthy pods and has 2 currently' }] },
        code: 429,
      },
    });
    // Refused: the pod still runs, not terminating.
    expect((await corednsPods()).find((p) => p.metadata.name === blocked!.metadata.name)?.metadata.deletionTimestamp).toBeUndefined();
  });
});

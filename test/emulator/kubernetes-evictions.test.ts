/**
 * Node readiness, cordons and evictions of an emulated EKS cluster (three nodes of a managed
 * nodegroup), read as the API serves them: nodes NotReady until the VPC CNI runs, a
 * `node-not-ready` fault, and the eviction rules — budgets, terminating pods, replacements
 * placed on schedulable nodes, DaemonSet pods coming back. What must happen while a replacement
 * starts (5 emulated seconds) is done in one synchronous step right after the eviction.
 */
import { CreateAddonCommand, CreateClusterCommand, CreateNodegroupCommand, DescribeClusterCommand, DescribeNodegroupCommand } from '@aws-sdk/client-eks';
import { snapshotWorld, restoreWorld } from '../../local/emulator/persistence';
import type { Cluster } from '../../local/emulator/services/eks/state';
import { createKubernetesService } from '../../local/emulator/services/kubernetes';
import { deletePod, evictPod } from '../../local/emulator/services/kubernetes/evictions';
import { CNI_NOT_READY, nodeReadiness } from '../../local/emulator/services/kubernetes/node-readiness';
import { patchNode } from '../../local/emulator/services/kubernetes/node-writes';
import { StatusError } from '../../local/emulator/services/kubernetes/status';
import { clusterObjects } from '../../local/emulator/services/kubernetes/workloads';
import type { Instance } from '../../local/emulator/world';
import { CLUSTER_ROLE_ARN, NODE_ROLE_ARN, startEksWorld, type EksWorld } from '../support/eks-world';
import { until } from '../support/until';

// 0.01: a replacement starts for 50 real ms, enough for the synchronous checks made meanwhile.
const SCALE = 0.01;
const MERGE = 'application/merge-patch+json';

let env: EksWorld;
let cluster: Cluster;

/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects read as JSON */
const derived = () => clusterObjects(env.world, cluster);
const nodes = () => derived().nodes as any[];
const ready = (node: any) => node.status.conditions.find((c: { type: string }) => c.type === 'Ready');
const pods = (app: string) => (derived().pods as any[]).filter((p) => p.metadata.labels['k8s-app'] === app);
const live = (app: string) => pods(app).filter((p) => !p.metadata.deletionTimestamp);
const failure = (run: () => unknown): StatusError => {
  try {
    run();
  } catch (error) {
    return error as StatusError;
  }
  throw new Error('expected a failure');
};
/* eslint-enable @typescript-eslint/no-explicit-any */

beforeAll(async () => {
  env = await startEksWorld({ scale: SCALE, accessKeyId: 'AKIDEVICTIONS', more: (world, eks) => [createKubernetesService(world, { eks })] });
  await env.eks.send(new CreateClusterCommand({ name: 'ev', roleArn: CLUSTER_ROLE_ARN, resourcesVpcConfig: { subnetIds: env.subnets } }));
  await until(() => env.eks.send(new DescribeClusterCommand({ name: 'ev' })).then((r) => r.cluster!.status), (s) => s === 'ACTIVE', 'cluster ACTIVE', 20_000);
  await env.eks.send(new CreateNodegroupCommand({ clusterName: 'ev', nodegroupName: 'ng', nodeRole: NODE_ROLE_ARN, subnets: env.subnets, scalingConfig: { minSize: 3, maxSize: 3, desiredSize: 3 }, instanceTypes: ['t3.medium'] }));
  await until(() => env.eks.send(new DescribeNodegroupCommand({ clusterName: 'ev', nodegroupName: 'ng' })).then((r) => r.nodegroup!.status), (s) => s === 'ACTIVE', 'nodegroup ACTIVE', 10_000);
  cluster = env.state.clusters.get('ev')!;
}, 60_000);

afterAll(() => env?.stop());

describe('node readiness', () => {
  it('registers a kubelet 30–60 s after launch, Ready 10–20 s after the VPC CNI reaches it', () => {
    const launchTime = new Date('2026-01-01T00:00:00Z');
    const instance = { instanceId: 'i-0readiness0000001', launchTime, tags: {} } as unknown as Instance;
    const withCni = { ...cluster, name: 'timing', addons: new Map([['vpc-cni', { status: 'ACTIVE', createdAt: new Date('2025-12-31T00:00:00Z') }]]) } as unknown as Cluster;
    const at = (seconds: number) => new Date(launchTime.getTime() + seconds * 1000);

    const { registeredAt } = nodeReadiness(env.world, withCni, instance, ['ng'], at(0));
    const offset = (registeredAt.getTime() - launchTime.getTime()) / 1000;
    expect(offset).toBeGreaterThanOrEqual(30);
    expect(offset).toBeLessThanOrEqual(60);
    expect(nodeReadiness(env.world, withCni, instance, ['ng'], at(offset)).condition).toMatchObject({ status: 'False', reason: 'KubeletNotReady', message: CNI_NOT_READY.message });
    expect(nodeReadiness(env.world, withCni, instance, ['ng'], at(offset + 9.9)).ready).toBe(false);
    expect(nodeReadiness(env.world, withCni, instance, ['ng'], at(offset + 20)).condition).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    // The same instance always draws the same delays.
    expect(nodeReadiness(env.world, withCni, instance, ['ng'], at(999)).registeredAt).toEqual(registeredAt);
  });

  it('keeps the EC2 nodes NotReady (network plugin not initialized, not-ready taint) while the cluster has no vpc-cni add-on, then Ready once it runs', async () => {
    expect(nodes()).toHaveLength(3);
    for (const node of nodes()) {
      expect(ready(node)).toMatchObject({ status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized' });
      expect(node.spec.taints).toEqual([{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]);
    }
    for (const addonName of ['vpc-cni', 'kube-proxy', 'coredns']) await env.eks.send(new CreateAddonCommand({ clusterName: 'ev', addonName }));
    await until(async () => nodes(), (all) => all.every((n) => ready(n).status === 'True'), 'nodes Ready', 10_000);
    expect(nodes().every((n) => n.spec.taints === undefined)).toBe(true);
    await until(async () => live('kube-dns'), (all) => all.length === 2 && all.every((p) => p.status.phase === 'Running'), 'coredns Running');
  });

  it('a node-not-ready fault keeps the nodegroup’s nodes Unknown (kubelet stopped posting) with the unreachable taint, until cleared', () => {
    expect(() => env.world.faults.add([{ kind: 'node-not-ready', nodegroup: 'ng', status: 'Maybe' }])).toThrow('rules[0].status must be False or Unknown');
    env.world.faults.add([{ kind: 'node-not-ready', nodegroup: 'ng' }]);
    const faulted = nodes();
    env.world.faults.clear();

    for (const node of faulted) {
      expect(ready(node)).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
      expect(node.status.conditions.map((c: { status: string }) => c.status)).toEqual(['Unknown', 'Unknown', 'Unknown', 'Unknown']);
      expect(node.spec.taints).toEqual([{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]);
    }
    env.world.faults.add([{ kind: 'node-not-ready', nodegroup: 'other-ng', status: 'False', reason: 'KubeletNotReady', message: 'PLEG is not healthy' }]);
    expect(nodes().every((n) => ready(n).status === 'True')).toBe(true);
    env.world.faults.clear();
  });
});

describe('evictions', () => {
  it('evicts a coredns pod: it terminates for 30 s while its replacement starts on the least busy other node; a second eviction meanwhile is refused by the budget', async () => {
    const [first, second] = live('kube-dns');
    const before = new Set(pods('kube-dns').map((p) => p.metadata.name));
    const busy = new Set(live('kube-dns').map((p) => p.spec.nodeName));

    const granted = evictPod(env.world, cluster, 'kube-system', first.metadata.name, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: first.metadata.name } }, false);
    const refused = failure(() => evictPod(env.world, cluster, 'kube-system', second.metadata.name, {}, false));
    const after = pods('kube-dns');

    expect(granted).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    const evicted = after.find((p) => p.metadata.name === first.metadata.name);
    expect(evicted.metadata).toMatchObject({ deletionGracePeriodSeconds: 30, deletionTimestamp: expect.any(String) });
    const replacement = after.find((p) => !before.has(p.metadata.name));
    expect(replacement.status.phase).toBe('Pending');
    expect(replacement.status.containerStatuses[0].state).toEqual({ waiting: { reason: 'ContainerCreating' } });
    expect(busy.has(replacement.spec.nodeName)).toBe(false);
    expect(refused).toBeInstanceOf(StatusError);
    expect({ status: refused.status, code: refused.code, message: refused.message, details: refused.details }).toEqual({
      status: 429,
      code: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget coredns needs 1 healthy pods and has 1 currently' }] },
    });
    // Gone after its grace period; the replacement Running.
    await until(async () => pods('kube-dns'), (all) => all.length === 2 && all.every((p) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp), 'evicted pod gone');
  });

  it('never places a replacement on a cordoned node', async () => {
    const [victim] = live('kube-dns');
    const others = nodes().map((n) => n.metadata.name).filter((n) => n !== victim.spec.nodeName);
    // Only the victim's node and one other stay schedulable... and the victim's node is the one being drained.
    patchNode(env.world, cluster, victim.spec.nodeName, MERGE, { spec: { unschedulable: true } }, false);
    patchNode(env.world, cluster, others[0]!, MERGE, { spec: { unschedulable: true } }, false);

    const before = new Set(pods('kube-dns').map((p) => p.metadata.name));

    evictPod(env.world, cluster, 'kube-system', victim.metadata.name, {}, false);

    const replacement = live('kube-dns').find((p) => !before.has(p.metadata.name));
    expect(replacement.spec.nodeName).toBe(others[1]);
    for (const name of [victim.spec.nodeName, others[0]!]) patchNode(env.world, cluster, name, 'application/strategic-merge-patch+json', { spec: { unschedulable: null } }, false);
    expect(env.world.kubeNodes.cordons.size).toBe(0);
    await until(async () => live('kube-dns'), (all) => all.every((p) => p.status.phase === 'Running'), 'replacement Running');
  });

  it('evicts a DaemonSet pod, which its DaemonSet brings back on the same node under a new name once it is gone', async () => {
    const [node] = nodes();
    const original = live('aws-node').find((p) => p.spec.nodeName === node.metadata.name);

    evictPod(env.world, cluster, 'kube-system', original.metadata.name, {}, false);

    expect(pods('aws-node').filter((p) => p.spec.nodeName === node.metadata.name).map((p) => [p.metadata.name, p.metadata.deletionTimestamp !== undefined])).toEqual([[original.metadata.name, true]]);
    const back = await until(async () => live('aws-node').filter((p) => p.spec.nodeName === node.metadata.name), (on) => on.length === 1 && pods('aws-node').length === 3, 'aws-node back');
    expect(back[0].metadata.name).not.toBe(original.metadata.name);
    expect(back[0].status.phase).toBe('Running');
  });

  it('answers as kube-apiserver: 400 for a name mismatch, 404 for an unknown pod, 500 when two budgets select the pod; a DELETE removes without asking budgets', async () => {
    const [pod] = live('kube-dns');
    expect(failure(() => evictPod(env.world, cluster, 'kube-system', pod.metadata.name, { metadata: { name: 'other' } }, false))).toMatchObject({ status: 400, message: 'name in URL does not match name in Eviction object' });
    expect(failure(() => evictPod(env.world, cluster, 'kube-system', 'absent', {}, false))).toMatchObject({ status: 404, message: 'pods "absent" not found' });

    cluster.kube.putPodDisruptionBudget('kube-system', 'dns-strict', { spec: { minAvailable: 1, selector: { matchLabels: { 'k8s-app': 'kube-dns' } } } });
    expect(failure(() => evictPod(env.world, cluster, 'kube-system', pod.metadata.name, {}, false))).toMatchObject({ status: 500, code: 'InternalError', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' });
    cluster.kube.deletePodDisruptionBudget('kube-system', 'dns-strict');

    const deleted = deletePod(env.world, cluster, 'kube-system', pod.metadata.name, { gracePeriodSeconds: 0 }, false) as { metadata: { deletionTimestamp?: string; deletionGracePeriodSeconds?: number } };
    expect(deleted.metadata).toMatchObject({ deletionGracePeriodSeconds: 0, deletionTimestamp: expect.any(String) });
    expect(live('kube-dns').map((p) => p.metadata.name)).not.toContain(pod.metadata.name);
  });

  it("keeps the annotations a client writes on a node (the service's cordoning operation), never those its kubelet sets", () => {
    const [node] = nodes();
    const annotationsOf = () => nodes().find((n) => n.metadata.name === node.metadata.name)!.metadata.annotations as Record<string, string>;

    patchNode(env.world, cluster, node.metadata.name, 'application/strategic-merge-patch+json', { metadata: { annotations: { 'eks-provisioner/cordoned-by': 'op-1' } }, spec: { unschedulable: true } }, false);
    expect(annotationsOf()).toMatchObject({ 'eks-provisioner/cordoned-by': 'op-1', 'node.alpha.kubernetes.io/ttl': '0' });
    const snapshot = JSON.parse(JSON.stringify(snapshotWorld(env.world)));
    env.world.kubeNodes.annotations.clear();
    restoreWorld(env.world, snapshot);
    cluster = env.state.clusters.get('ev')!;
    expect(annotationsOf()['eks-provisioner/cordoned-by']).toBe('op-1');

    patchNode(env.world, cluster, node.metadata.name, 'application/strategic-merge-patch+json', { metadata: { annotations: { 'eks-provisioner/cordoned-by': null } }, spec: { unschedulable: false } }, false);
    expect(annotationsOf()['eks-provisioner/cordoned-by']).toBeUndefined();
    expect(failure(() => patchNode(env.world, cluster, node.metadata.name, MERGE, { metadata: { annotations: { 'node.alpha.kubernetes.io/ttl': '5' } } }, false))).toMatchObject({ status: 422, code: 'Invalid' });
  });

  it('keeps cordons across a save and restore of the world', async () => {
    const [node] = nodes();
    patchNode(env.world, cluster, node.metadata.name, MERGE, { spec: { unschedulable: true } }, false);
    const snapshot = JSON.parse(JSON.stringify(snapshotWorld(env.world)));
    env.world.kubeNodes.cordons.clear();

    restoreWorld(env.world, snapshot);

    expect([...env.world.kubeNodes.cordons.keys()]).toEqual([node.metadata.name]);
    expect(env.world.kubeNodes.cordons.get(node.metadata.name)).toBeInstanceOf(Date);
    // The cluster's budgets and pod removals come back with it.
    const restored = env.state.clusters.get('ev')!;
    expect(restored.kube.podRemovals.map((r) => r.name)).toEqual(cluster.kube.podRemovals.map((r) => r.name));
    expect(restored.kube.podRemovals[0]!.at).toBeInstanceOf(Date);
    expect(restored.kube.listPodDisruptionBudgets().map((b) => `${b.metadata.namespace}/${b.metadata.name}`)).toEqual(['kube-system/coredns']);
    cluster = restored;
    // Only the cordon is a node's to change here.
    expect(failure(() => patchNode(env.world, cluster, node.metadata.name, MERGE, { metadata: { labels: { team: 'x' } } }, false))).toMatchObject({ status: 422, code: 'Invalid' });
  });
});

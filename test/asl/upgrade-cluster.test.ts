/**
 * upgrade-cluster.asl.json executed end to end: the real step handlers over the in-memory AWS
 * (test/support/fake-aws.ts), Waits and Retry intervals zeroed, on a cluster running in the fake
 * at an older Kubernetes version with a nodegroup and add-ons. Each scenario checks what a user
 * would see: the AWS calls that matter and their order, the versions left in AWS, the registry's
 * record (ACTIVE, the spec at the new version), and the status events (schema-valid, exactly one
 * terminal, last).
 */
import type { Operation } from '../../functions/generated/types';
import { normaliseSpec, type Spec } from '../../functions/domain/spec';
import { FAILED_STATES } from '../../functions/domain/diagnosis';
import { FakeAws } from '../support/fake-aws';
import { operationFor, runWorkflow } from '../support/provision-run';
import { expectWellFormedEvents } from '../support/status-events';
import { readDefinition } from '../../local/runtime/state-machine-runner';
import { STEP_POLICIES } from '../../infra/constructs/step-lambdas';
import { nodegroupStackName } from '../../functions/domain/naming';
import { eksOptimizedAmiParameter } from '../../functions/domain/self-managed-nodegroup-template';
import type { SelfManagedNodegroupItem } from '../../functions/generated/types';
import { createSelfManagedNodegroup } from '../../functions/steps/create-self-managed-nodegroup';
import { upgradeSelfManagedNodegroup } from '../../functions/steps/upgrade-self-managed-nodegroup';

const CLUSTER = 'reference';
const UPGRADE: Operation = { ...operationFor(CLUSTER, 'op-upgrade-1'), type: 'UPGRADE' };
const addonVersion = (kubernetes: string) => `v1.0.0-eksbuild.${kubernetes.replace('.', '')}`;

function running(version: string, faults: ConstructorParameters<typeof FakeAws>[0] = {}): { aws: FakeAws; spec: Spec } {
  const aws = new FakeAws(faults);
  const spec = { ...normaliseSpec({ name: CLUSTER, network: { vpc: {} }, ownerAccess: 'none', addons: [{ name: 'vpc-cni' }, { name: 'coredns' }] }, aws.deps().settings.guardrails()), version };
  aws.clusters.set(CLUSTER, { name: CLUSTER, arn: `arn:aws:eks:us-east-1:111122223333:cluster/${CLUSTER}`, status: 'ACTIVE', version });
  for (const name of ['ng-general', 'ng-spot']) {
    aws.nodegroups.set(`${CLUSTER}/${name}`, { nodegroupName: name, clusterName: CLUSTER, status: 'ACTIVE', version, createdAt: aws.clock(), describesLeft: 0, updateConfig: { maxUnavailable: 1 } });
  }
  for (const name of ['vpc-cni', 'coredns']) {
    aws.addons.set(`${CLUSTER}/${name}`, { addonName: name, clusterName: CLUSTER, status: 'ACTIVE', addonVersion: addonVersion(version), createdAt: aws.clock(), describesLeft: 0 });
  }
  aws.seedOperation(UPGRADE, { status: 'UPDATING', spec });
  return { aws, spec };
}

/** `running`, with self-managed nodegroups (their stacks complete, their nodes Ready) and what their nodes need of the cluster. */
async function runningWithSelfManaged(version: string, nodegroups: Array<{ name: string; desiredSize: number; ami?: string }>, faults: ConstructorParameters<typeof FakeAws>[0] = {}) {
  const { aws, spec: managedOnly } = running(version, faults);
  Object.assign(aws.clusters.get(CLUSTER)!, { endpoint: 'https://reference.eks.example', certificateAuthority: { data: 'Q0E=' }, kubernetesNetworkConfig: { serviceIpv4Cidr: '172.20.0.0/16' } });
  const spec = { ...normaliseSpec({ name: CLUSTER, network: { vpc: {} }, ownerAccess: 'none', addons: [{ name: 'vpc-cni' }, { name: 'coredns' }], selfManagedNodeGroups: nodegroups.map(({ name, desiredSize, ami }) => ({ name, instanceTypes: ['m6i.large'], minSize: 0, maxSize: 4, desiredSize, ...(ami ? { ami } : {}) })) }, aws.deps().settings.guardrails()), version };
  expect(managedOnly.selfManagedNodeGroups).toEqual([]);
  for (const item of spec.selfManagedNodeGroups) {
    await createSelfManagedNodegroup({ operation: operationFor(CLUSTER, 'op-create'), spec, item } as unknown as SelfManagedNodegroupItem, aws.deps());
    aws.stacks.get(nodegroupStackName(CLUSTER, item.name))!.describesLeft = 0;
    await aws.cloudFormation.describeStack(nodegroupStackName(CLUSTER, item.name));
  }
  aws.seedOperation(UPGRADE, { status: 'UPDATING', spec });
  aws.calls.length = 0;
  aws.events.length = 0;
  return { aws, spec };
}

const imageIdOf = (aws: FakeAws, nodegroup: string) => (aws.stacks.get(nodegroupStackName(CLUSTER, nodegroup))!.template.Resources.NodeGroupLaunchTemplate!.Properties!.LaunchTemplateData as { ImageId: string }).ImageId;
const instancesOf = (aws: FakeAws, nodegroup: string) => aws.selfManagedGroup(aws.stacks.get(nodegroupStackName(CLUSTER, nodegroup))!.outputs.AutoScalingGroupName!)!.instances;

async function runUpgrade(aws: FakeAws, spec: Spec, upgrade: { version: string; force: boolean }) {
  const run = await runWorkflow(aws, 'upgrade-cluster', { operation: UPGRADE, spec, upgrade });
  return { run, log: aws.callLog((c) => c.service === 'eks') };
}

function errorInsight(kubernetesVersion: string) {
  return {
    clusterName: CLUSTER, id: 'insight-removed-apis', name: `Deprecated APIs removed in Kubernetes v${kubernetesVersion}`, category: 'UPGRADE_READINESS' as const, kubernetesVersion,
    description: `Checks for usage of deprecated APIs that are scheduled for removal in Kubernetes v${kubernetesVersion}.`,
    insightStatus: { status: 'ERROR' as const, reason: 'Deprecated API usage detected within the last 30 days.' },
    recommendation: `Update manifests and clients to use newer Kubernetes APIs if applicable before upgrading to Kubernetes v${kubernetesVersion}.`,
  };
}

describe('upgrade-cluster', () => {
  it('1.31 → 1.33: preflight, two control plane passes, then add-ons and nodegroups, one SUCCEEDED event with every version', async () => {
    const { aws, spec } = running('1.31');

    const { run, log } = await runUpgrade(aws, spec, { version: '1.33', force: false });

    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    const versions = log.filter((line) => /Update(ClusterVersion|NodegroupVersion|Addon) /.test(line));
    expect(versions.slice(0, 2)).toEqual([`eks:UpdateClusterVersion ${CLUSTER} 1.32`, `eks:UpdateClusterVersion ${CLUSTER} 1.33`]);
    expect(versions.slice(2).sort()).toEqual([`eks:UpdateAddon coredns ${addonVersion('1.33')}`, `eks:UpdateAddon vpc-cni ${addonVersion('1.33')}`, 'eks:UpdateNodegroupVersion ng-general 1.33', 'eks:UpdateNodegroupVersion ng-spot 1.33']);
    expect(log.indexOf(`eks:StartInsightsRefresh ${CLUSTER}`)).toBeLessThan(log.indexOf(`eks:UpdateClusterVersion ${CLUSTER} 1.32`));

    expect(aws.clusters.get(CLUSTER)!.version).toBe('1.33');
    expect([...aws.nodegroups.values()].map((n) => n.version)).toEqual(['1.33', '1.33']);
    const terminal = expectWellFormedEvents(aws);
    expect(terminal).toMatchObject({
      status: 'SUCCEEDED', phase: 'Completed', operation: 'UPGRADE',
      outputs: { version: '1.31 → 1.33', 'addon/coredns': `${addonVersion('1.31')} → ${addonVersion('1.33')}`, 'addon/vpc-cni': `${addonVersion('1.31')} → ${addonVersion('1.33')}`, 'nodegroup/ng-general': '1.31 → 1.33', 'nodegroup/ng-spot': '1.31 → 1.33' },
    });
    const steps = aws.events.filter((e) => e.step).map((e) => `${e.phase} ${e.step!.name} ${e.step!.status}`);
    expect(steps.slice(0, 6)).toEqual(['Preflight Preflight STARTED', 'Preflight Preflight SUCCEEDED', 'ControlPlane Control Plane 1.32 STARTED', 'ControlPlane Control Plane 1.32 SUCCEEDED', 'ControlPlane Control Plane 1.33 STARTED', 'ControlPlane Control Plane 1.33 SUCCEEDED']);
    expect(steps.filter((s) => s.startsWith('DataPlane')).sort()).toEqual([...Array(2).fill('DataPlane Upgrade Add-on STARTED'), ...Array(2).fill('DataPlane Upgrade Add-on SUCCEEDED'), ...Array(2).fill('DataPlane Upgrade Nodegroup STARTED'), ...Array(2).fill('DataPlane Upgrade Nodegroup SUCCEEDED')]);
    const record = aws.clusterRecords.get(CLUSTER)!;
    expect(record).toMatchObject({ status: 'ACTIVE', spec: { version: '1.33' } });
    expect(record.lockedBy).toBeUndefined();
  });

  it('an upgrade insight ERROR stops it in Preflight, before any UpdateClusterVersion, naming the insight and what to do', async () => {
    const { aws, spec } = running('1.32');
    aws.insights.push(errorInsight('1.33'));

    const { run, log } = await runUpgrade(aws, spec, { version: '1.33', force: false });

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('UpgradeRefusedError');
    expect(log.filter((line) => line.startsWith('eks:Update'))).toEqual([]);
    const terminal = expectWellFormedEvents(aws);
    expect(terminal).toMatchObject({ status: 'FAILED', phase: 'Preflight', error: { code: 'UpgradeRefusedError', resource: `cluster ${CLUSTER}` } });
    expect(terminal.error!.message).toContain('insight Deprecated APIs removed in Kubernetes v1.33');
    expect(terminal.error!.message).toContain('recommendation: Update manifests and clients to use newer Kubernetes APIs');
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'ACTIVE', spec: { version: '1.32' } });
  });

  it('force goes past the insight ERROR', async () => {
    const { aws, spec } = running('1.32');
    aws.insights.push(errorInsight('1.33'));

    const { run } = await runUpgrade(aws, spec, { version: '1.33', force: true });

    expect(run.status).toBe('SUCCEEDED');
    expect(aws.clusters.get(CLUSTER)!.version).toBe('1.33');
  });

  it('a PodDisruptionBudget blocking eviction fails the data plane with the nodegroup and EKS’s message; the cluster stays ACTIVE at the new control plane version', async () => {
    const message = 'Reached max retries while trying to evict pods from nodes in node group ng-spot: pod payments/api-7d9f blocked by PodDisruptionBudget payments/api-pdb';
    const { aws, spec } = running('1.32', { podEvictionFailure: { nodegroup: 'ng-spot', message } });

    const { run } = await runUpgrade(aws, spec, { version: '1.33', force: false });

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('NodegroupUpgradeFailedError');
    const terminal = expectWellFormedEvents(aws);
    expect(terminal).toMatchObject({ status: 'FAILED', phase: 'DataPlane', error: { code: 'NodegroupUpgradeFailedError', resource: 'nodegroup ng-spot' } });
    expect(terminal.error!.message).toContain(`PodEvictionFailure: ${message}`);
    expect(aws.clusters.get(CLUSTER)!.version).toBe('1.33');
    const record = aws.clusterRecords.get(CLUSTER)!;
    expect(record.status).toBe('ACTIVE');
    expect(record.lockedBy).toBeUndefined();
  });

  it('asked again with force after a PodDisruptionBudget stopped a nodegroup, it catches the data plane up without another pass', async () => {
    const { aws, spec } = running('1.32', { podEvictionFailure: { nodegroup: 'ng-spot', message: 'pod payments/api-7d9f blocked by PodDisruptionBudget payments/api-pdb' } });
    expect((await runUpgrade(aws, spec, { version: '1.33', force: false })).run.status).toBe('FAILED');
    aws.calls.length = 0;
    aws.events.length = 0;
    const retry: Operation = { ...UPGRADE, id: 'op-upgrade-2' };
    aws.seedOperation(retry, { status: 'UPDATING', spec });

    const run = await runWorkflow(aws, 'upgrade-cluster', { operation: retry, spec, upgrade: { version: '1.33', force: true } });

    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    const log = aws.callLog((c) => c.service === 'eks' && c.operation.startsWith('Update'));
    expect(log).toEqual(['eks:UpdateNodegroupVersion ng-spot 1.33 force']);
    expect(expectWellFormedEvents(aws, retry.id)).toMatchObject({ status: 'SUCCEEDED', outputs: { version: '1.33 → 1.33', 'nodegroup/ng-spot': '1.32 → 1.33', 'nodegroup/ng-general': '1.33 → 1.33' } });
    const steps = aws.events.filter((e) => e.step).map((e) => `${e.step!.name} ${e.step!.resource} ${e.step!.status}`);
    expect(steps).toEqual(expect.arrayContaining([`Control Plane 1.33 cluster ${CLUSTER} SKIPPED`, 'Upgrade Nodegroup nodegroup ng-general SKIPPED', 'Upgrade Nodegroup nodegroup ng-spot SUCCEEDED']));
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'ACTIVE', spec: { version: '1.33' } });
  });

  it('a control plane pass that fails ends the upgrade with EKS’s errors in phase ControlPlane', async () => {
    const { aws, spec } = running('1.32', { updateFailure: { message: 'Cluster upgrade failed: admission webhook unreachable' } });

    const { run } = await runUpgrade(aws, spec, { version: '1.33', force: false });

    expect(run.error).toBe('ControlPlaneUpgradeFailedError');
    expect(expectWellFormedEvents(aws)).toMatchObject({ status: 'FAILED', phase: 'ControlPlane', error: { code: 'ControlPlaneUpgradeFailedError', resource: `cluster ${CLUSTER}` } });
    expect(aws.callLog((c) => c.operation === 'UpdateNodegroupVersion' || c.operation === 'UpdateAddon')).toEqual([]);
  });

  it("self-managed nodegroups: the new version's EKS optimized AMI in the launch template, then each node cordoned, drained and replaced in turn; a pinned AMI is SKIPPED", async () => {
    const { aws, spec } = await runningWithSelfManaged('1.32', [{ name: 'sm-batch', desiredSize: 2 }, { name: 'sm-pinned', desiredSize: 1, ami: 'ami-0123456789abcdef0' }]);
    aws.customAmiKubelets.set('ami-0123456789abcdef0', '1.32');
    const newAmi = aws.ssmParameters.get(eksOptimizedAmiParameter('1.33', 'x86_64'))!;
    expect(imageIdOf(aws, 'sm-batch')).toBe(aws.ssmParameters.get(eksOptimizedAmiParameter('1.32', 'x86_64')));
    const [first, second] = instancesOf(aws, 'sm-batch').map((i) => i.instanceId);

    const { run } = await runUpgrade(aws, spec, { version: '1.33', force: false });

    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    expect(imageIdOf(aws, 'sm-batch')).toBe(newAmi);
    expect(instancesOf(aws, 'sm-batch').map((i) => ({ imageId: i.imageId, replaced: i.instanceId !== first && i.instanceId !== second }))).toEqual([{ imageId: newAmi, replaced: true }, { imageId: newAmi, replaced: true }]);
    // One node at a time, after the control plane's last pass: cordoned, drained, its instance terminated, the successor Ready before the next.
    const log = aws.callLog((c) => ['UpdateClusterVersion', 'UpdateStack', 'CordonNodes', 'DrainNodes', 'TerminateInstanceInAutoScalingGroup'].includes(c.operation));
    const smLog = log.filter((line) => !line.startsWith('eks:'));
    expect(log.indexOf(`eks:UpdateClusterVersion ${CLUSTER} 1.33`)).toBeLessThan(log.indexOf(`cloudformation:UpdateStack ${nodegroupStackName(CLUSTER, 'sm-batch')}`));
    expect(smLog.filter((line) => !line.startsWith('kubernetes:DrainNodes'))).toEqual([
      `cloudformation:UpdateStack ${nodegroupStackName(CLUSTER, 'sm-batch')}`,
      expect.stringMatching(/^kubernetes:CordonNodes ip-/),
      `autoscaling:TerminateInstanceInAutoScalingGroup ${first}`,
      expect.stringMatching(/^kubernetes:CordonNodes ip-/),
      `autoscaling:TerminateInstanceInAutoScalingGroup ${second}`,
    ]);
    expect(smLog.filter((line) => line.startsWith('kubernetes:DrainNodes')).length).toBeGreaterThanOrEqual(2);
    // The pinned nodegroup is left as it is.
    expect(imageIdOf(aws, 'sm-pinned')).toBe('ami-0123456789abcdef0');
    expect(aws.callLog((c) => c.operation === 'UpdateStack' && c.target === nodegroupStackName(CLUSTER, 'sm-pinned'))).toEqual([]);
    const steps = aws.events.filter((e) => e.step?.name === 'Upgrade Self-managed Nodegroup').map((e) => `${e.phase} ${e.step!.resource} ${e.step!.status}`);
    expect(steps).toEqual(expect.arrayContaining(['DataPlane nodegroup sm-batch STARTED', 'DataPlane nodegroup sm-batch SUCCEEDED', 'DataPlane nodegroup sm-pinned SKIPPED']));
    // Their versions as their nodes' kubelets report them, the pinned one's read too.
    expect(expectWellFormedEvents(aws)).toMatchObject({ status: 'SUCCEEDED', phase: 'Completed', outputs: { 'selfManagedNodegroup/sm-batch': '1.32 → 1.33', 'selfManagedNodegroup/sm-pinned': '1.32 → 1.32' } });
    // The registry's spec keeps following the default AMI: no pin the request did not ask for.
    const recorded = aws.clusterRecords.get(CLUSTER)!.spec as Spec;
    expect(recorded.version).toBe('1.33');
    expect(recorded.selfManagedNodeGroups.map((ng) => ({ name: ng.name, ami: ng.ami }))).toEqual([{ name: 'sm-batch', ami: undefined }, { name: 'sm-pinned', ami: 'ami-0123456789abcdef0' }]);
  });

  it('a self-managed node whose drain a PodDisruptionBudget holds fails the data plane in DataPlane, naming the nodegroup and the pod; its node is uncordoned', async () => {
    const { aws, spec } = await runningWithSelfManaged('1.32', [{ name: 'sm-batch', desiredSize: 1 }], { blockedEvictions: { 'payments/api-0': 'Cannot evict pod as it would violate the pod\'s disruption budget.' } });
    const [node] = aws.nodesOf(CLUSTER).filter((n) => n.instanceId);
    aws.pods.set(CLUSTER, [{ namespace: 'payments', name: 'api-0', node: node!.name }]);

    const { run } = await runUpgrade(aws, spec, { version: '1.33', force: false });

    expect(run.status).toBe('FAILED');
    const terminal = expectWellFormedEvents(aws);
    expect(terminal).toMatchObject({ status: 'FAILED', phase: 'DataPlane', error: { code: 'NodesFailedError', resource: 'nodes of nodegroup sm-batch' } });
    expect(terminal.error!.message).toContain("evictions refused: payments/api-0 (Cannot evict pod as it would violate the pod's disruption budget.)");
    expect(aws.callLog((c) => c.operation === 'TerminateInstanceInAutoScalingGroup')).toEqual([]);
    expect(aws.nodesOf(CLUSTER).find((n) => n.name === node!.name)?.unschedulable).toBeUndefined();
    expect(aws.clusters.get(CLUSTER)!.version).toBe('1.33');
  });

  it('asked again after a self-managed nodegroup was left on the old kubelet, it catches that nodegroup up, the control plane and every other part already at the target', async () => {
    const { aws, spec } = await runningWithSelfManaged('1.32', [{ name: 'sm-batch', desiredSize: 1 }], { blockedEvictions: { 'payments/api-0': "Cannot evict pod as it would violate the pod's disruption budget." } });
    const [node] = aws.nodesOf(CLUSTER).filter((n) => n.instanceId);
    aws.pods.set(CLUSTER, [{ namespace: 'payments', name: 'api-0', node: node!.name }]);
    expect((await runUpgrade(aws, spec, { version: '1.33', force: false })).run.status).toBe('FAILED');
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ spec: { version: '1.33' }, nodeVersions: { 'sm-batch': { version: '1.32' } } });
    delete aws.faults.blockedEvictions;
    aws.calls.length = 0;
    aws.events.length = 0;
    const retry: Operation = { ...UPGRADE, id: 'op-upgrade-2' };
    const registered = aws.clusterRecords.get(CLUSTER)!.spec as Spec;
    aws.seedOperation(retry, { status: 'UPDATING', spec: registered });

    const run = await runWorkflow(aws, 'upgrade-cluster', { operation: retry, spec: registered, upgrade: { version: '1.33', force: false } });

    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    expect(aws.callLog((c) => c.service === 'eks' && c.operation.startsWith('Update'))).toEqual([]);
    expect(instancesOf(aws, 'sm-batch').map((i) => i.imageId)).toEqual([aws.ssmParameters.get(eksOptimizedAmiParameter('1.33', 'x86_64'))]);
    expect(expectWellFormedEvents(aws, retry.id)).toMatchObject({ status: 'SUCCEEDED', outputs: { version: '1.33 → 1.33', 'nodegroup/ng-spot': '1.33 → 1.33', 'selfManagedNodegroup/sm-batch': '1.32 → 1.33' } });
    expect(aws.clusterRecords.get(CLUSTER)!.nodeVersions).toMatchObject({ 'sm-batch': { version: '1.33' } });
  });

  it('a managed nodegroup that fails while a self-managed node is cordoned for its replacement: that branch is stopped, and the node is uncordoned before the failure is reported', async () => {
    // The control plane already at 1.33: the managed nodegroups and the self-managed one (read on 1.32 kubelets) catch up.
    const { aws, spec } = await runningWithSelfManaged('1.32', [{ name: 'sm-batch', desiredSize: 1 }], { blockedEvictions: { 'payments/api-0': "Cannot evict pod as it would violate the pod's disruption budget." } });
    aws.clusters.get(CLUSTER)!.version = '1.33';
    await aws.deps().registry.recordNodeVersions(CLUSTER, { 'sm-batch': { version: '1.32', observedAt: aws.clock().toISOString() } });
    const [node] = aws.nodesOf(CLUSTER).filter((n) => n.instanceId);
    aws.pods.set(CLUSTER, [{ namespace: 'payments', name: 'api-0', node: node!.name }]);
    // The managed nodegroups' updates run until the node is cordoned, then one fails.
    aws.durations.update = 1_000;
    const cordon = aws.kubernetes.cordonNodes;
    aws.kubernetes.cordonNodes = async (...args) => {
      await cordon(...args);
      if (args[2] === false) return;
      for (const update of [...aws.updates.values()].filter((u) => u.status === 'InProgress')) {
        update.describesLeft = 0;
        if (update.nodegroupName === 'ng-spot') update.fail = () => [{ errorCode: 'PodEvictionFailure', errorMessage: 'pod payments/web-1 blocked by PodDisruptionBudget payments/web', resourceIds: ['ng-spot'] }];
      }
    };

    const { run } = await runUpgrade(aws, { ...spec, version: '1.33' }, { version: '1.33', force: false });

    expect(run.status).toBe('FAILED');
    expect(expectWellFormedEvents(aws)).toMatchObject({ status: 'FAILED', phase: 'DataPlane', error: { code: 'NodegroupUpgradeFailedError', resource: 'nodegroup ng-spot' } });
    // Cordoned in the operation's name, never replaced, then uncordoned on the failure path.
    expect(aws.callLog((c) => c.service === 'kubernetes' && /^(Cordon|Uncordon)Nodes$/.test(c.operation))).toEqual([`kubernetes:CordonNodes ${node!.name}`, `kubernetes:UncordonNodes ${node!.name}`]);
    expect(aws.callLog((c) => c.operation === 'TerminateInstanceInAutoScalingGroup')).toEqual([]);
    expect(aws.nodesOf(CLUSTER).find((n) => n.name === node!.name)).toMatchObject({ ready: 'True' });
    expect(aws.nodesOf(CLUSTER).find((n) => n.name === node!.name)?.unschedulable).toBeUndefined();
    expect(aws.events.filter((e) => e.step?.name === 'Uncordon Self-managed Nodes').map((e) => `${e.step!.resource} ${e.step!.status}`)).toEqual(['nodegroup sm-batch STARTED', 'nodegroup sm-batch SUCCEEDED']);
  });

  it('on the failure path, a node cordoned by someone else (or another operation) stays cordoned', async () => {
    const { aws, spec } = await runningWithSelfManaged('1.32', [{ name: 'sm-batch', desiredSize: 2 }]);
    const [mine, theirs] = aws.nodesOf(CLUSTER).filter((n) => n.instanceId);
    const access = { name: CLUSTER, endpoint: 'https://reference.eks.example' };
    await aws.kubernetes.cordonNodes(access, [mine!.name], true, UPGRADE.id);
    await aws.kubernetes.cordonNodes(access, [theirs!.name], true);
    const item = { name: 'sm-batch', from: '1.32', to: '1.33' };

    await upgradeSelfManagedNodegroup({ operation: UPGRADE, force: false, spec, item, release: true }, aws.deps());

    const after = aws.nodesOf(CLUSTER);
    expect(after.find((n) => n.name === mine!.name)?.unschedulable).toBeUndefined();
    expect(after.find((n) => n.name === theirs!.name)?.unschedulable).toBe(true);
    expect(aws.callLog((c) => c.operation === 'UpdateStack' || c.operation === 'TerminateInstanceInAutoScalingGroup')).toEqual([]);
  });

  it("waits out any look still under way before the second uncordon pass: longer than the function's timeout", () => {
    const definition = readDefinition('upgrade-cluster') as unknown as { States: Record<string, { ItemProcessor?: { States: Record<string, { Seconds?: number }> } }> };
    const wait = definition.States['Uncordon Self-managed Nodes']?.ItemProcessor?.States['Wait For Stopped Looks'];

    expect(wait?.Seconds).toBeGreaterThan(STEP_POLICIES['upgrade-self-managed-nodegroup'].timeout!.toSeconds());
  });

  it('every state a Catch leaves is in FAILED_STATES with its phase', () => {
    const definition = readDefinition('upgrade-cluster') as { States: Record<string, unknown> };
    const recorded: string[] = [];
    const visit = (states: Record<string, { Type: string; Parameters?: { State?: string }; Result?: { State?: string }; Branches?: Array<{ States: Record<string, never> }>; ItemProcessor?: { States: Record<string, never> } }>) => {
      for (const state of Object.values(states)) {
        const name = state.Result?.State ?? state.Parameters?.State;
        if (state.Type === 'Pass' && name) recorded.push(name);
        for (const branch of state.Branches ?? []) visit(branch.States);
        if (state.ItemProcessor) visit(state.ItemProcessor.States);
      }
    };
    visit(definition.States as never);
    expect(recorded.sort()).toEqual(['Preflight', 'Upgrade Add-on', 'Upgrade Control Plane', 'Upgrade Data Plane', 'Upgrade Nodegroup', 'Upgrade Self-managed Nodegroup']);
    for (const state of recorded) expect(FAILED_STATES[state]).toBeDefined();
  });
});

/**
 * update-cluster's decisions for a self-managed nodegroup (domain/self-managed-change.ts), one
 * look at a time: what each live state of the stack, the group and the nodes leads to.
 */
import type { NodeStatus } from '../../../functions/generated/types';
import { DRAIN_TIMEOUT_SECONDS, drainText, nodesToDrain, planSelfManagedChange, readsNodes, withSelfManagedUpdate, type SelfManagedLive } from '../../../functions/domain/self-managed-change';
import { renderSelfManagedNodegroupTemplate } from '../../../functions/domain/self-managed-nodegroup-template';
import { normaliseSpec, type Spec } from '../../../functions/domain/spec';

const GUARDRAILS = { kubernetesVersions: ['1.32', '1.33'], defaultKubernetesVersion: '1.33' };
const OP = 'op-1';
const CLUSTER = 'demo';
const STACK = `eksp-${CLUSTER}-nodegroup-batch`;
const ROLE = 'arn:aws:iam::111122223333:role/eks-provisioner/batch-node';
const NODEADM = { name: CLUSTER, apiServerEndpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com', certificateAuthority: 'LS0t', cidr: '10.100.0.0/16' };

const spec: Spec = normaliseSpec({ name: CLUSTER, addons: [{ name: 'vpc-cni' }], selfManagedNodeGroups: [{ name: 'batch', minSize: 1, desiredSize: 2, maxSize: 4, labels: { tier: 'batch' } }] }, GUARDRAILS as never);
const nodegroup = spec.selfManagedNodeGroups[0]!;
const template = renderSelfManagedNodegroupTemplate({ stackName: STACK, nodegroup, cluster: NODEADM, imageId: 'ami-0123456789abcdef0', tags: { 'eks-provisioner:cluster': CLUSTER }, permissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/boundary' }) as unknown as Record<string, unknown>;

const stack = (status: string, extra: Partial<NonNullable<SelfManagedLive['stack']>> = {}): NonNullable<SelfManagedLive['stack']> => ({ status, operationId: OP, cluster: CLUSTER, outputs: { NodeInstanceRoleArn: ROLE, AutoScalingGroupName: `${STACK}-NodeGroup-X` }, tags: { a: 'b' }, ...extra });
const node = (name: string, instanceId: string, extra: Partial<NodeStatus> = {}): NodeStatus => ({ name, instanceId, ready: 'True', ...extra });
const add = { action: 'ADD_SELF_MANAGED_NODEGROUP' as const, target: 'batch', item: nodegroup };
const remove = { action: 'REMOVE_SELF_MANAGED_NODEGROUP' as const, target: 'batch' };
const update = (change: Record<string, unknown>) => ({ action: 'UPDATE_SELF_MANAGED_NODEGROUP' as const, target: 'batch', update: change });

describe('adding', () => {
  it('creates the stack, waits for it, then admits the node role and is done', () => {
    expect(planSelfManagedChange(add, spec, {}, OP)).toEqual({ kind: 'apply', stage: 'selfManagedStack', calls: [{ call: 'createSelfManagedStack', nodegroup }] });
    expect(planSelfManagedChange(add, spec, { stack: stack('CREATE_IN_PROGRESS') }, OP)).toEqual({ kind: 'wait', stage: 'selfManagedStack', status: 'CREATE_IN_PROGRESS' });
    expect(planSelfManagedChange(add, spec, { stack: stack('CREATE_COMPLETE') }, OP)).toEqual({ kind: 'apply', calls: [{ call: 'admitNodeRole', roleArn: ROLE }] });
  });

  it('fails with a stack that rolled back or lacks its role, and deletes one an earlier operation left', () => {
    expect(planSelfManagedChange(add, spec, { stack: stack('ROLLBACK_IN_PROGRESS') }, OP)).toEqual({ kind: 'failed', stage: 'selfManagedStack', reason: 'ROLLBACK_IN_PROGRESS' });
    expect(planSelfManagedChange(add, spec, { stack: stack('CREATE_COMPLETE', { outputs: {} }) }, OP)).toMatchObject({ kind: 'failed', reason: 'CREATE_COMPLETE without a NodeInstanceRoleArn output' });
    expect(planSelfManagedChange(add, spec, { stack: stack('ROLLBACK_COMPLETE', { operationId: 'op-0' }) }, OP)).toEqual({ kind: 'apply', stage: 'nodegroupStackDelete', calls: [{ call: 'deleteStack' }] });
  });

  it("never touches another cluster's stack of the same name", () => {
    expect(planSelfManagedChange(add, spec, { stack: stack('CREATE_COMPLETE', { cluster: 'demo-nodegroup' }) }, OP)).toMatchObject({ kind: 'refused' });
  });
});

describe('updating', () => {
  it('updates the stack with the new sizes, waits for it, and is done when the template holds them', () => {
    const scaling = { minSize: 2, maxSize: 6, desiredSize: 5 };
    const next = planSelfManagedChange(update({ scaling }), spec, { stack: stack('CREATE_COMPLETE'), template }, OP);
    expect(next).toMatchObject({ kind: 'apply', stage: 'selfManagedStackUpdate', calls: [{ call: 'updateSelfManagedStack', parameterKeys: [], tags: { a: 'b' } }] });
    const updated = (next as unknown as { calls: Array<{ template: { Resources: Record<string, { Properties: Record<string, unknown> }> } }> }).calls[0]!.template;
    expect(updated.Resources.NodeGroup!.Properties).toMatchObject({ MinSize: '2', MaxSize: '6', DesiredCapacity: '5' });

    expect(planSelfManagedChange(update({ scaling }), spec, { stack: stack('UPDATE_IN_PROGRESS') }, OP)).toEqual({ kind: 'wait', stage: 'selfManagedStackUpdate', status: 'UPDATE_IN_PROGRESS' });
    expect(planSelfManagedChange(update({ scaling }), spec, { stack: stack('UPDATE_COMPLETE'), template: updated as never }, OP)).toEqual({ kind: 'inSync' });
  });

  it('fails when its own update rolled back, and refuses a stack CloudFormation cannot update or that is gone', () => {
    const scaling = { minSize: 2, maxSize: 6, desiredSize: 5 };
    expect(planSelfManagedChange(update({ scaling }), spec, { stack: stack('UPDATE_ROLLBACK_COMPLETE'), template, stage: 'selfManagedStackUpdate' }, OP)).toEqual({ kind: 'failed', stage: 'selfManagedStackUpdate', reason: 'UPDATE_ROLLBACK_COMPLETE' });
    expect(planSelfManagedChange(update({ scaling }), spec, { stack: stack('UPDATE_ROLLBACK_FAILED'), template }, OP)).toMatchObject({ kind: 'refused', reason: expect.stringContaining('UPDATE_ROLLBACK_FAILED') });
    expect(planSelfManagedChange(update({ scaling }), spec, {}, OP)).toMatchObject({ kind: 'refused', reason: expect.stringContaining('has no stack') });
  });

  it('puts a new AMI and user data for new labels in the launch template', () => {
    const labelled = { ...nodegroup, labels: { tier: 'gold' } };
    const updated = withSelfManagedUpdate(template, labelled, { ami: 'ami-0fedcba9876543210', labels: { tier: 'gold' } }, NODEADM) as { Resources: Record<string, { Properties: { LaunchTemplateData: { ImageId: string; UserData: { 'Fn::Base64': string } } } }> };
    const data = updated.Resources.NodeGroupLaunchTemplate!.Properties.LaunchTemplateData;
    expect(data.ImageId).toBe('ami-0fedcba9876543210');
    expect(data.UserData['Fn::Base64']).toContain('--node-labels=eks-provisioner/nodegroup=batch,tier=gold');
  });

  describe('then replacing the nodes of the older launch template version, one at a time', () => {
    const ami = update({ ami: 'ami-0fedcba9876543210' });
    const inSyncTemplate = withSelfManagedUpdate(template, nodegroup, { ami: 'ami-0fedcba9876543210' }, undefined);
    const look = (live: Partial<SelfManagedLive>) => planSelfManagedChange(ami, spec, { stack: stack('UPDATE_COMPLETE'), template: inSyncTemplate, stage: 'selfManagedNodeReplacement', stageSeconds: 60, ...live }, OP);
    const group = (...instances: Array<[string, string, string?]>) => ({ launchTemplateVersion: '2', instances: instances.map(([instanceId, launchTemplateVersion, lifecycleState = 'InService']) => ({ instanceId, launchTemplateVersion, lifecycleState })) });

    it('cordons the first old node, drains it, then terminates its instance for the group to replace', () => {
      const nodes = [node('ip-1', 'i-1'), node('ip-2', 'i-2')];
      expect(look({ group: group(['i-1', '1'], ['i-2', '1']), nodes })).toEqual({ kind: 'apply', stage: 'selfManagedNodeReplacement', calls: [{ call: 'cordonNodes', nodes: ['ip-1'] }] });
      const cordoned = [node('ip-1', 'i-1', { unschedulable: true }), node('ip-2', 'i-2')];
      expect(nodesToDrain(ami, { group: group(['i-1', '1'], ['i-2', '1']), nodes: cordoned })).toEqual(['ip-1']);
      const drain = { remaining: [{ namespace: 'default', name: 'web-1', node: 'ip-1' }], blocked: [] };
      expect(look({ group: group(['i-1', '1'], ['i-2', '1']), nodes: cordoned, drain })).toEqual({ kind: 'wait', stage: 'selfManagedNodeReplacement', status: '1 pod(s) left on ip-1: default/web-1' });
      expect(look({ group: group(['i-1', '1'], ['i-2', '1']), nodes: cordoned, drain: { remaining: [], blocked: [] } })).toEqual({ kind: 'apply', stage: 'selfManagedNodeReplacement', calls: [{ call: 'replaceInstance', instanceId: 'i-1' }] });
    });

    it('waits while an instance launches or terminates and until the new node is Ready, and is done when none is old', () => {
      expect(look({ group: group(['i-1', '1', 'Terminating'], ['i-2', '1'], ['i-3', '2', 'Pending']), nodes: [] })).toEqual({ kind: 'wait', stage: 'selfManagedNodeReplacement', status: 'instance i-1 Terminating' });
      expect(look({ group: group(['i-2', '1'], ['i-3', '2']), nodes: [node('ip-2', 'i-2'), node('ip-3', 'i-3', { ready: 'False', reason: 'KubeletNotReady' })] })).toEqual({ kind: 'wait', stage: 'selfManagedNodeReplacement', status: 'node ip-3 of instance i-3 is not Ready (False, KubeletNotReady)' });
      expect(look({ group: group(['i-3', '2'], ['i-4', '2']), nodes: [node('ip-3', 'i-3'), node('ip-4', 'i-4')] })).toEqual({ kind: 'inSync' });
    });

    it('never terminates a node it cannot tell apart, and gives up past its time with what it waited for', () => {
      expect(look({ group: group(['i-1', '1']), nodes: [{ name: 'ip-1', ready: 'True' }] })).toMatchObject({ kind: 'refused', reason: expect.stringContaining('providerID') });
      expect(look({ group: group(['i-2', '1'], ['i-3', '2']), nodes: [node('ip-2', 'i-2')], stageSeconds: 10_000 })).toEqual({ kind: 'failed', stage: 'selfManagedNodeReplacement', reason: 'instance i-3 has not registered as a node' });
    });
  });

  it('reads the nodes only for an update that replaces them, once the stack is not updating', () => {
    expect(readsNodes(update({ ami: 'ami-0fedcba9876543210' }), { stack: stack('UPDATE_COMPLETE') })).toBe(true);
    expect(readsNodes(update({ ami: 'ami-0fedcba9876543210' }), { stack: stack('UPDATE_IN_PROGRESS') })).toBe(false);
    expect(readsNodes(update({ scaling: { minSize: 1, maxSize: 2, desiredSize: 1 } }), { stack: stack('UPDATE_COMPLETE') })).toBe(false);
  });
});

describe('removing', () => {
  const nodes = [node('ip-1', 'i-1'), node('ip-2', 'i-2', { unschedulable: true })];
  const cordoned = nodes.map((n) => ({ ...n, unschedulable: true }));

  it('cordons every node, drains them all, then releases the role and deletes the stack', () => {
    expect(planSelfManagedChange(remove, spec, { stack: stack('CREATE_COMPLETE'), nodes }, OP)).toEqual({ kind: 'apply', stage: 'selfManagedDrain', calls: [{ call: 'cordonNodes', nodes: ['ip-1'] }] });
    expect(nodesToDrain(remove, { nodes })).toEqual([]);
    expect(nodesToDrain(remove, { nodes: cordoned })).toEqual(['ip-1', 'ip-2']);
    const drain = { remaining: [{ namespace: 'kube-system', name: 'coredns-a', node: 'ip-2' }], blocked: [{ namespace: 'kube-system', name: 'coredns-a', node: 'ip-2', message: "Cannot evict pod as it would violate the pod's disruption budget." }] };
    expect(planSelfManagedChange(remove, spec, { stack: stack('CREATE_COMPLETE'), nodes: cordoned, drain, stage: 'selfManagedDrain', stageSeconds: 30 }, OP)).toEqual({ kind: 'wait', stage: 'selfManagedDrain', status: drainText(drain) });
    expect(planSelfManagedChange(remove, spec, { stack: stack('CREATE_COMPLETE'), nodes: cordoned, drain: { remaining: [], blocked: [] } }, OP)).toEqual({
      kind: 'apply',
      stage: 'nodegroupStackDelete',
      calls: [{ call: 'releaseNodeRole', roleArn: ROLE }, { call: 'deleteStack' }],
    });
  });

  it('fails a drain a budget holds past its time, naming the pod and the refusal', () => {
    const drain = { remaining: [{ namespace: 'kube-system', name: 'coredns-a', node: 'ip-2' }], blocked: [{ namespace: 'kube-system', name: 'coredns-a', node: 'ip-2', message: 'Cannot evict pod' }] };
    expect(planSelfManagedChange(remove, spec, { stack: stack('CREATE_COMPLETE'), nodes: cordoned, drain, stage: 'selfManagedDrain', stageSeconds: DRAIN_TIMEOUT_SECONDS }, OP)).toEqual({
      kind: 'failed',
      stage: 'selfManagedDrain',
      reason: 'not drained in 15 minutes: 1 pod(s) left on ip-2: kube-system/coredns-a; evictions refused: kube-system/coredns-a (Cannot evict pod)',
    });
  });

  it('deletes a stack without nodes at once, follows its deletion, and is done once it is gone', () => {
    expect(planSelfManagedChange(remove, spec, { stack: stack('ROLLBACK_COMPLETE'), nodes: [] }, OP)).toMatchObject({ kind: 'apply', stage: 'nodegroupStackDelete' });
    expect(planSelfManagedChange(remove, spec, { stack: stack('DELETE_IN_PROGRESS') }, OP)).toEqual({ kind: 'wait', stage: 'nodegroupStackDelete', status: 'DELETE_IN_PROGRESS' });
    expect(planSelfManagedChange(remove, spec, { stack: stack('DELETE_FAILED') }, OP)).toMatchObject({ kind: 'failed', stage: 'nodegroupStackDelete' });
    expect(planSelfManagedChange(remove, spec, {}, OP)).toEqual({ kind: 'inSync' });
  });
});

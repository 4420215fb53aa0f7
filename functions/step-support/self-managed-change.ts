/**
 * One look at a self-managed nodegroup's change (domain/self-managed-change.ts decides), shared by
 * the steps that drive one: Change Self-managed Nodegroup (update-cluster) and Upgrade
 * Self-managed Nodegroup (upgrade-cluster, an UPDATE with the new version's AMI). Each look reads
 * the stack, its template and, while nodes are replaced, the group and the nodes (through the kube
 * agent, holding cluster-admin only for the look that needs it: temporary-admin.ts), plans, and
 * makes the calls of an update: the stack's template, cordons, instance replacements. The calls
 * only adding or removing a nodegroup makes are the caller's (`otherCalls`), so a step that only
 * updates is granted only these. Each cordon names the operation, and a drain that fails leaves
 * the nodes it cordoned uncordoned, so they take pods again (self-managed-nodes.ts, which the
 * upgrade's failure path shares). Each update's look records the version its nodes run. Each look
 * first waits out any update of the cluster (settled.ts).
 */
import type { Poll, UpdateInput } from '../generated/types';
import { changeFor } from '../domain/change-actions';
import { isStage } from '../domain/cluster-change';
import { rootCauseFromStackEvents } from '../domain/diagnosis';
import { elapsedSeconds } from '../domain/poll-schedule';
import { nodesToDrain, planSelfManagedChange, readsNodes, type SelfManagedCall, type SelfManagedLive } from '../domain/self-managed-change';
import { SELF_MANAGED_STACK_OUTPUTS } from '../domain/self-managed-nodegroup-template';
import { idempotencyToken, nodegroupStackName, TAG_CLUSTER, TAG_OPERATION } from '../domain/naming';
import type { StepDeps } from '../shared/deps';
import { KubernetesApiError, NodesNotReadyError, StackFailedError } from '../shared/errors';
import type { ClusterEndpoint } from './node-role-admission';
import { settledCluster } from './settled';
import { parsedTemplate } from './stack-template';
import { nodeadmCluster } from './self-managed-launch';
import { cordonForOperation, listSelfManagedNodes, recordNodeVersion, releaseCordons, withClusterNodes } from './self-managed-nodes';
import type { ChangeProgress } from './update-change';

export type SelfManagedChangeDeps = StepDeps<'autoScaling' | 'cloudFormation' | 'eks' | 'kubernetes' | 'events' | 'registry'>;
type Change = ReturnType<typeof changeFor<'Change Self-managed Nodegroup'>>;
type UpdateCall = Extract<SelfManagedCall, { call: 'updateSelfManagedStack' | 'cordonNodes' | 'replaceInstance' }>;
/** The calls of adding or removing a nodegroup, made by the step that does those. */
export type OtherSelfManagedCall = Exclude<SelfManagedCall, UpdateCall>;

export async function lookAtSelfManagedChange(
  input: UpdateInput,
  deps: SelfManagedChangeDeps,
  progress: ChangeProgress,
  otherCalls: (call: OtherSelfManagedCall, access: ClusterEndpoint | undefined) => Promise<void>,
): Promise<Poll> {
  const { spec, operation } = input;
  const change = changeFor(input.change, 'Change Self-managed Nodegroup');
  const { cluster, target: name } = progress;
  const stackName = nodegroupStackName(cluster, name);
  const settled = progress.underway ? undefined : await settledCluster(deps, cluster);

  const live: SelfManagedLive = {};
  const stack = await deps.cloudFormation.describeStack(stackName);
  if (stack) live.stack = { status: stack.status, operationId: stack.tags[TAG_OPERATION], cluster: stack.tags[TAG_CLUSTER], outputs: stack.outputs, tags: stack.tags };
  if (isStage(input.progress?.stage)) {
    live.stage = input.progress.stage;
    live.stageSeconds = elapsedSeconds(input.progress.startedAt, deps.clock());
  }
  if (change.action === 'UPDATE_SELF_MANAGED_NODEGROUP' && stack && !stack.status.endsWith('_IN_PROGRESS')) {
    live.template = parsedTemplate(await deps.cloudFormation.getTemplate(stackName));
    if (change.update.labels || change.update.taints) live.nodeadm = await nodeadmCluster(deps, cluster);
  }

  const makeCall = (call: SelfManagedCall, access: ClusterEndpoint | undefined) => (isUpdateCall(call) ? makeUpdateCall(call, input, stackName, access, deps) : otherCalls(call, access));
  const look = async (access?: ClusterEndpoint) => {
    const next = planSelfManagedChange(change, spec, live, operation.id);
    // A drain that gives up hands the nodes it cordoned back to the scheduler before the failure is reported.
    if (access && next.kind === 'failed' && (next.stage === 'selfManagedDrain' || next.stage === 'selfManagedNodeReplacement')) {
      await releaseCordons(deps, access, operation, live.nodes ?? []);
    }
    return progress.follow(
      next,
      (call) => makeCall(call, access),
      async (stage) => (['selfManagedStack', 'selfManagedStackUpdate', 'nodegroupStackDelete'].includes(stage) ? rootCauseFromStackEvents(await deps.cloudFormation.stackEvents(stackName))?.message : undefined),
    );
  };

  const needsKubernetes = readsNodes(change, live) || (spec.authenticationMode === 'CONFIG_MAP' && change.action !== 'UPDATE_SELF_MANAGED_NODEGROUP');
  if (!needsKubernetes) return look();

  return withClusterNodes(
    deps,
    { operation, spec, ...(settled?.cluster ? { described: settled.cluster } : {}) },
    async (access) => {
      if (readsNodes(change, live)) await lookInside(change, live, stackName, access, input, deps);
      return look(access);
    },
    // A drain or a replacement looked at again soon (the ASL's Retry) keeps the entry for that look.
    (error) => error instanceof NodesNotReadyError,
  );
}

/** The nodes, the group while nodes are replaced, and a round of the drain under way. */
async function lookInside(change: Change, live: SelfManagedLive, stackName: string, access: ClusterEndpoint, input: UpdateInput, deps: SelfManagedChangeDeps): Promise<void> {
  live.nodes = await listSelfManagedNodes(deps, access, change.target);
  if (change.action === 'UPDATE_SELF_MANAGED_NODEGROUP') {
    // Each look: an update stopped half-way (failed, or its branch stopped) leaves the oldest kubelet recorded.
    await recordNodeVersion(deps, input.operation.cluster.name, change.target, live.nodes);
    const groupName = live.stack?.outputs[SELF_MANAGED_STACK_OUTPUTS.autoScalingGroup];
    const group = groupName ? await deps.autoScaling.describeGroup(groupName) : undefined;
    if (group) live.group = group;
    else if (!groupName) throw new StackFailedError(`has no ${SELF_MANAGED_STACK_OUTPUTS.autoScalingGroup} output`, { resource: `stack ${stackName}` });
  }
  const draining = nodesToDrain(change, live);
  if (draining.length > 0) live.drain = await deps.kubernetes.drainNodes(access, draining);
}

function isUpdateCall(call: SelfManagedCall): call is UpdateCall {
  return call.call === 'updateSelfManagedStack' || call.call === 'cordonNodes' || call.call === 'replaceInstance';
}

async function makeUpdateCall(call: UpdateCall, input: UpdateInput, stackName: string, access: ClusterEndpoint | undefined, deps: SelfManagedChangeDeps): Promise<void> {
  switch (call.call) {
    case 'updateSelfManagedStack':
      await deps.cloudFormation.updateStackTags({
        stackName,
        tags: call.tags,
        template: { body: JSON.stringify(call.template), parameterKeys: call.parameterKeys },
        clientRequestToken: idempotencyToken(input.operation.id, 'update-self-managed-nodegroup', stackName),
        roleArn: deps.settings.cloudFormationRoleArn(),
      });
      return;
    case 'cordonNodes':
      if (!access) throw new KubernetesApiError('a call inside the cluster was planned without the cluster reached (a wiring bug)', { resource: `cluster ${input.operation.cluster.name}` });
      await cordonForOperation(deps, access, input.operation, call.nodes);
      return;
    case 'replaceInstance':
      await deps.autoScaling.replaceInstance(call.instanceId);
      return;
  }
}

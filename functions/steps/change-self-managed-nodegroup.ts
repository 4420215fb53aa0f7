/**
 * Task "Change Self-managed Nodegroup" (update-cluster, ADD/UPDATE/REMOVE_SELF_MANAGED_NODEGROUP:
 * the nodegroup routes on a self-managed nodegroup), looked at again after each wait until the
 * nodegroup is as asked (domain/self-managed-change.ts decides). It works on the nodegroup's
 * stack as CloudFormation's caller, passing it the execution role, and inside the cluster through
 * the kube agent (nodes, cordons, drains, aws-auth), holding cluster-admin only for the look that
 * needs it (temporary-admin.ts). A drain that fails leaves the nodes uncordoned, so they take
 * pods again. Each look first waits out any update of the cluster (settled.ts).
 */
import { validateUpdateInput } from '../generated/validators';
import type { Poll, UpdateInput } from '../generated/types';
import { changeFor } from '../domain/change-actions';
import { isStage } from '../domain/cluster-change';
import { rootCauseFromStackEvents } from '../domain/diagnosis';
import { nodegroupNodes } from '../domain/node-readiness';
import { ownerGrant } from '../domain/owner-access';
import { elapsedSeconds } from '../domain/poll-schedule';
import { nodesToDrain, planSelfManagedChange, readsNodes, type SelfManagedCall, type SelfManagedLive } from '../domain/self-managed-change';
import { renderSelfManagedNodegroupTemplate, SELF_MANAGED_STACK_OUTPUTS } from '../domain/self-managed-nodegroup-template';
import { idempotencyToken, nodegroupStackName, TAG_CLUSTER, TAG_OPERATION } from '../domain/naming';
import type { StepDeps } from '../shared/deps';
import { KubernetesApiError, NodesNotReadyError } from '../shared/errors';
import { step } from '../shared/step';
import { admitNodeRole, type ClusterEndpoint } from '../step-support/node-role-admission';
import { releaseNodeRole } from '../step-support/node-role-release';
import { ownedStackRequest, stackTags } from '../step-support/owned-stack';
import { settledCluster } from '../step-support/settled';
import { parsedTemplate } from '../step-support/stack-template';
import { withTemporaryAdmin } from '../step-support/temporary-admin';
import { ChangeProgress } from '../step-support/update-change';
import { nodeadmCluster, resolveImageId } from './create-self-managed-nodegroup';
import { sdkAutoScaling } from '../ports/autoscaling';
import { sdkCloudFormation } from '../ports/cloudformation';
import { sdkEks } from '../ports/eks';
import { inVpcKubernetes } from '../ports/kubernetes';
import { dynamoRegistry } from '../ports/registry';
import { sdkSsm } from '../ports/ssm';
import { eventBridgeStatusEvents } from '../ports/status-events';

type Deps = StepDeps<'autoScaling' | 'cloudFormation' | 'eks' | 'kubernetes' | 'ssm' | 'events' | 'registry'>;
type Change = ReturnType<typeof changeFor<'Change Self-managed Nodegroup'>>;

export async function changeSelfManagedNodegroup(input: UpdateInput, deps: Deps): Promise<Poll> {
  const { spec, operation } = input;
  const change = changeFor(input.change, 'Change Self-managed Nodegroup');
  const progress = new ChangeProgress(input, deps, 'Change Self-managed Nodegroup');
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

  const look = async (access?: ClusterEndpoint) => {
    const next = planSelfManagedChange(change, spec, live, operation.id);
    // A drain that gives up hands the nodes back to the scheduler before the failure is reported.
    if (access && next.kind === 'failed' && (next.stage === 'selfManagedDrain' || next.stage === 'selfManagedNodeReplacement')) {
      await deps.kubernetes.cordonNodes(access, (live.nodes ?? []).filter((node) => node.unschedulable).map((node) => node.name), false);
    }
    return progress.follow(
      next,
      (call) => makeCall(call, input, stackName, access, deps),
      async (stage) => (['selfManagedStack', 'selfManagedStackUpdate', 'nodegroupStackDelete'].includes(stage) ? rootCauseFromStackEvents(await deps.cloudFormation.stackEvents(stackName))?.message : undefined),
    );
  };

  const needsKubernetes = readsNodes(change, live) || (spec.authenticationMode === 'CONFIG_MAP' && change.action !== 'UPDATE_SELF_MANAGED_NODEGROUP');
  if (!needsKubernetes) return look();

  const described = settled?.cluster ?? (await deps.eks.describeCluster(cluster));
  if (!described?.endpoint) throw new KubernetesApiError('the cluster or its endpoint is gone: its nodes cannot be reached', { resource: `cluster ${cluster}` });
  const access: ClusterEndpoint = { name: cluster, endpoint: described.endpoint, ...(described.certificateAuthority?.data ? { certificateAuthority: described.certificateAuthority.data } : {}) };
  const owner = ownerGrant(spec, operation.requestedBy).accessEntry;
  const othersPrincipals = [...spec.accessEntries, ...(owner ? [owner] : [])].map((entry) => entry.principalArn);
  return withTemporaryAdmin(
    deps,
    { operation, mode: spec.authenticationMode, othersPrincipals },
    async () => {
      if (readsNodes(change, live)) await lookInside(change, live, stackName, access, deps);
      return look(access);
    },
    // A drain or a replacement looked at again soon (the ASL's Retry) keeps the entry for that look.
    (error) => error instanceof NodesNotReadyError,
  );
}

/** The nodes, the group while nodes are replaced, and a round of the drain under way. */
async function lookInside(change: Change, live: SelfManagedLive, stackName: string, access: ClusterEndpoint, deps: Deps): Promise<void> {
  live.nodes = await deps.kubernetes.listNodes(access, nodegroupNodes({ name: change.target, desiredSize: 0 }, false).labelSelector);
  if (change.action === 'UPDATE_SELF_MANAGED_NODEGROUP') {
    const groupName = live.stack?.outputs[SELF_MANAGED_STACK_OUTPUTS.autoScalingGroup];
    const group = groupName ? await deps.autoScaling.describeGroup(groupName) : undefined;
    if (group) live.group = group;
    else if (!groupName) throw new KubernetesApiError(`has no ${SELF_MANAGED_STACK_OUTPUTS.autoScalingGroup} output`, { resource: `stack ${stackName}` });
  }
  const draining = nodesToDrain(change, live);
  if (draining.length > 0) live.drain = await deps.kubernetes.drainNodes(access, draining);
}

async function makeCall(call: SelfManagedCall, input: UpdateInput, stackName: string, access: ClusterEndpoint | undefined, deps: Deps): Promise<void> {
  const { operation, spec } = input;
  const cluster = operation.cluster.name;
  const inside = (): ClusterEndpoint => {
    if (!access) throw new KubernetesApiError('a call inside the cluster was planned without the cluster reached (a wiring bug)', { resource: `cluster ${cluster}` });
    return access;
  };
  switch (call.call) {
    case 'createSelfManagedStack': {
      const tags = stackTags(operation, spec);
      const template = renderSelfManagedNodegroupTemplate({
        stackName,
        nodegroup: call.nodegroup,
        cluster: await nodeadmCluster(deps, cluster),
        imageId: await resolveImageId(deps, spec, call.nodegroup),
        tags,
        permissionsBoundaryArn: deps.settings.permissionsBoundaryArn(),
      });
      await deps.cloudFormation.createStack(ownedStackRequest(operation, spec, { stackName, template, tags, step: 'create-self-managed-nodegroup', resource: call.nodegroup.name, roleArn: deps.settings.cloudFormationRoleArn() }));
      return;
    }
    case 'admitNodeRole':
      // In API modes the entry is EKS's; only CONFIG_MAP reaches inside (aws-auth).
      await admitNodeRole(deps, operation, spec, call.roleArn, access ?? { name: cluster, endpoint: '' });
      return;
    case 'releaseNodeRole':
      await releaseNodeRole(deps, operation, spec, call.roleArn, access ?? { name: cluster, endpoint: '' });
      return;
    case 'updateSelfManagedStack':
      await deps.cloudFormation.updateStackTags({
        stackName,
        tags: call.tags,
        template: { body: JSON.stringify(call.template), parameterKeys: call.parameterKeys },
        clientRequestToken: idempotencyToken(operation.id, 'update-self-managed-nodegroup', stackName),
        roleArn: deps.settings.cloudFormationRoleArn(),
      });
      return;
    case 'cordonNodes':
      await deps.kubernetes.cordonNodes(inside(), call.nodes);
      return;
    case 'replaceInstance':
      await deps.autoScaling.replaceInstance(call.instanceId);
      return;
    case 'deleteStack':
      // Stacks are made termination-protected; this one is the service's to delete.
      await deps.cloudFormation.setTerminationProtection(stackName, false);
      await deps.cloudFormation.deleteStack(stackName, idempotencyToken(operation.id, 'delete-nodegroup-stack', stackName), deps.settings.cloudFormationRoleArn());
      return;
  }
}

export const handler = step(
  validateUpdateInput,
  { autoScaling: sdkAutoScaling, cloudFormation: sdkCloudFormation, eks: sdkEks, kubernetes: inVpcKubernetes, ssm: sdkSsm, events: eventBridgeStatusEvents, registry: dynamoRegistry },
  changeSelfManagedNodegroup,
);

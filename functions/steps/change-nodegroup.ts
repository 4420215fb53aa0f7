/**
 * Task "Change Nodegroup" (update-cluster, ADD/UPDATE/REMOVE_NODEGROUP), looked at again after
 * each wait until the nodegroup is as asked. An added nodegroup gets its own stack first (node
 * role, launch template: `eksp-<cluster>-nodegroup-<ng>`), then CreateNodegroup with them; an
 * update is one UpdateNodegroupConfig with what differs from DescribeNodegroup (sizes, labels,
 * taints, updateConfig), then UpdateNodegroupVersion when the AMI release differs, each followed
 * until it ends (domain/nodegroup-update.ts); a removed nodegroup is deleted, then its stack if it
 * has one. Each look first waits out any update of the cluster, and of the nodegroup for an
 * update or removal, whoever started it (settled.ts): EKS creates no nodegroup in an UPDATING
 * cluster, and a diff against settings about to change could say "unchanged" wrongly.
 */
import { updateErrorsText } from '../domain/status';
import { validateUpdateInput } from '../generated/validators';
import type { Poll, UpdateInput } from '../generated/types';
import { NODEGROUP_STACK_OUTPUTS, renderNodegroupTemplate } from '../domain/cluster-template';
import { planNodegroupChange, STACK_STAGES, type NodegroupCall, type LiveState } from '../domain/cluster-change';
import { rootCauseFromStackEvents } from '../domain/diagnosis';
import { clusterStackName, idempotencyToken, nodegroupStackName, TAG_CLUSTER, TAG_OPERATION } from '../domain/naming';
import type { Spec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import { StackFailedError } from '../shared/errors';
import { step } from '../shared/step';
import { nodegroupRequestFor } from './create-nodegroup';
import { observeNodegroup } from '../step-support/nodegroup';
import { changeFor } from '../domain/change-actions';
import { ChangeProgress } from '../step-support/update-change';
import { settledCluster } from '../step-support/settled';
import { sdkCloudFormation } from '../ports/cloudformation';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';
import { ownedStackRequest, stackTags } from '../step-support/owned-stack';

type Deps = StepDeps<'cloudFormation' | 'eks' | 'events' | 'registry'>;

/** The stages of an UPDATE_NODEGROUP that follow an EKS update by its id. */
const NODEGROUP_UPDATE_STAGES = ['nodegroupConfigUpdate', 'nodegroupReleaseUpdate'] as const;

export async function changeNodegroup(input: UpdateInput, deps: Deps): Promise<Poll> {
  const spec = input.spec;
  const change = changeFor(input.change, 'Change Nodegroup');
  const progress = new ChangeProgress(input, deps, 'Change Nodegroup');
  const { cluster, target: name } = progress;
  const stackName = nodegroupStackName(cluster, name);

  const tracked = NODEGROUP_UPDATE_STAGES.map((stage) => ({ stage, updateId: progress.trackedUpdateId(stage) })).find((t) => t.updateId !== undefined);
  // Following a stage of our own (a stack, a nodegroup, our update), only its status matters.
  if (!progress.underway) await settledCluster(deps, cluster, change.action === 'ADD_NODEGROUP' ? {} : { nodegroup: name });

  const live: LiveState = {};
  const nodegroup = await deps.eks.describeNodegroup(cluster, name);
  if (nodegroup) {
    const observed = observeNodegroup(nodegroup)!;
    live.nodegroup = {
      status: observed.status ?? 'UNKNOWN',
      problems: observed.problems,
      scaling: nodegroup.scalingConfig,
      labels: nodegroup.labels ?? {},
      taints: (nodegroup.taints ?? []).flatMap((t) => (t.key && t.effect ? [{ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect }] : [])),
      ...(nodegroup.updateConfig ? { updateConfig: nodegroup.updateConfig } : {}),
      ...(nodegroup.releaseVersion ? { releaseVersion: nodegroup.releaseVersion } : {}),
    };
  }
  if (change.action !== 'UPDATE_NODEGROUP') {
    const stack = await deps.cloudFormation.describeStack(stackName);
    if (stack) live.stack = { status: stack.status, operationId: stack.tags[TAG_OPERATION], cluster: stack.tags[TAG_CLUSTER], outputs: stack.outputs };
  }
  if (tracked) {
    const update = await deps.eks.describeUpdate(cluster, tracked.updateId!, name);
    const errorCodes = (update?.errors ?? []).flatMap((e) => (e.errorCode ? [e.errorCode] : []));
    live.update = { status: update?.status ?? 'Unknown', errors: updateErrorsText(update?.errors), errorCodes, stage: tracked.stage };
  }

  return progress.follow(
    planNodegroupChange(change, spec, live, input.operation.id),
    (call) => makeCall(call, input, spec, stackName, deps),
    async (stage) => (STACK_STAGES.includes(stage) ? rootCauseFromStackEvents(await deps.cloudFormation.stackEvents(stackName))?.message : undefined),
  );
}

/** Returns the update id of an update it starts. */
async function makeCall(call: NodegroupCall, input: UpdateInput, spec: Spec, stackName: string, deps: Deps): Promise<string | undefined> {
  const { operation } = input;
  const cluster = operation.cluster.name;
  switch (call.call) {
    case 'createNodegroupStack': {
      const tags = stackTags(operation, spec);
      const template = renderNodegroupTemplate({ clusterName: cluster, nodegroup: call.nodegroup, stackName, tags, permissionsBoundaryArn: deps.settings.permissionsBoundaryArn() });
      await deps.cloudFormation.createStack(ownedStackRequest(operation, spec, { stackName, template, tags, step: 'create-nodegroup-stack', resource: call.nodegroup.name, roleArn: deps.settings.cloudFormationRoleArn() }));
      return undefined;
    }
    case 'createNodegroup': {
      const clusterStack = await deps.cloudFormation.describeStack(clusterStackName(cluster));
      if (!clusterStack) throw new StackFailedError('does not exist: the nodegroup needs its subnets', { resource: `stack ${clusterStackName(cluster)}` });
      await deps.eks.createNodegroup(
        nodegroupRequestFor(operation, call.nodegroup, {
          nodeRole: call.stackOutputs[NODEGROUP_STACK_OUTPUTS.nodeRole],
          launchTemplateId: call.stackOutputs[NODEGROUP_STACK_OUTPUTS.launchTemplate],
          clusterStackOutputs: clusterStack.outputs,
        }),
      );
      return undefined;
    }
    case 'updateNodegroupConfig':
      return deps.eks.updateNodegroupConfig(cluster, call.nodegroup, call.config, idempotencyToken(operation.id, 'update-nodegroup-config', call.nodegroup));
    case 'updateNodegroupRelease':
      return deps.eks.updateNodegroupVersion(cluster, call.nodegroup, { releaseVersion: call.releaseVersion, force: false }, idempotencyToken(operation.id, 'update-nodegroup-release', `${call.nodegroup}@${call.releaseVersion}`));
    case 'deleteNodegroup':
      await deps.eks.deleteNodegroup(cluster, call.nodegroup);
      return undefined;
    case 'deleteStack':
      // Stacks are made termination-protected; this one is the service's to delete.
      await deps.cloudFormation.setTerminationProtection(stackName, false);
      await deps.cloudFormation.deleteStack(stackName, idempotencyToken(operation.id, 'delete-nodegroup-stack', stackName), deps.settings.cloudFormationRoleArn());
      return undefined;
  }
}

export const handler = step(validateUpdateInput, { cloudFormation: sdkCloudFormation, eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, changeNodegroup);

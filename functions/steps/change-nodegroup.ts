/**
 * Task "Change Nodegroup" (update-cluster, ADD/UPDATE/REMOVE_NODEGROUP), looked at again after
 * each wait until the nodegroup is as asked. An added nodegroup gets its own stack first (node
 * role, launch template: `eksp-<cluster>-nodegroup-<ng>`), then CreateNodegroup with them; an
 * update is one UpdateNodegroupConfig with what differs from DescribeNodegroup (sizes, labels,
 * taints, updateConfig), then a new instance type (the launch template's stack updated with it,
 * then UpdateNodegroupVersion to the template's new version), then UpdateNodegroupVersion when the
 * AMI release differs, each followed until it ends (domain/nodegroup-update.ts, cluster-change.ts); a removed nodegroup is deleted, then its stack if it
 * has one. Each look first waits out any update of the cluster, and of the nodegroup for an
 * update or removal, whoever started it (settled.ts): EKS creates no nodegroup in an UPDATING
 * cluster, and a diff against settings about to change could say "unchanged" wrongly.
 */
import { updateErrorsText } from '../domain/status';
import { validateUpdateInput } from '../generated/validators';
import type { Poll, UpdateInput } from '../generated/types';
import { launchTemplateOutputName, NODEGROUP_STACK_OUTPUTS, renderNodegroupTemplate } from '../domain/cluster-template';
import { isStage, planNodegroupChange, STACK_STAGES, type LiveLaunchTemplate, type NodegroupCall, type LiveState } from '../domain/cluster-change';
import { launchTemplateInstanceTypeIn } from '../domain/template-instance-type';
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
import { sdkEks, type Nodegroup } from '../ports/eks';
import { queryEc2 } from '../ports/ec2';
import { parsedTemplate } from '../step-support/stack-template';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';
import { ownedStackRequest, stackTags } from '../step-support/owned-stack';

type Deps = StepDeps<'cloudFormation' | 'ec2' | 'eks' | 'events' | 'registry'>;

/** The stages of an UPDATE_NODEGROUP that follow an EKS update by its id. */
const NODEGROUP_UPDATE_STAGES = ['nodegroupConfigUpdate', 'nodegroupInstanceTypeUpdate', 'nodegroupReleaseUpdate'] as const;

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
      ...(nodegroup.instanceTypes?.length ? { instanceTypes: nodegroup.instanceTypes } : {}),
      ...(nodegroup.launchTemplate ? { launchTemplate: nodegroup.launchTemplate } : {}),
    };
  }
  if (isStage(input.progress?.stage)) live.stage = input.progress.stage;
  const wantedType = change.action === 'UPDATE_NODEGROUP' ? change.update.instanceTypes : undefined;
  // Only a nodegroup whose type its launch template carries (DescribeNodegroup reports no instanceTypes) changes it there.
  if (nodegroup && wantedType?.length === 1 && !nodegroup.instanceTypes?.length) live.launchTemplate = await liveLaunchTemplate(cluster, name, nodegroup, wantedType[0]!, deps);
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
    async (stage) => {
      const failedStack = stage === 'nodegroupLaunchTemplate' ? live.launchTemplate?.stackName : STACK_STAGES.includes(stage) ? stackName : undefined;
      return failedStack ? rootCauseFromStackEvents(await deps.cloudFormation.stackEvents(failedStack))?.message : undefined;
    },
  );
}

/**
 * The stack holding the nodegroup's launch template: its own stack when it was added later, the
 * cluster stack when it was made at provisioning (both of this cluster). Its template is read once
 * the stack is not updating, and the template's latest version once it carries the wanted type.
 */
async function liveLaunchTemplate(cluster: string, name: string, nodegroup: Nodegroup, wanted: string, deps: Deps): Promise<LiveLaunchTemplate | undefined> {
  const logicalId = launchTemplateOutputName({ name });
  for (const stackName of [nodegroupStackName(cluster, name), clusterStackName(cluster)]) {
    const stack = await deps.cloudFormation.describeStack(stackName);
    if (!stack || stack.tags[TAG_CLUSTER] !== cluster || stack.status.startsWith('DELETE')) continue;
    const found: LiveLaunchTemplate = { stackName, stackStatus: stack.status, stackTags: stack.tags, logicalId };
    if (/_IN_PROGRESS$/.test(stack.status)) return found;
    const template = parsedTemplate(await deps.cloudFormation.getTemplate(stackName));
    if (!template || launchTemplateInstanceTypeIn(template, logicalId) === undefined) continue;
    found.template = template;
    if (launchTemplateInstanceTypeIn(template, logicalId) === wanted && nodegroup.launchTemplate?.id) {
      const versions = await deps.ec2.describeLaunchTemplate(nodegroup.launchTemplate.id);
      if (versions) found.latestVersion = versions.latestVersionNumber;
    }
    return found;
  }
  return undefined;
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
    case 'updateLaunchTemplateStack':
      // The stack's own tags as they are: only the launch template's data changes (a new version).
      await deps.cloudFormation.updateStackTags({
        stackName: call.stackName,
        tags: call.tags,
        template: { body: JSON.stringify(call.template), parameterKeys: call.parameterKeys },
        clientRequestToken: idempotencyToken(operation.id, 'update-launch-template', `${call.stackName}@${call.instanceType}`),
        roleArn: deps.settings.cloudFormationRoleArn(),
      });
      return undefined;
    case 'updateNodegroupLaunchTemplate':
      return deps.eks.updateNodegroupVersion(
        cluster,
        call.nodegroup,
        { launchTemplate: call.launchTemplate, force: false },
        idempotencyToken(operation.id, 'update-nodegroup-launch-template', `${call.nodegroup}@${call.launchTemplate.version}`),
      );
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

export const handler = step(validateUpdateInput, { cloudFormation: sdkCloudFormation, ec2: queryEc2, eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, changeNodegroup);

/**
 * Task "Check Self-managed Nodegroup": the nodegroup's stack complete (its instances launched),
 * then its node role admitted to the cluster, without which the instances never become nodes;
 * a failed stack fails with the first resource that failed and why (its stack events).
 */
import { validateSelfManagedNodegroupItem } from '../generated/validators';
import type { Poll, SelfManagedNodegroupItem } from '../generated/types';
import { rootCauseFromStackEvents } from '../domain/diagnosis';
import { nodegroupStackName } from '../domain/naming';
import { SELF_MANAGED_STACK_OUTPUTS } from '../domain/self-managed-nodegroup-template';
import type { StepDeps } from '../shared/deps';
import { StackFailedError } from '../shared/errors';
import { step } from '../shared/step';
import { checkedResource } from '../step-support/resource-poll';
import { admitNodeRole } from '../step-support/node-role-admission';
import { selfManagedPolling } from '../step-support/self-managed-nodegroup';
import { stackOutputs } from '../step-support/stack-outputs';
import { sdkCloudFormation } from '../ports/cloudformation';
import { sdkEks } from '../ports/eks';
import { inVpcKubernetes } from '../ports/kubernetes';
import { dynamoRegistry } from '../ports/registry';
import { eventBridgeStatusEvents } from '../ports/status-events';

type Deps = StepDeps<'cloudFormation' | 'eks' | 'kubernetes' | 'events' | 'registry'>;

export async function checkSelfManagedNodegroup(input: SelfManagedNodegroupItem, deps: Deps): Promise<Poll> {
  const { operation, item: nodegroup } = input;
  const stackName = nodegroupStackName(operation.cluster.name, nodegroup.name);
  let roleArn: string | undefined;
  // The role is admitted between "stack complete" and the step's SUCCEEDED: a failed admission is retried by the ASL like any check.
  const polling = selfManagedPolling(nodegroup.name);
  return checkedResource(deps, operation, polling, async () => {
    const stack = await deps.cloudFormation.describeStack(stackName);
    if (!stack) return undefined;
    const progress = polling.classify(stack.status);
    if (progress === 'failed') {
      const cause = rootCauseFromStackEvents(await deps.cloudFormation.stackEvents(stackName));
      return { status: stack.status, createdAt: stack.creationTime, problems: cause?.message ?? stack.statusReason };
    }
    if (progress === 'ready' && roleArn === undefined) {
      roleArn = stack.outputs[SELF_MANAGED_STACK_OUTPUTS.nodeRole];
      if (!roleArn) throw new StackFailedError(`has no ${SELF_MANAGED_STACK_OUTPUTS.nodeRole} output`, { resource: `stack ${stackName}` });
      const outputs = stackOutputs(input);
      await admitNodeRole(deps, operation, input.spec, roleArn, { name: operation.cluster.name, endpoint: outputs.Endpoint ?? '', ...(outputs.CertificateAuthorityData ? { certificateAuthority: outputs.CertificateAuthorityData } : {}) });
    }
    return { status: stack.status, ...(stack.creationTime ? { createdAt: stack.creationTime } : {}) };
  });
}

export const handler = step(validateSelfManagedNodegroupItem, { cloudFormation: sdkCloudFormation, eks: sdkEks, kubernetes: inVpcKubernetes, events: eventBridgeStatusEvents, registry: dynamoRegistry }, checkSelfManagedNodegroup);

/**
 * Task "Roll Back": deletes what the failed provisioning made, in the order EKS and
 * CloudFormation require — nodegroups (all at once), Fargate profiles (one at a time), the
 * self-managed nodegroups' stacks, what Kubernetes controllers made in the cluster's VPC (a
 * workload may have got as far as a load balancer: controller-leftovers.ts), then the stack
 * (termination protection off first), which deletes the VPC; the deleting itself is shared with delete-cluster. Each run advances what it can and throws RollbackNotDoneError while anything
 * remains; the ASL's Retry is the wait. Safe to repeat. When nothing is left it says so once
 * ("Roll Back" SUCCEEDED): Report Failure goes by that, not by whether some attempt threw, since
 * an attempt can crash after its work is done.
 */
import { validateFailureState } from '../generated/validators';
import type { FailureState, Poll } from '../generated/types';
import { clusterStackName, idempotencyToken, nodegroupStackPrefix } from '../domain/naming';
import type { StepDeps } from '../shared/deps';
import { RollbackFailedError, RollbackNotDoneError } from '../shared/errors';
import { step } from '../shared/step';
import { sdkCloudFormation } from '../ports/cloudformation';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';
import { queryEc2 } from '../ports/ec2';
import { assumedKubernetesGroups } from '../ports/kubernetes-groups';
import { sdkElb } from '../ports/elb';
import { sdkElbv2 } from '../ports/elbv2';
import { describeRemaining, reportSweep, sweepControllerLeftovers, sweepDone } from '../step-support/controller-leftovers';
import { advanceStackDeletion } from '../step-support/stack-teardown';
import { teardownCompute } from '../step-support/teardown';
import { reportRolledBack } from '../step-support/rollback-outcome';

export async function rollBack(input: FailureState, deps: StepDeps<'cloudFormation' | 'eks' | 'ec2' | 'elb' | 'elbv2' | 'kubernetesGroups' | 'events' | 'registry'>): Promise<Poll> {
  const cluster = input.operation.cluster.name;
  const stackName = clusterStackName(cluster);
  // Self-managed nodegroups' stacks (made at provisioning, each importing the cluster stack's exports) go before it.
  const nodegroupStacks = await deps.cloudFormation.listStacks(nodegroupStackPrefix(cluster));
  const compute = await teardownCompute(cluster, deps, { nodegroupStacks: { stackNames: nodegroupStacks.map((s) => s.stackName), token: (name) => idempotencyToken(input.operation.id, 'roll-back', name) } });
  if (compute.failed) throw new RollbackFailedError(compute.failed.message, { resource: compute.failed.resource });
  if (compute.remaining.length > 0) throw new RollbackNotDoneError(`waiting for ${compute.remaining.join(', ')} to be deleted`, { resource: `cluster ${cluster}` });

  // The VPC is an output only of a stack that completed; one that did not ran no workload.
  const described = await deps.cloudFormation.describeStack(stackName);
  const vpcId = described?.status === 'DELETE_IN_PROGRESS' ? undefined : described?.outputs.VPC;
  if (vpcId) {
    const sweep = await sweepControllerLeftovers(cluster, vpcId, deps);
    await reportSweep(input.operation, 'Rollback', sweep, deps);
    if (!sweepDone(sweep)) throw new RollbackNotDoneError(`waiting for ${describeRemaining(sweep)} to be deleted`, { resource: `cluster ${cluster}` });
  }

  const stack = await advanceStackDeletion(stackName, idempotencyToken(input.operation.id, 'roll-back'), deps);
  if (stack.progress === 'gone') {
    await reportRolledBack(input.operation, `stack ${stackName}`, deps);
    return { ready: true, waitSeconds: 0, status: 'DELETE_COMPLETE' };
  }
  if (stack.progress === 'failed' || stack.progress === 'refused') throw new RollbackFailedError(stack.reason, { resource: `stack ${stackName}` });
  throw new RollbackNotDoneError(stack.status, { resource: `stack ${stackName}` });
}

export const handler = step(validateFailureState, { cloudFormation: sdkCloudFormation, eks: sdkEks, ec2: queryEc2, elb: sdkElb, elbv2: sdkElbv2, kubernetesGroups: assumedKubernetesGroups, events: eventBridgeStatusEvents, registry: dynamoRegistry }, rollBack);

/**
 * Task "Delete Controller Resources" (delete-cluster): with the nodegroups and Fargate profiles
 * gone (no controller runs any more to make new ones), clears the cluster's VPC of what its
 * Kubernetes controllers made there (step-support/controller-leftovers.ts) so the cluster stack
 * can delete the VPC. Each call is one look; the ASL loops through a Wait while load balancers
 * are being deleted or AWS refuses a delete for a dependency that will go. Past PATIENCE_SECONDS
 * what remains fails the deletion, each resource named with AWS's reason.
 */
import { validateDeleteInput } from '../generated/validators';
import type { ControllerResourcesState, DeleteInput } from '../generated/types';
import { clusterStackName } from '../domain/naming';
import type { StepDeps } from '../shared/deps';
import { DeleteFailedError } from '../shared/errors';
import { step } from '../shared/step';
import { sdkCloudFormation } from '../ports/cloudformation';
import { queryEc2 } from '../ports/ec2';
import { assumedKubernetesGroups } from '../ports/kubernetes-groups';
import { sdkElb } from '../ports/elb';
import { sdkElbv2 } from '../ports/elbv2';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';
import { describeRemaining, reportSweep, sweepControllerLeftovers, sweepDone } from '../step-support/controller-leftovers';

/** Load balancers go in tens of seconds and their interfaces a few minutes after; a dependency still there after this will not go by itself. */
export const PATIENCE_SECONDS = 20 * 60;
/** Between looks: a load balancer's delete takes ~30 s; a group waits for interfaces being released. */
const WAIT_FOR_LOAD_BALANCERS_SECONDS = 20;
const WAIT_FOR_DEPENDENCIES_SECONDS = 15;

export async function deleteControllerResources(input: DeleteInput, deps: StepDeps<'cloudFormation' | 'ec2' | 'elb' | 'elbv2' | 'kubernetesGroups' | 'events' | 'registry'>): Promise<ControllerResourcesState> {
  const { operation } = input;
  const cluster = operation.cluster.name;
  const startedAt = input.controllerResources?.startedAt ?? deps.clock().toISOString();
  // The VPC is the cluster stack's output (its own, or the one the spec brought). No stack, or one
  // CloudFormation rolled back before it was complete: no cluster ran there, nothing was left.
  const vpcId = input.controllerResources?.vpcId ?? (await deps.cloudFormation.describeStack(clusterStackName(cluster)))?.outputs.VPC;
  if (!vpcId) return { ready: true, waitSeconds: 0, startedAt };
  const sweep = await sweepControllerLeftovers(cluster, vpcId, deps);
  await reportSweep(operation, 'Teardown', sweep, deps);
  if (sweepDone(sweep)) return { ready: true, waitSeconds: 0, vpcId, startedAt };
  const waited = (deps.clock().getTime() - Date.parse(startedAt)) / 1000;
  if (waited >= PATIENCE_SECONDS) {
    const first = sweep.refused[0] ?? sweep.deleting[0]!;
    throw new DeleteFailedError(`still there after ${PATIENCE_SECONDS / 60} minutes, so the VPC cannot be deleted: ${describeRemaining(sweep)}`, { resource: first.resource });
  }
  return { ready: false, waitSeconds: sweep.deleting.length > 0 ? WAIT_FOR_LOAD_BALANCERS_SECONDS : WAIT_FOR_DEPENDENCIES_SECONDS, vpcId, startedAt };
}

export const handler = step(
  validateDeleteInput,
  { cloudFormation: sdkCloudFormation, ec2: queryEc2, elb: sdkElb, elbv2: sdkElbv2, kubernetesGroups: assumedKubernetesGroups, events: eventBridgeStatusEvents, registry: dynamoRegistry },
  deleteControllerResources,
);

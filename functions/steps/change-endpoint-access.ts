/**
 * Task "Change Endpoint Access" (update-cluster, SET_ENDPOINT_ACCESS): UpdateClusterConfig only
 * when the live endpoint access differs from the spec's (EKS rejects a no-op update), then
 * DescribeUpdate until Successful; Failed or Cancelled carry EKS's errors. EKS runs one config
 * update at a time: "update in progress" is UpdateInProgressError, which the ASL waits out — and
 * the diff waits for any update in progress, whoever started it (settled.ts), unless that update
 * already makes the asked change (this step's own, when an attempt's answer was lost): then it is
 * followed as if this step had started it. A public-only endpoint restricted to CIDRs also
 * admits the VPC's NAT addresses (the cluster stack's NatPublicIps), so nodes keep reaching it.
 */
import { updateErrorsText } from '../domain/status';
import { validateUpdateInput } from '../generated/validators';
import type { Poll, UpdateInput } from '../generated/types';
import { planEndpointAccessChange, type LiveState } from '../domain/cluster-change';
import { endpointAccessAfter, endpointAccessChange, endpointAccessWithNodeEgress, publicEndpointNeedsNodeEgress } from '../domain/endpoint-access';
import { clusterStackName, idempotencyToken } from '../domain/naming';
import type { StepDeps } from '../shared/deps';
import { EndpointUpdateFailedError } from '../shared/errors';
import { step } from '../shared/step';
import { changeFor } from '../domain/change-actions';
import { ChangeProgress } from '../step-support/update-change';
import { settledCluster, type Settled } from '../step-support/settled';
import { sdkCloudFormation } from '../ports/cloudformation';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function changeEndpointAccess(input: UpdateInput, deps: StepDeps<'cloudFormation' | 'eks' | 'events' | 'registry'>): Promise<Poll> {
  const spec = input.spec;
  const { operation } = input;
  const progress = new ChangeProgress(input, deps, 'Change Endpoint Access');
  const { cluster } = progress;
  const natPublicIps = publicEndpointNeedsNodeEgress(spec.endpointAccess) ? await clusterNatPublicIps(deps, cluster) : [];
  const wanted = endpointAccessWithNodeEgress(spec.endpointAccess, natPublicIps);

  const updateId = progress.trackedUpdateId('endpointUpdate');
  // Following our own update, the diff is done: only its status matters.
  const settled: Settled | undefined = updateId
    ? await deps.eks.describeCluster(cluster).then((described) => described && { cluster: described })
    : await settledCluster(deps, cluster, {
        follow: (update, described) => update.type === 'EndpointAccessUpdate' && !endpointAccessChange(endpointAccessAfter(described.resourcesVpcConfig ?? {}, update.params), wanted),
      });
  if (!settled) throw new EndpointUpdateFailedError('the cluster no longer exists', { resource: `cluster ${cluster}` });
  const live: LiveState = { endpointAccess: settled.cluster.resourcesVpcConfig ?? {}, natPublicIps };
  if (updateId) {
    const update = await deps.eks.describeUpdate(cluster, updateId);
    live.update = {
      status: update?.status ?? 'Unknown',
      errors: updateErrorsText(update?.errors),
    };
  }

  return progress.follow(planEndpointAccessChange(changeFor(input.change, 'Change Endpoint Access'), spec, live, operation.id), (call) => {
    // The update in progress already makes this change: follow it rather than ask again.
    if (settled.following) return Promise.resolve(settled.following.id);
    return deps.eks.updateEndpointAccess(cluster, call.config, idempotencyToken(operation.id, 'set-endpoint-access'));
  });
}

/** The NAT addresses the cluster stack made (none for existing subnets, whose CIDR rules the API checked). */
async function clusterNatPublicIps(deps: StepDeps<'cloudFormation'>, cluster: string): Promise<string[]> {
  const stack = await deps.cloudFormation.describeStack(clusterStackName(cluster));
  return (stack?.outputs.NatPublicIps ?? '').split(',').filter(Boolean);
}

export const handler = step(validateUpdateInput, { cloudFormation: sdkCloudFormation, eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, changeEndpointAccess);

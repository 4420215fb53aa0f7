/**
 * Task "Finalize": the cluster is ready. A cluster with a `ttl` gets its expiry schedule; the one
 * terminal SUCCEEDED event carries what callers need.
 */
import { validateProvisionState } from '../generated/validators';
import type { ProvisionState } from '../generated/types';
import type { Spec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import { reportOutcome } from '../shared/progress';
import { step } from '../shared/step';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';
import { sdkSchedules } from '../ports/schedules';
import { scheduleExpiry } from './expiry';

export async function finalize(input: ProvisionState, deps: StepDeps<'eks' | 'events' | 'registry' | 'schedules'>): Promise<Record<string, string>> {
  const { operation } = input;
  const cluster = await deps.eks.describeCluster(operation.cluster.name);
  const outputs: Record<string, string> = {
    clusterName: operation.cluster.name,
    clusterArn: cluster?.arn ?? input.stack?.outputs?.ClusterArn ?? '',
    endpoint: cluster?.endpoint ?? input.stack?.outputs?.Endpoint ?? '',
    kubernetesVersion: cluster?.version ?? '',
    stackName: input.plan.stackName,
    kubeconfig: `aws eks update-kubeconfig --name ${operation.cluster.name} --region ${operation.cluster.region}`,
  };
  Object.assign(outputs, await scheduleExpiry(operation, (input.spec as unknown as Spec).ttl, deps));
  await reportOutcome(deps, operation, { status: 'SUCCEEDED', phase: 'Completed', outputs }, 'ACTIVE');
  return outputs;
}

export const handler = step(validateProvisionState, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry, schedules: sdkSchedules }, finalize);

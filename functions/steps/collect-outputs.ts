/**
 * Task "Collect Outputs": what the SUCCEEDED event will carry (endpoint, ARN, version, the
 * kubeconfig command) and, for a cluster with a `ttl`, its expiry schedule. Everything that can
 * still fail a provisioning happens here, before Finalize commits the outcome: a failure here is
 * diagnosed and rolled back like any other, a failure after the commit never is.
 */
import { validateProvisionState } from '../generated/validators';
import type { ProvisionState } from '../generated/types';
import type { StepDeps } from '../shared/deps';
import { step } from '../shared/step';
import { sdkEks } from '../ports/eks';
import { sdkSchedules } from '../ports/schedules';
import { scheduleExpiry } from '../step-support/expiry';

export async function collectOutputs(input: ProvisionState, deps: StepDeps<'eks' | 'schedules'>): Promise<Record<string, string>> {
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
  Object.assign(outputs, await scheduleExpiry(operation, (input.spec).ttl, deps));
  return outputs;
}

export const handler = step(validateProvisionState, { eks: sdkEks, schedules: sdkSchedules }, collectOutputs);

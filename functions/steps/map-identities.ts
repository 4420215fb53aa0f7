/**
 * Task "Map Identities": access entries with their policy associations (API modes), and the
 * aws-auth ConfigMap (CONFIG_MAP modes) through the Kubernetes API — which is why this runs
 * before the endpoint switch: the public endpoint is still open to the service.
 */
import { validateProvisionState } from '../generated/validators';
import type { ProvisionState } from '../generated/types';
import { mergeIdentityMappings } from '../domain/aws-auth';
import { accessPolicyArn } from '../domain/naming';
import { accessEntryRequest } from './access-entry';
import type { Spec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import { reportProgress } from '../shared/progress';
import { step } from '../shared/step';
import { stackOutputs } from './stack-outputs';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { httpKubernetes } from '../ports/kubernetes';
import { dynamoRegistry } from '../ports/registry';

const AWS_AUTH = { namespace: 'kube-system', name: 'aws-auth' } as const;

export async function mapIdentities(input: ProvisionState, deps: StepDeps<'eks' | 'events' | 'kubernetes' | 'registry'>): Promise<{ accessEntries: number; identityMappings: number }> {
  const spec = input.spec as unknown as Spec;
  const { operation } = input;
  const startedAt = deps.clock().toISOString();
  const cluster = operation.cluster.name;

  for (const entry of spec.accessEntries) {
    await deps.eks.putAccessEntry(accessEntryRequest(operation, entry));
    for (const policy of entry.accessPolicies) {
      await deps.eks.associateAccessPolicy({
        clusterName: cluster,
        principalArn: entry.principalArn,
        policyArn: accessPolicyArn(policy.policy),
        accessScope: policy.scope === 'namespace' ? { type: 'namespace', namespaces: policy.namespaces } : { type: 'cluster' },
      });
    }
  }

  if (spec.identityMappings.length > 0) await updateAwsAuth(input, spec, deps);

  const nothing = spec.accessEntries.length === 0 && spec.identityMappings.length === 0;
  await reportProgress(deps, operation, {
    status: 'IN_PROGRESS',
    phase: 'ComputeAndAccess',
    step: { name: 'Map Identities', status: nothing ? 'SKIPPED' : 'SUCCEEDED', startedAt, endedAt: deps.clock().toISOString() },
  });
  return { accessEntries: spec.accessEntries.length, identityMappings: spec.identityMappings.length };
}

/** Read-merge-write with the resourceVersion: a concurrent write (EKS adding a node role) makes ours fail with a retried conflict, never lose theirs. */
async function updateAwsAuth(input: ProvisionState, spec: Spec, deps: StepDeps<'eks' | 'events' | 'kubernetes' | 'registry'>): Promise<void> {
  const outputs = stackOutputs(input);
  const access = { name: input.operation.cluster.name, endpoint: outputs.Endpoint, certificateAuthority: outputs.CertificateAuthorityData };
  const current = await deps.kubernetes.readConfigMap(access, AWS_AUTH.namespace, AWS_AUTH.name);
  const merged = mergeIdentityMappings(current?.data, spec.identityMappings);
  if (!merged) return;
  await deps.kubernetes.writeConfigMap(access, AWS_AUTH.namespace, AWS_AUTH.name, merged, current?.resourceVersion);
}

export const handler = step(validateProvisionState, { eks: sdkEks, events: eventBridgeStatusEvents, kubernetes: httpKubernetes, registry: dynamoRegistry }, mapIdentities);

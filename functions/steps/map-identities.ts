/**
 * Task "Map Identities": access entries with their policy associations (API modes), and the
 * aws-auth ConfigMap (CONFIG_MAP modes) through the Kubernetes API, reached from inside the
 * cluster's VPC by its kube agent (ports/kubernetes.ts), whatever the endpoint access. The owner's
 * access (spec ownerAccess, owner-access.ts) is one more entry or mapping. For the aws-auth write
 * in API_AND_CONFIG_MAP mode the service holds cluster-admin only for that time (temporary-admin.ts).
 */
import { validateProvisionState } from '../generated/validators';
import type { ProvisionState } from '../generated/types';
import { mergeIdentityMappings } from '../domain/aws-auth';
import { accessPolicyArn } from '../domain/naming';
import { ownerGrant } from '../domain/owner-access';
import { accessEntryRequest } from '../step-support/access-entry';
import type { IdentityMappingSpec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import { reportProgress } from '../shared/progress';
import { step } from '../shared/step';
import { stackOutputs } from '../step-support/stack-outputs';
import { withTemporaryAdmin } from '../step-support/temporary-admin';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { inVpcKubernetes } from '../ports/kubernetes';
import { dynamoRegistry } from '../ports/registry';

export async function mapIdentities(input: ProvisionState, deps: StepDeps<'eks' | 'events' | 'kubernetes' | 'registry'>): Promise<{ accessEntries: number; identityMappings: number }> {
  const spec = input.spec;
  const { operation } = input;
  const startedAt = deps.clock().toISOString();
  const cluster = operation.cluster.name;
  const owner = ownerGrant(spec, operation.requestedBy);
  const accessEntries = [...spec.accessEntries, ...(owner.accessEntry ? [owner.accessEntry] : [])];
  const identityMappings = [...spec.identityMappings, ...(owner.identityMapping ? [owner.identityMapping] : [])];

  for (const entry of accessEntries) {
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

  if (identityMappings.length > 0) {
    const othersPrincipals = accessEntries.map((e) => e.principalArn);
    await withTemporaryAdmin(deps, { operation, mode: spec.authenticationMode, othersPrincipals }, () => updateAwsAuth(input, identityMappings, deps));
  }

  const nothing = accessEntries.length === 0 && identityMappings.length === 0;
  await reportProgress(deps, operation, {
    status: 'IN_PROGRESS',
    phase: 'ComputeAndAccess',
    step: { name: 'Map Identities', status: nothing ? 'SKIPPED' : 'SUCCEEDED', startedAt, endedAt: deps.clock().toISOString() },
  });
  return { accessEntries: accessEntries.length, identityMappings: identityMappings.length };
}

/** Read-merge-write with the resourceVersion: a concurrent write (EKS adding a node role) makes ours fail with a retried conflict, never lose theirs. */
async function updateAwsAuth(input: ProvisionState, identityMappings: IdentityMappingSpec[], deps: StepDeps<'eks' | 'events' | 'kubernetes' | 'registry'>): Promise<void> {
  const outputs = stackOutputs(input);
  const access = { name: input.operation.cluster.name, endpoint: outputs.Endpoint, certificateAuthority: outputs.CertificateAuthorityData };
  const current = await deps.kubernetes.readAwsAuth(access);
  const merged = mergeIdentityMappings(current?.data, identityMappings);
  if (!merged) return;
  await deps.kubernetes.writeAwsAuth(access, merged, current?.resourceVersion);
}

export const handler = step(validateProvisionState, { eks: sdkEks, events: eventBridgeStatusEvents, kubernetes: inVpcKubernetes, registry: dynamoRegistry }, mapIdentities);

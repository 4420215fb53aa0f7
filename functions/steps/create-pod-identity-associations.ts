/**
 * Task "Create Pod Identity Associations" (provision-cluster, beside nodegroups, Fargate profiles,
 * add-ons and identities): one EKS Pod Identity association per podIdentityAssociations entry,
 * with its roleArn or the role the cluster stack made for it (podIdentityRoleOutputName). EKS
 * makes an association at once (no status to wait for), and allows one per service account: an
 * association found for the service account first (an earlier attempt's) is kept when it has the
 * role asked for; one with another role was made by someone else and stops the step by name.
 * EKS deletes a cluster's associations with the cluster.
 */
import { validateProvisionState } from '../generated/validators';
import type { ProvisionState } from '../generated/types';
import { podIdentityRoleOutputName } from '../domain/cluster-template';
import { associationKey } from '../domain/pod-identity';
import type { PodIdentityAssociationSpec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import { AwsRequestError, StackFailedError } from '../shared/errors';
import { reportProgress } from '../shared/progress';
import { step } from '../shared/step';
import { podIdentityAssociationRequest } from '../step-support/pod-identity';
import { stackOutputs } from '../step-support/stack-outputs';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

type Deps = StepDeps<'eks' | 'events' | 'registry'>;

export async function createPodIdentityAssociations(input: ProvisionState, deps: Deps): Promise<{ associations: number }> {
  const { operation, spec } = input;
  const startedAt = deps.clock().toISOString();
  const associations = spec.podIdentityAssociations;
  if (associations.length > 0) {
    const outputs = stackOutputs(input);
    for (const association of associations) await ensureAssociation(input, association, roleOf(association, outputs, input.stack?.stackName), deps);
  }
  await reportProgress(deps, operation, {
    status: 'IN_PROGRESS',
    phase: 'ComputeAndAccess',
    step: { name: 'Create Pod Identity Associations', status: associations.length === 0 ? 'SKIPPED' : 'SUCCEEDED', startedAt, endedAt: deps.clock().toISOString() },
  });
  return { associations: associations.length };
}

/** The association's own roleArn, or the role the cluster stack made for it. */
function roleOf(association: PodIdentityAssociationSpec, outputs: Record<string, string>, stackName: string | undefined): string {
  if (association.roleArn) return association.roleArn;
  const output = podIdentityRoleOutputName(association);
  const role = outputs[output];
  if (!role) throw new StackFailedError(`has no output ${output} (the role of service account ${associationKey(association)})`, { resource: `stack ${stackName ?? '(none in the state)'}` });
  return role;
}

/** Creates the association unless the service account already has it with this role. */
export async function ensureAssociation(input: Pick<ProvisionState, 'operation'>, association: PodIdentityAssociationSpec, roleArn: string, deps: StepDeps<'eks'>): Promise<void> {
  const cluster = input.operation.cluster.name;
  const existing = await deps.eks.findPodIdentityAssociation(cluster, association.namespace, association.serviceAccountName);
  if (existing?.associationId) {
    const live = await deps.eks.describePodIdentityAssociation(cluster, existing.associationId);
    if (!live || live.roleArn === roleArn) return;
    throw new AwsRequestError(`already has an association (${existing.associationId}) with role ${live.roleArn}, not ${roleArn}; EKS allows one per service account: delete it or ask for its role`, {
      resource: `Pod Identity association ${associationKey(association)}`,
    });
  }
  await deps.eks.createPodIdentityAssociation(podIdentityAssociationRequest(input.operation, association, roleArn));
}

export const handler = step(validateProvisionState, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, createPodIdentityAssociations);

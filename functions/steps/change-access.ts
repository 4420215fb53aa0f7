/**
 * Task "Change Access" (update-cluster, ADD/REMOVE_ACCESS_ENTRY): an EKS access entry with its
 * access policies, or an aws-auth identity mapping through the Kubernetes API (with cluster-admin
 * held only for that time, like Map Identities: temporary-admin.ts). Each call returns at once,
 * so one look does the whole change. Removal takes the principal's entry and mapping, whichever
 * exist, and refuses to touch those of nodes, Fargate pods or the creator EKS bootstrapped. It
 * first waits out any update of the cluster, whoever started it (settled.ts): an authentication
 * mode update decides whether entries work.
 */
import { validateUpdateInput } from '../generated/validators';
import type { Poll, UpdateInput } from '../generated/types';
import { planAccessChange } from '../domain/access-change';
import type { AccessCall, LiveState } from '../domain/cluster-change';
import { accessEntryRequest } from '../step-support/access-entry';
import type { Spec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import { KubernetesApiError } from '../shared/errors';
import { step } from '../shared/step';
import { changeFor } from '../domain/change-actions';
import { ChangeProgress } from '../step-support/update-change';
import { settledCluster } from '../step-support/settled';
import { withTemporaryAdmin } from '../step-support/temporary-admin';
import { sdkEks } from '../ports/eks';
import { inVpcKubernetes, type AwsAuth, type ClusterAccess } from '../ports/kubernetes';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

type Deps = StepDeps<'eks' | 'events' | 'kubernetes' | 'registry'>;

export async function changeAccess(input: UpdateInput, deps: Deps): Promise<Poll> {
  const spec = input.spec;
  const change = changeFor(input.change, 'Change Access');
  const progress = new ChangeProgress(input, deps, 'Change Access');
  const { cluster, target: principalArn } = progress;
  const removing = change.action === 'REMOVE_ACCESS_ENTRY';

  const settled = await settledCluster(deps, cluster);
  const live: LiveState = {};
  if (change.action === 'REMOVE_ACCESS_ENTRY' || !('arn' in change.item)) {
    const entry = await deps.eks.describeAccessEntry(cluster, principalArn);
    if (entry) {
      const policies = removing ? [] : await deps.eks.listAssociatedAccessPolicies(cluster, principalArn);
      live.accessEntry = {
        type: entry.type,
        username: entry.username,
        kubernetesGroups: entry.kubernetesGroups ?? [],
        policies: policies.map((p) => ({ policyArn: p.policyArn ?? '', scope: { type: p.accessScope?.type, namespaces: p.accessScope?.namespaces } })),
      };
    }
  }
  const described = settled?.cluster;
  // The cluster creator EKS made admin (CONFIG_MAP clusters, and clusters made before the service
  // stopped keeping standing access) is whom the service acts as there: its access stays.
  const serviceRole = deps.settings.cloudFormationRoleArn();
  const bootstrapped = described?.accessConfig?.bootstrapClusterCreatorAdminPermissions !== false;
  live.protectedPrincipals = serviceRole && bootstrapped ? [serviceRole] : [];

  const mode = described?.accessConfig?.authenticationMode ?? spec.authenticationMode;
  // In API mode EKS reads no aws-auth: there is no mapping to remove.
  const readsAwsAuth = change.action === 'REMOVE_ACCESS_ENTRY' ? mode !== 'API' : 'arn' in change.item;
  if (!readsAwsAuth) return progress.follow(planAccessChange(change, spec, live, input.operation.id), (call) => makeCall(call, input, undefined, deps));

  if (!described?.endpoint) throw new KubernetesApiError('the cluster or its endpoint is gone: aws-auth cannot be read', { resource: `cluster ${cluster}` });
  const access = { name: cluster, endpoint: described.endpoint, certificateAuthority: described.certificateAuthority?.data };
  const othersPrincipals = spec.accessEntries.map((e) => e.principalArn);
  return withTemporaryAdmin(deps, { operation: input.operation, mode: mode as Spec['authenticationMode'], othersPrincipals }, async () => {
    const awsAuth = { access, current: await deps.kubernetes.readAwsAuth(access) };
    live.awsAuth = awsAuth.current?.data;
    return progress.follow(planAccessChange(change, spec, live, input.operation.id), (call) => makeCall(call, input, awsAuth, deps));
  });
}

async function makeCall(call: AccessCall, input: UpdateInput, awsAuth: { access: ClusterAccess; current: AwsAuth | undefined } | undefined, deps: Deps): Promise<void> {
  const { operation } = input;
  const cluster = operation.cluster.name;
  switch (call.call) {
    case 'putAccessEntry': {
      const { entry } = call;
      await deps.eks.putAccessEntry(accessEntryRequest(operation, entry));
      return;
    }
    case 'associateAccessPolicy':
      await deps.eks.associateAccessPolicy({ clusterName: cluster, principalArn: call.principalArn, policyArn: call.policyArn, accessScope: call.scope });
      return;
    case 'deleteAccessEntry':
      await deps.eks.deleteAccessEntry(cluster, call.principalArn);
      return;
    case 'writeAwsAuth':
      // Written against the version read: a concurrent write (EKS adding a node role) conflicts and the ASL retries from a fresh read.
      if (!awsAuth) throw new KubernetesApiError('aws-auth was not read before writing it', { resource: 'aws-auth' });
      await deps.kubernetes.writeAwsAuth(awsAuth.access, call.data, awsAuth.current?.resourceVersion);
      return;
  }
}

export const handler = step(validateUpdateInput, { eks: sdkEks, events: eventBridgeStatusEvents, kubernetes: inVpcKubernetes, registry: dynamoRegistry }, changeAccess);

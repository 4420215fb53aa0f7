/**
 * Tasks "Check Nodes Ready" (provision-cluster, after compute and access: every nodegroup's
 * desired count) and "Check Changed Nodes Ready" (update-cluster, after a nodegroup change: the
 * added or changed nodegroup's): nodes Ready in Kubernetes before the operation is reported
 * SUCCEEDED, as eksctl waits for its nodes (step-support/node-readiness.ts); the timeline calls
 * both Check Nodes Ready. Fargate and Auto Mode make nodes for pods on demand,
 * so there is nothing to wait for without nodegroups.
 */
import { validateNodeReadinessInput } from '../generated/validators';
import type { NodeReadinessInput, Phase, ProvisionState } from '../generated/types';
import { changedNodes, expectedNodes } from '../domain/node-readiness';
import type { StepDeps } from '../shared/deps';
import { KubernetesApiError } from '../shared/errors';
import { step } from '../shared/step';
import { waitForReadyNodes } from '../step-support/node-readiness';
import { stackOutputs } from '../step-support/stack-outputs';
import { sdkEks } from '../ports/eks';
import { inVpcKubernetes, type ClusterAccess } from '../ports/kubernetes';
import { dynamoRegistry } from '../ports/registry';
import { eventBridgeStatusEvents } from '../ports/status-events';

export const CHECK_NODES_READY = 'Check Nodes Ready';

type Deps = StepDeps<'eks' | 'kubernetes' | 'events' | 'registry'>;

export async function checkNodesReady(input: NodeReadinessInput, deps: Deps): Promise<{ nodes: Record<string, string> }> {
  const updating = 'change' in input;
  // A change the cluster already satisfied moved no node: nothing to wait for.
  const groups = updating ? (input.progress?.stage === 'unchanged' ? [] : changedNodes(input.change, input.spec)) : expectedNodes(input.spec);
  if (groups.length === 0) return { nodes: {} };
  const cluster = updating ? await describedAccess(deps, input.operation.cluster.name) : provisionedAccess(input);
  const phase: Phase = updating ? 'Update' : 'ComputeAndAccess';
  const readiness = await waitForReadyNodes(deps, { operation: input.operation, spec: input.spec, cluster, stepName: CHECK_NODES_READY, phase }, groups);
  return { nodes: Object.fromEntries(readiness.map((r) => [r.nodegroup, `${r.ready}/${r.desired}`])) };
}

/** Provisioning: the cluster stack's outputs are in the state. */
function provisionedAccess(input: ProvisionState): ClusterAccess {
  const outputs = stackOutputs(input);
  return { name: input.operation.cluster.name, endpoint: outputs.Endpoint ?? '', ...(outputs.CertificateAuthorityData ? { certificateAuthority: outputs.CertificateAuthorityData } : {}) };
}

/** An update: the running cluster as EKS describes it. */
async function describedAccess(deps: Pick<Deps, 'eks'>, name: string): Promise<ClusterAccess> {
  const cluster = await deps.eks.describeCluster(name);
  if (!cluster?.endpoint) throw new KubernetesApiError('the cluster or its endpoint is gone: its nodes cannot be read', { resource: `cluster ${name}` });
  return { name, endpoint: cluster.endpoint, ...(cluster.certificateAuthority?.data ? { certificateAuthority: cluster.certificateAuthority.data } : {}) };
}

export const handler = step(validateNodeReadinessInput, { eks: sdkEks, kubernetes: inVpcKubernetes, events: eventBridgeStatusEvents, registry: dynamoRegistry }, checkNodesReady);

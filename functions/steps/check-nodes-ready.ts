/**
 * Task "Check Nodes Ready" (provision-cluster, after compute and access): every nodegroup's
 * desired count of nodes Ready in Kubernetes before the cluster is reported SUCCEEDED, as eksctl
 * waits for its nodes (step-support/node-readiness.ts). Fargate and Auto Mode make nodes for
 * pods on demand, so there is nothing to wait for without nodegroups.
 */
import { validateProvisionState } from '../generated/validators';
import type { ProvisionState } from '../generated/types';
import { expectedNodes } from '../domain/node-readiness';
import type { StepDeps } from '../shared/deps';
import { step } from '../shared/step';
import { waitForReadyNodes } from '../step-support/node-readiness';
import { stackOutputs } from '../step-support/stack-outputs';
import { sdkEks } from '../ports/eks';
import { inVpcKubernetes } from '../ports/kubernetes';
import { dynamoRegistry } from '../ports/registry';
import { eventBridgeStatusEvents } from '../ports/status-events';

export const CHECK_NODES_READY = 'Check Nodes Ready';

export async function checkNodesReady(input: ProvisionState, deps: StepDeps<'eks' | 'kubernetes' | 'events' | 'registry'>): Promise<{ nodes: Record<string, string> }> {
  const groups = expectedNodes(input.spec);
  if (groups.length === 0) return { nodes: {} };
  const outputs = stackOutputs(input);
  const cluster = { name: input.operation.cluster.name, endpoint: outputs.Endpoint ?? '', ...(outputs.CertificateAuthorityData ? { certificateAuthority: outputs.CertificateAuthorityData } : {}) };
  const readiness = await waitForReadyNodes(deps, { operation: input.operation, spec: input.spec, cluster, stepName: CHECK_NODES_READY, phase: 'ComputeAndAccess' }, groups);
  return { nodes: Object.fromEntries(readiness.map((r) => [r.nodegroup, `${r.ready}/${r.desired}`])) };
}

export const handler = step(validateProvisionState, { eks: sdkEks, kubernetes: inVpcKubernetes, events: eventBridgeStatusEvents, registry: dynamoRegistry }, checkNodesReady);

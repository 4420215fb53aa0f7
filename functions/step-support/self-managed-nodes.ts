/**
 * A self-managed nodegroup's nodes, reached through the cluster's kube agent with the service's
 * temporary cluster-admin (temporary-admin.ts), for the steps that drive the nodegroup: Change and
 * Upgrade Self-managed Nodegroup (self-managed-change.ts), and the upgrade's failure path. Two
 * promises kept here, once for all of them:
 *
 * - what the nodes run is recorded: the lowest kubelet minor among them goes on the cluster's
 *   registry record (nodeVersions), since EKS reports no version for a nodegroup it does not
 *   manage, and an upgrade's plan and terminal event need one;
 * - an operation that fails uncordons what it cordoned, and only that: each cordon names its
 *   operation (the node's eks-provisioner/cordoned-by annotation), so a node a person cordoned
 *   stays cordoned.
 */
import type { Operation } from '../generated/types';
import { lowestKubeletMinor } from '../domain/kubelet-version';
import { nodegroupNodes } from '../domain/node-readiness';
import { ownerGrant } from '../domain/owner-access';
import type { Spec } from '../domain/spec';
import type { Cluster } from '../ports/eks';
import type { NodeStatus } from '../ports/kubernetes';
import type { StepDeps } from '../shared/deps';
import { KubernetesApiError } from '../shared/errors';
import { logger } from '../shared/logger';
import type { ClusterEndpoint } from './node-role-admission';
import { withTemporaryAdmin } from './temporary-admin';

type Deps = StepDeps<'eks' | 'kubernetes' | 'registry'>;

/**
 * Runs `work` with the cluster reached (its endpoint as EKS describes it, or as `described` did)
 * and the service holding cluster-admin for that time; `heldWhile` as withTemporaryAdmin's.
 */
export async function withClusterNodes<T>(
  deps: Deps,
  scope: { operation: Operation; spec: Spec; described?: Cluster },
  work: (access: ClusterEndpoint) => Promise<T>,
  heldWhile?: (error: unknown) => boolean,
): Promise<T> {
  const { operation, spec } = scope;
  const cluster = operation.cluster.name;
  const described = scope.described ?? (await deps.eks.describeCluster(cluster));
  if (!described?.endpoint) throw new KubernetesApiError('the cluster or its endpoint is gone: its nodes cannot be reached', { resource: `cluster ${cluster}` });
  const access: ClusterEndpoint = { name: cluster, endpoint: described.endpoint, ...(described.certificateAuthority?.data ? { certificateAuthority: described.certificateAuthority.data } : {}) };
  // Entries the spec or the owner's access made are theirs: never granted nor removed here.
  const owner = ownerGrant(spec, operation.requestedBy).accessEntry;
  const othersPrincipals = [...spec.accessEntries, ...(owner ? [owner] : [])].map((entry) => entry.principalArn);
  return withTemporaryAdmin(deps, { operation, mode: spec.authenticationMode, othersPrincipals }, () => work(access), heldWhile);
}

/** The nodes of a self-managed nodegroup (its kubelets' eks-provisioner/nodegroup label). */
export function listSelfManagedNodes(deps: Pick<Deps, 'kubernetes'>, access: ClusterEndpoint, nodegroup: string): Promise<NodeStatus[]> {
  return deps.kubernetes.listNodes(access, nodegroupNodes({ name: nodegroup, desiredSize: 0 }, false).labelSelector);
}

/** Records the lowest kubelet minor among the nodes as the nodegroup's version; nodes that report none record nothing. */
export async function recordNodeVersion(deps: Pick<Deps, 'registry' | 'clock'>, cluster: string, nodegroup: string, nodes: readonly NodeStatus[]): Promise<string | undefined> {
  const version = lowestKubeletMinor(nodes);
  if (version) await deps.registry.recordNodeVersions(cluster, { [nodegroup]: { version, observedAt: deps.clock().toISOString() } });
  return version;
}

/** Cordons the nodes in the operation's name (NodeStatus.cordonedBy). */
export function cordonForOperation(deps: Pick<Deps, 'kubernetes'>, access: ClusterEndpoint, operation: Operation, nodes: string[]): Promise<void> {
  return deps.kubernetes.cordonNodes(access, nodes, true, operation.id);
}

/**
 * The failure path of an operation that drove a self-managed nodegroup (upgrade-cluster's and
 * update-cluster's Uncordon Self-managed Nodes): its nodes this operation cordoned, and still
 * cordoned, are uncordoned; the names, for the log.
 */
export async function releaseNodegroupCordons(deps: Deps, scope: { operation: Operation; spec: Spec }, nodegroup: string): Promise<string[]> {
  const released = await withClusterNodes(deps, scope, async (access) => releaseCordons(deps, access, scope.operation, await listSelfManagedNodes(deps, access, nodegroup)));
  if (released.length > 0) logger.info('uncordoned the nodes the failed operation had cordoned', { cluster: scope.operation.cluster.name, nodegroup, nodes: released });
  return released;
}

/** Uncordons the nodes the operation cordoned that are still cordoned; the names, for the log. */
export async function releaseCordons(deps: Pick<Deps, 'kubernetes'>, access: ClusterEndpoint, operation: Operation, nodes: readonly NodeStatus[]): Promise<string[]> {
  const ours = nodes.filter((node) => node.unschedulable && node.cordonedBy === operation.id).map((node) => node.name);
  if (ours.length > 0) await deps.kubernetes.cordonNodes(access, ours, false);
  return ours;
}

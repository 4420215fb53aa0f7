/**
 * Waiting for nodegroups' nodes to be Ready in Kubernetes, read through the kube agent (so a
 * private cluster is no exception), for as long as NODE_READY_TIMEOUT_SECONDS from the moment the
 * wait began for each nodegroup. One look lists each nodegroup's nodes and looks again within the
 * invocation (watch.ts) while some are not Ready; then the ASL's Retry comes back on
 * NodesNotReadyError. Each nodegroup's wait is a step of its own in the timeline: STARTED at the
 * first look, SUCCEEDED once its desired count is Ready, both with ready/desired; a nodegroup that
 * runs out of time fails the step with NodesFailedError naming the nodes that are not Ready and
 * their Ready condition. The count each wait ended with is kept on the cluster's record in the
 * registry (readyNodes), which GET /clusters/{name} answers.
 *
 * In API modes the service reads nodes with a temporary admin entry (temporary-admin.ts), kept
 * across the looks of one wait and removed when it ends.
 */
import type { Operation, Phase } from '../generated/types';
import { isReady, NODE_READY_TIMEOUT_SECONDS, readinessOf, readinessText, type NodegroupNodes, type Readiness } from '../domain/node-readiness';
import { ownerGrant } from '../domain/owner-access';
import type { Spec } from '../domain/spec';
import type { ClusterAccess } from '../ports/kubernetes';
import type { StepDeps } from '../shared/deps';
import { NodesFailedError, NodesNotReadyError } from '../shared/errors';
import { reportProgress } from '../shared/progress';
import { withTemporaryAdmin } from './temporary-admin';
import { watchWithin } from './watch';

type Deps = StepDeps<'eks' | 'kubernetes' | 'events' | 'registry'>;

export interface NodeWait {
  operation: Operation;
  spec: Spec;
  cluster: ClusterAccess;
  /** The timeline's step name for each nodegroup's wait. */
  stepName: string;
  phase: Phase;
}

const resourceOf = (group: NodegroupNodes) => `nodes of nodegroup ${group.nodegroup}`;

/** Resolves when every group's nodes are Ready; otherwise throws NodesNotReadyError (retry) or NodesFailedError (out of time). */
export async function waitForReadyNodes(deps: Deps, wait: NodeWait, groups: NodegroupNodes[]): Promise<Readiness[]> {
  if (groups.length === 0) return [];
  const reported = await reportedSteps(deps, wait);
  const pending = groups.filter((group) => !reported.succeeded.has(resourceOf(group)));
  // Every wait ended before a crash or a retry: nothing to look at, so no access to hold either.
  if (pending.length === 0) return [];
  // Entries the spec or the owner's access made are theirs: never granted nor removed here.
  const owner = ownerGrant(wait.spec, wait.operation.requestedBy).accessEntry;
  const othersPrincipals = [...wait.spec.accessEntries, ...(owner ? [owner] : [])].map((entry) => entry.principalArn);
  const look = () => Promise.all(pending.map(async (group) => readinessOf(group, await deps.kubernetes.listNodes(wait.cluster, group.labelSelector))));
  return withTemporaryAdmin(
    deps,
    { operation: wait.operation, mode: wait.spec.authenticationMode, othersPrincipals },
    async () => {
      const seen = await watchWithin(deps, look, (readiness) => !readiness.every(isReady));
      const now = deps.clock();
      const late = seen.filter((readiness) => !isReady(readiness));
      const outOfTime = late.some((readiness) => (now.getTime() - Date.parse(reported.startedAt.get(resourceOf(readiness)) ?? now.toISOString())) / 1000 >= NODE_READY_TIMEOUT_SECONDS);
      // Before the timeline says a wait ended: a retry after a failed write looks again, where one after the SUCCEEDED entry would not.
      await recordEndedWaits(deps, wait, outOfTime ? seen : seen.filter(isReady), now);
      for (const readiness of seen) {
        const resource = resourceOf(readiness);
        const startedAt = reported.startedAt.get(resource) ?? now.toISOString();
        const nodes = nodeCount(readiness);
        if (!reported.startedAt.has(resource)) await reportProgress(deps, wait.operation, { status: 'IN_PROGRESS', phase: wait.phase, step: { name: wait.stepName, status: 'STARTED', resource, nodes, startedAt } });
        if (isReady(readiness)) await reportProgress(deps, wait.operation, { status: 'IN_PROGRESS', phase: wait.phase, step: { name: wait.stepName, status: 'SUCCEEDED', resource, nodes, startedAt, endedAt: now.toISOString() } });
      }
      if (late.length === 0) return seen;
      const text = late.map((readiness) => `${resourceOf(readiness)}: ${readinessText(readiness)}`).join(' | ');
      if (outOfTime) throw new NodesFailedError(`not Ready ${NODE_READY_TIMEOUT_SECONDS / 60} minutes after the nodegroup was up: ${text}`, { resource: late.map(resourceOf).join(', ') });
      throw new NodesNotReadyError(text, { resource: late.map(resourceOf).join(', ') });
    },
    (error) => error instanceof NodesNotReadyError,
  );
}

/** What the timeline and the registry show of a nodegroup's nodes: Ready ones beyond the desired count (a rollout's surge) are not counted. */
const nodeCount = (readiness: Readiness) => ({ ready: Math.min(readiness.ready, readiness.desired), desired: readiness.desired });

/**
 * The registry keeps each nodegroup's last observed count for GET /clusters/{name}: written once
 * when its wait ends (Ready, or out of time), not on every look, so a wait of many looks costs
 * one write. A self-managed nodegroup's version is read then too (EKS reports none): a nodegroup
 * made, or made again under an old name, starts with what its own nodes run.
 */
async function recordEndedWaits(deps: Deps, wait: NodeWait, ended: Readiness[], now: Date): Promise<void> {
  const observedAt = now.toISOString();
  const cluster = wait.operation.cluster.name;
  await deps.registry.recordReadyNodes(cluster, Object.fromEntries(ended.map((readiness) => [readiness.nodegroup, { ...nodeCount(readiness), observedAt }])));
  const versions = ended.flatMap((readiness) => (!readiness.managed && readiness.version ? [[readiness.nodegroup, { version: readiness.version, observedAt }] as const] : []));
  await deps.registry.recordNodeVersions(cluster, Object.fromEntries(versions));
}

/** When each nodegroup's wait began and which ended, from the operation's timeline (the registry): the retries carry no state of their own. */
async function reportedSteps(deps: Deps, wait: NodeWait): Promise<{ startedAt: Map<string, string>; succeeded: Set<string> }> {
  const record = await deps.registry.getOperation(wait.operation.id);
  const startedAt = new Map<string, string>();
  const succeeded = new Set<string>();
  for (const entry of Object.values(record?.steps ?? {})) {
    if (entry.name !== wait.stepName || !entry.resource) continue;
    if (entry.status === 'STARTED') startedAt.set(entry.resource, entry.startedAt);
    if (entry.status === 'SUCCEEDED') succeeded.add(entry.resource);
  }
  return { startedAt, succeeded };
}

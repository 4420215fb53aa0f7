/**
 * Fresh reads. An update of any origin — the console, `aws eks update-cluster-config`, another
 * tool, an earlier attempt of this very step — changes what a step compares the spec with: a diff
 * while one runs compares with a config about to change, so the step could report "unchanged"
 * and the cluster end in the other state. Every step that diffs first waits until no update of
 * the cluster (or of the nodegroup it changes) is in progress: UpdateInProgressError, which the
 * ASL retries with backoff.
 */
import { updateProgress } from '../domain/status';
import type { Cluster, EksPort, Update } from '../ports/eks';
import { UpdateInProgressError } from '../shared/errors';

export interface SettleOptions {
  /** A nodegroup whose own updates must be over too (config, version). */
  nodegroup?: string;
  /**
   * An update in progress the step may follow instead of waiting for, because it already makes
   * the asked change (e.g. the step's own, started by an attempt whose answer was lost).
   */
  follow?: (update: Update, cluster: Cluster) => boolean;
}

export interface Settled {
  cluster: Cluster;
  /** The update in progress that `follow` accepted. */
  following?: Update;
}

/** The updates among these EKS still runs. */
export const inProgress = (updates: Update[]) => updates.filter((u) => updateProgress(u.status) === 'pending');
const named = (updates: Update[]) => updates.map((u) => `update ${u.id} (${u.type ?? 'unknown type'})`).join(', ');

/** The cluster once nothing is being updated; undefined when the cluster does not exist. */
export async function settledCluster(deps: { eks: EksPort }, name: string, options: SettleOptions = {}): Promise<Settled | undefined> {
  const cluster = await deps.eks.describeCluster(name);
  if (!cluster) return undefined;
  const running = inProgress(await deps.eks.describeUpdates(name));
  if (running.length === 1 && options.follow?.(running[0]!, cluster)) return { cluster, following: running[0] };
  if (running.length > 0) throw new UpdateInProgressError(`${named(running)} in progress: waiting for it to finish before comparing with the spec`, { resource: `cluster ${name}` });
  // UPDATING with no update listed yet: EKS lists an update a moment after it starts.
  if (cluster.status === 'UPDATING') throw new UpdateInProgressError('UPDATING: waiting for its update to finish before comparing with the spec', { resource: `cluster ${name}` });
  if (options.nodegroup) {
    const nodegroupRunning = inProgress(await deps.eks.describeUpdates(name, options.nodegroup));
    if (nodegroupRunning.length > 0) throw new UpdateInProgressError(`${named(nodegroupRunning)} in progress: waiting for it to finish before comparing with the spec`, { resource: `nodegroup ${options.nodegroup}` });
  }
  return { cluster };
}

/**
 * Task "Settle Upgrade" (upgrade-cluster, on its failure path after a change began): what the
 * upgrade set going in EKS cannot be called back — a control-plane pass, a nodegroup's rolling
 * update or an add-on update runs on after the state that followed it failed. The terminal event
 * must be the last word on the cluster, so the failure is reported once nothing of the cluster is
 * updating any more, with the version the control plane actually reached for the registry. The
 * wait is bounded: past SETTLE_LIMIT_SECONDS the failure is reported with what still runs.
 */
import { validateOperationFailureState } from '../generated/validators';
import type { OperationFailureState, UpgradeSettle } from '../generated/types';
import { elapsedSeconds } from '../domain/poll-schedule';
import type { EksPort } from '../ports/eks';
import { sdkEks } from '../ports/eks';
import type { StepDeps } from '../shared/deps';
import { step } from '../shared/step';
import { inProgress } from '../step-support/settled';

/** Longer than a control-plane pass (8–12 min) and a few nodegroup batches; a person is told past it. */
export const SETTLE_LIMIT_SECONDS = 45 * 60;
/** Between looks: updates finish in minutes, and each look costs a few Describe calls. */
const LOOK_EVERY_SECONDS = 60;

export async function settleUpgrade(input: OperationFailureState, deps: StepDeps<'eks'>): Promise<UpgradeSettle> {
  const name = input.operation.cluster.name;
  const now = deps.clock();
  const startedAt = input.settle?.startedAt ?? now.toISOString();
  const cluster = await deps.eks.describeCluster(name);
  if (!cluster) return { ready: true, waitSeconds: 0, startedAt };
  const version = cluster.version ? { version: cluster.version } : {};
  const updating = await updatingParts(deps.eks, name, cluster.status);
  if (updating.length === 0) return { ready: true, waitSeconds: 0, startedAt, ...version };
  if (elapsedSeconds(startedAt, now) >= SETTLE_LIMIT_SECONDS) return { ready: true, waitSeconds: 0, startedAt, updating, ...version };
  return { ready: false, waitSeconds: LOOK_EVERY_SECONDS, startedAt, updating };
}

/** The cluster, nodegroups and add-ons EKS is still updating, whoever started the update. */
async function updatingParts(eks: EksPort, name: string, clusterStatus: string | undefined): Promise<string[]> {
  const clusterUpdates = inProgress(await eks.describeUpdates(name));
  const parts = clusterStatus === 'UPDATING' || clusterUpdates.length > 0 ? [`cluster ${name}`] : [];
  for (const nodegroup of await eks.listNodegroups(name)) {
    if ((await eks.describeNodegroup(name, nodegroup))?.status === 'UPDATING') parts.push(`nodegroup ${nodegroup}`);
  }
  for (const addon of await eks.listAddons(name)) {
    if ((await eks.describeAddon(name, addon))?.status === 'UPDATING') parts.push(`add-on ${addon}`);
  }
  return parts;
}

export const handler = step(validateOperationFailureState, { eks: sdkEks }, settleUpgrade);

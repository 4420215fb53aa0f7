/**
 * Task "Upgrade Self-managed Nodegroup" (upgrade-cluster, one Map iteration per self-managed
 * nodegroup of the plan): what a PATCH of the nodegroup's `ami` does, with the EKS optimized AL2023
 * AMI of the version the control plane now runs (SSM's public parameter) — the launch template of
 * its stack takes the AMI, then each node of the older launch template version is cordoned,
 * drained (evictions honour PodDisruptionBudgets), its instance terminated and its successor
 * waited for until Ready, one at a time (domain/self-managed-change.ts, the same planner and look
 * as update-cluster's Change Self-managed Nodegroup). A nodegroup whose spec pins an AMI is
 * SKIPPED, with the plan's reason. The spec is not changed: the nodegroup keeps following the
 * default AMI, now of the new version (Finalize Upgrade records it). Every look that reads the
 * nodes records the version they run (the lowest kubelet minor), a skipped nodegroup's too: the
 * terminal event and the next upgrade's plan read it.
 *
 * On the upgrade's failure path (`release`, state "Uncordon Self-managed Nodes") it only uncordons
 * the nodes this operation cordoned: a Parallel whose other branch failed stops this one between
 * two looks, and a node cordoned for its replacement would stay unschedulable. That step is put on
 * the timeline first, and a look that finds it there changes nothing: a look of the stopped branch
 * (an invocation under way, which Step Functions cannot stop) never cordons or replaces a node
 * after the failure path has begun; the failure path uncordons twice, the second time after any
 * such invocation has ended.
 */
import { validateUpgradeItem } from '../generated/validators';
import type { Poll, UpdateInput, UpgradeItem } from '../generated/types';
import type { StepDeps } from '../shared/deps';
import { InvalidStepInputError, NodegroupUpgradeFailedError } from '../shared/errors';
import { logger } from '../shared/logger';
import { step } from '../shared/step';
import { lookAtSelfManagedChange } from '../step-support/self-managed-change';
import { resolveImageId } from '../step-support/self-managed-launch';
import { listSelfManagedNodes, recordNodeVersion, releaseNodegroupCordons, withClusterNodes } from '../step-support/self-managed-nodes';
import { ChangeProgress } from '../step-support/update-change';
import { DONE, reportUpgradeStep } from '../step-support/upgrade-progress';
import { sdkAutoScaling } from '../ports/autoscaling';
import { sdkCloudFormation } from '../ports/cloudformation';
import { sdkEks } from '../ports/eks';
import { inVpcKubernetes } from '../ports/kubernetes';
import { dynamoRegistry } from '../ports/registry';
import { sdkSsm } from '../ports/ssm';
import { eventBridgeStatusEvents } from '../ports/status-events';

type Deps = StepDeps<'autoScaling' | 'cloudFormation' | 'eks' | 'kubernetes' | 'ssm' | 'events' | 'registry'>;

const STEP = 'Upgrade Self-managed Nodegroup';
const RELEASE_STEP = 'Uncordon Self-managed Nodes';

export async function upgradeSelfManagedNodegroup(input: UpgradeItem, deps: Deps): Promise<Poll> {
  const { operation, item, spec, poll } = input;
  const resource = `nodegroup ${item.name}`;
  if (!spec) throw new InvalidStepInputError(`${STEP} needs the cluster's spec (the Map's ItemSelector passes it)`);
  if (input.release) {
    const begun = await releaseStep(deps, operation.id, resource);
    // The second pass (after looks still under way have ended) only uncordons: the step has ended on the timeline.
    if (begun?.ended) {
      await releaseNodegroupCordons(deps, { operation, spec }, item.name);
      return DONE;
    }
    // The first pass, or its retry (the step STARTED and has not ended): it ends the step either way.
    const startedAt = begun?.startedAt ?? deps.clock().toISOString();
    // On the timeline before anything else: from here on no look of this operation changes the nodegroup.
    if (!begun) await reportUpgradeStep(deps, operation, 'DataPlane', { name: RELEASE_STEP, status: 'STARTED', resource, startedAt });
    await releaseNodegroupCordons(deps, { operation, spec }, item.name);
    await reportUpgradeStep(deps, operation, 'DataPlane', { name: RELEASE_STEP, status: 'SUCCEEDED', resource, startedAt, endedAt: deps.clock().toISOString() });
    return DONE;
  }
  if (await releaseStep(deps, operation.id, resource)) {
    throw new NodegroupUpgradeFailedError('was left where it was: another part of the upgrade failed', { resource });
  }
  if (item.skipped) {
    // Left on its AMI: what its nodes run is read, not assumed, for the terminal event; a reading
    // that fails leaves the last one recorded, and never fails the upgrade of the rest.
    await withClusterNodes(deps, { operation, spec }, async (access) => recordNodeVersion(deps, operation.cluster.name, item.name, await listSelfManagedNodes(deps, access, item.name))).catch((error: unknown) => {
      logger.warn("could not read a skipped self-managed nodegroup's nodes; its last recorded version stands", { cluster: operation.cluster.name, nodegroup: item.name, error: String(error) });
    });
    const now = deps.clock().toISOString();
    await reportUpgradeStep(deps, operation, 'DataPlane', { name: STEP, status: 'SKIPPED', resource, startedAt: now, endedAt: now });
    return DONE;
  }
  const nodegroup = spec.selfManagedNodeGroups.find((ng) => ng.name === item.name);
  if (!nodegroup) throw new NodegroupUpgradeFailedError('is no longer a self-managed nodegroup of the cluster (removed while the cluster was upgraded)', { resource });
  // The spec's own nodegroup, so a pin made since the plan is still honoured; else the target's default AMI.
  const ami = await resolveImageId(deps, { version: item.to }, nodegroup);
  const change: UpdateInput = { operation, spec, change: { action: 'UPDATE_SELF_MANAGED_NODEGROUP', target: item.name, update: { ami } }, ...(poll ? { progress: poll } : {}) };
  return lookAtSelfManagedChange(change, deps, new ChangeProgress(change, deps, STEP, 'DataPlane'), async (call) => {
    throw new InvalidStepInputError(`${STEP} planned ${call.call}, which only adding or removing a nodegroup makes (a wiring bug)`);
  });
}

/** The upgrade's failure path for this nodegroup as the operation's timeline has it (one entry per event): undefined until it has begun. */
async function releaseStep(deps: Pick<Deps, 'registry'>, operationId: string, resource: string): Promise<{ startedAt: string; ended: boolean } | undefined> {
  const record = await deps.registry.getOperation(operationId);
  const entries = Object.values(record?.steps ?? {}).filter((entry) => entry.name === RELEASE_STEP && entry.resource === resource);
  const started = entries.find((entry) => entry.status === 'STARTED');
  if (!started) return undefined;
  return { startedAt: started.startedAt ?? started.at, ended: entries.some((entry) => entry.status === 'SUCCEEDED') };
}

export const handler = step(
  validateUpgradeItem,
  { autoScaling: sdkAutoScaling, cloudFormation: sdkCloudFormation, eks: sdkEks, kubernetes: inVpcKubernetes, ssm: sdkSsm, events: eventBridgeStatusEvents, registry: dynamoRegistry },
  upgradeSelfManagedNodegroup,
);

/**
 * Task "Finalize Upgrade": the upgrade is done. It reads the versions the cluster's parts run now,
 * and the registry keeps the spec at the new version (add-on pins moved to the versions now
 * installed, so the spec still describes the cluster) and releases the cluster (ACTIVE); the one
 * terminal SUCCEEDED event lists every part's version before and after (upgradeOutputs): EKS's,
 * and for self-managed nodegroups the lowest kubelet minor their nodes run, as the upgrade's own
 * steps read it (the registry's nodeVersions).
 */
import { validateUpgradeInput } from '../generated/validators';
import type { UpgradeInput } from '../generated/types';
import type { Spec } from '../domain/spec';
import { upgradeOutputs, type VersionSnapshot } from '../domain/upgrade/plan';
import type { StepDeps } from '../shared/deps';
import { InvalidStepInputError } from '../shared/errors';
import { reportOutcome } from '../shared/progress';
import { step } from '../shared/step';
import { readVersions } from '../step-support/live-versions';
import { selfManagedInputs } from '../domain/upgrade/preflight';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function finalizeUpgrade(input: UpgradeInput, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<Record<string, string>> {
  const { operation } = input;
  const before = input.preflight?.before;
  if (!before) throw new InvalidStepInputError('Finalize Upgrade runs after Preflight: the state has no versions from before');
  // The versions the Upgrade Self-managed Nodegroup steps read on the nodes, the last look's.
  const nodeVersions = (await deps.registry.getCluster(operation.cluster.name))?.nodeVersions ?? {};
  const after = await readVersions(deps, operation.cluster.name, selfManagedInputs(input.spec, nodeVersions));
  const outputs = upgradeOutputs(before, after);
  await reportOutcome(deps, operation, { status: 'SUCCEEDED', phase: 'Completed', outputs }, 'ACTIVE', specAfter(input.spec, after));
  return outputs;
}

/**
 * The spec at the version the cluster runs; a pinned add-on version follows what is installed now
 * (an unpinned one stays unpinned). A nodegroup's AMI release pin of an older Kubernetes version is
 * dropped: the upgrade moved the nodes to the newest release of the new one (spec-rules.ts).
 */
export function specAfter(spec: Spec, after: VersionSnapshot): Spec {
  return {
    ...spec,
    version: after.version,
    managedNodeGroups: spec.managedNodeGroups.map(({ releaseVersion, ...ng }) => (releaseVersion === undefined || releaseVersion.startsWith(`${after.version}.`) || ng.amiType.startsWith('BOTTLEROCKET') ? { ...ng, ...(releaseVersion !== undefined ? { releaseVersion } : {}) } : ng)),
    addons: spec.addons.map((addon) => (addon.version !== undefined && after.addons[addon.name] ? { ...addon, version: after.addons[addon.name] } : addon)),
  };
}

export const handler = step(validateUpgradeInput, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, finalizeUpgrade);

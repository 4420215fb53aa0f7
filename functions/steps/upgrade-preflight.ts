/**
 * Task "Preflight" (upgrade-cluster): everything that can stop the upgrade, found before the first
 * UpdateClusterVersion, because a control plane cannot be downgraded once a pass is made. The
 * first look asks EKS to refresh its upgrade insights (they are otherwise up to a day old) and
 * waits for it; then it waits out any update of the cluster, whoever started it, reads the cluster
 * (upgrade-inputs.ts, shared with the dry run) and plans. A problem that blocks (an insight's
 * ERROR unless forced; what EKS would refuse, never) is UpgradeRefusedError, naming each one.
 */
import { validateUpgradeInput } from '../generated/validators';
import type { UpgradeInput } from '../generated/types';
import { blockingProblems, type UpgradeProblem } from '../domain/upgrade/problem';
import type { StepDeps } from '../shared/deps';
import { InsightsRefreshNotDoneError, UpgradeRefusedError } from '../shared/errors';
import { logger } from '../shared/logger';
import { step } from '../shared/step';
import { settledCluster } from '../step-support/settled';
import { planFrom, readUpgradeInputs } from '../step-support/upgrade-inputs';
import { reportUpgradeStep, startedPoll, stillRunning } from '../step-support/upgrade-progress';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

type PreflightResult = NonNullable<UpgradeInput['preflight']>;

const STEP = 'Preflight';

export async function upgradePreflight(input: UpgradeInput, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<PreflightResult> {
  const { operation, upgrade } = input;
  const cluster = operation.cluster.name;
  const resource = `cluster ${cluster}`;
  const now = deps.clock();

  if (!input.preflight) {
    await reportUpgradeStep(deps, operation, 'Preflight', { name: STEP, status: 'STARTED', resource, startedAt: now.toISOString() });
    const refresh = await deps.eks.startInsightsRefresh(cluster);
    return startedPoll('insightsRefresh', now, refresh.status ? { status: refresh.status } : {});
  }

  const refresh = await deps.eks.describeInsightsRefresh(cluster);
  if (refresh.status === 'IN_PROGRESS') {
    return stillRunning('insightsRefresh', input.preflight, now, () => new InsightsRefreshNotDoneError('the upgrade insights refresh is still running', { resource }), refresh.status);
  }
  // A failed refresh leaves the insights of EKS's last daily check: still the best evidence there is.
  if (refresh.status === 'FAILED') logger.warn('upgrade insights refresh failed; planning with the last insights', { cluster, message: refresh.message });

  // An update in progress (any origin) changes versions and status under the plan: wait it out (UpdateInProgressError).
  await settledCluster(deps, cluster);
  const nodeVersions = (await deps.registry.getCluster(cluster))?.nodeVersions ?? {};
  const reading = await readUpgradeInputs(deps, cluster, input.spec, upgrade.version, nodeVersions);
  const plan = planFrom(reading, upgrade.force);
  const blocking = blockingProblems(plan.problems, upgrade.force);
  if (blocking.length > 0) {
    throw new UpgradeRefusedError(`the upgrade from ${plan.from} to ${plan.to} is refused before any change: ${blocking.map(describeProblem).join('; ')}`, { resource });
  }
  await reportUpgradeStep(deps, operation, 'Preflight', { name: STEP, status: 'SUCCEEDED', resource, startedAt: input.preflight.startedAt ?? now.toISOString(), endedAt: now.toISOString() });
  return { ready: true, waitSeconds: 0, ...(refresh.status ? { status: refresh.status } : {}), plan, before: reading.before };
}

/** "insight X: message (pass 1.33) — recommendation: …": what to look at, what is wrong, what to do. */
export function describeProblem(problem: UpgradeProblem): string {
  const pass = problem.pass ? ` (Kubernetes ${problem.pass})` : '';
  return `${problem.resource}: ${problem.message}${pass}${problem.recommendation ? ` — recommendation: ${problem.recommendation}` : ''}`;
}

export const handler = step(validateUpgradeInput, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, upgradePreflight);

/**
 * POST /clusters/{name}/upgrade {"version": "1.33", "force"?: false}: the guided Kubernetes
 * version upgrade (upgrade-cluster, docs/upgrades.md). The body, the version step (never down,
 * never the same) and the guardrails are checked before anything starts (422 naming each field);
 * `?dryRun=true` answers the plan the Preflight step would make, from the same reading code
 * (step-support/upgrade-inputs.ts) with EKS's upgrade insights as they are now (no refresh). The
 * version the cluster already runs is accepted only to catch up parts an earlier upgrade left
 * behind (a nodegroup, an add-on, a self-managed nodegroup's nodes), which that reading decides.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { UpgradeRequest } from '../generated/types';
import type { Spec } from '../domain/spec';
import { plannedSnapshots } from '../domain/upgrade/plan';
import { dataPlaneBehind } from '../domain/upgrade/preflight';
import { blockingProblems } from '../domain/upgrade/problem';
import { upgradeRefusal } from '../domain/upgrade/versions';
import { ChangeRefusedError, type SpecProblem } from '../shared/errors';
import { planFrom, readUpgradeInputs, type UpgradeReading } from '../step-support/upgrade-inputs';
import { acceptOperation, replayed } from './accept-operation';
import { ownedCluster } from './access';
import { parseObjectBody } from './body';
import { json, problem } from './problem';
import type { ApiDeps, ApiRequest } from './request';

const EXPECTS = 'a JSON object {"version": "1.33", "force": false}';
const FIELDS = ['version', 'force'];
const VERSION = /^1\.[0-9]{2}$/;

/** The body's schema, for the OpenAPI document (the checks below say the same in 422s). */
export const UPGRADE_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    version: { type: 'string', pattern: VERSION.source, description: 'The Kubernetes minor to reach, e.g. "1.33": newer than the cluster\'s, allowed by the guardrails. The control plane moves one minor at a time.' },
    force: { type: 'boolean', default: false, description: "Go ahead despite upgrade insights' ERRORs, and evict pods despite PodDisruptionBudgets. Never overrides what EKS itself would refuse." },
  },
};

export async function upgradeCluster(request: ApiRequest, deps: ApiDeps, name: string): Promise<APIGatewayProxyResult> {
  const parsed = parseObjectBody(request, EXPECTS);
  if ('rejected' in parsed) return parsed.rejected;
  const body = checkBody(parsed.value);
  if ('rejected' in body) return body.rejected;
  const upgrade = body.upgrade;
  const dryRun = request.query.dryRun === 'true';

  const identity = { type: 'UPGRADE' as const, clusterName: name, fingerprint: upgrade };
  if (!dryRun) {
    const replay = await replayed(request, deps, identity);
    if (replay) return replay;
  }
  const found = await ownedCluster(request, deps, name);
  if ('denied' in found) return found.denied;
  const { cluster } = found;
  // A held lock is answered by acceptOperation: a replay of the holder, or 409 naming it.
  if ((dryRun || !cluster.lockedBy) && cluster.status !== 'ACTIVE') return problem({ status: 409, title: 'Cluster not changeable', detail: `cluster ${name} is ${cluster.status}; only an ACTIVE cluster can be upgraded` });

  const spec = cluster.spec as Spec;
  const refused = versionProblems(spec.version, upgrade.version, deps);
  const invalid = () => problem({ status: 422, title: 'Invalid upgrade', detail: `Kubernetes ${spec.version} cannot be upgraded to ${upgrade.version}`, errors: refused });
  // The version the cluster runs is asked again to catch up what an earlier upgrade left behind (preflight.ts, dataPlaneBehind).
  const sameVersion = upgradeRefusal(spec.version, upgrade.version)?.code === 'SameVersion';
  if (refused.length > (sameVersion ? 1 : 0)) return invalid();

  let reading: UpgradeReading | undefined;
  if (dryRun || sameVersion) {
    try {
      reading = await readUpgradeInputs(deps, name, spec, upgrade.version, cluster.nodeVersions);
    } catch (error) {
      // The registry says ACTIVE but EKS has no such cluster: nothing to plan from.
      if (error instanceof ChangeRefusedError) return sameVersion ? invalid() : problem({ status: 409, title: 'Cluster not changeable', detail: error.message });
      throw error;
    }
    if (sameVersion && !(reading.input.currentVersion === upgrade.version && dataPlaneBehind(reading.input))) return invalid();
  }
  if (dryRun && reading) {
    const plan = planFrom(reading, upgrade.force);
    return json(200, { dryRun: true, plan, blocking: blockingProblems(plan.problems, upgrade.force), expected: plannedSnapshots(plan) });
  }

  return acceptOperation(request, deps, {
    ...identity,
    clusterOwner: cluster.owner,
    stateMachineArn: deps.settings.upgradeStateMachineArn(),
    lock: (operation) => deps.registry.beginOperation(operation, { expectedVersion: cluster.version, from: ['ACTIVE'], to: 'UPDATING' }),
    unlock: async (operation) => {
      await deps.registry.abandonOperation(operation, 'ACTIVE');
      return 'ACTIVE';
    },
    executionInput: (operation) => ({ operation, spec, upgrade }),
  });
}

/** The body as an UpgradeRequest, or a 422 naming each field that is wrong (unknown fields too). */
function checkBody(body: Record<string, unknown>): { upgrade: UpgradeRequest } | { rejected: APIGatewayProxyResult } {
  const errors: SpecProblem[] = Object.keys(body).filter((field) => !FIELDS.includes(field)).map((field) => ({ pointer: `/${field}`, message: 'is not an upgrade field (version, force)' }));
  if (typeof body.version !== 'string' || !VERSION.test(body.version)) errors.push({ pointer: '/version', message: 'must be a Kubernetes minor version such as "1.33"' });
  if (body.force !== undefined && typeof body.force !== 'boolean') errors.push({ pointer: '/force', message: 'must be true or false' });
  if (errors.length > 0) return { rejected: problem({ status: 422, title: 'Invalid upgrade', detail: `${errors.length} problem(s) with the upgrade request`, errors }) };
  return { upgrade: { version: body.version as string, force: (body.force as boolean | undefined) ?? false } };
}

/** What refuses the version before any AWS call: a downgrade or the same version, or a guardrail. */
function versionProblems(current: string, target: string, deps: ApiDeps): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const refusal = upgradeRefusal(current, target);
  if (refusal) problems.push({ pointer: '/version', message: refusal.message });
  const allowed = deps.settings.guardrails().kubernetesVersions;
  if (!allowed.includes(target)) problems.push({ pointer: '/version', message: `Kubernetes ${target} is not an allowed version (guardrail kubernetesVersions: ${allowed.join(', ')})` });
  return problems;
}

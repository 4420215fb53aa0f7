/** Task "Plan": re-checks the spec (defence in depth), checks existing subnets with EC2, records the plan. */
import { validateProvisionInput } from '../generated/validators';
import type { Plan, ProvisionInput } from '../generated/types';
import { clusterStackName } from '../domain/naming';
import { provisioningSteps, subnetAzProblems } from '../domain/plan';
import { normaliseSpec } from '../domain/spec';
import { config } from '../shared/config';
import type { StepDeps } from '../shared/deps';
import { InvalidSpecError } from '../shared/errors';
import { reportProgress } from '../shared/progress';
import { step } from '../shared/step';
import { queryEc2 } from '../ports/ec2';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function plan(input: ProvisionInput, deps: StepDeps<'ec2' | 'events' | 'registry'>): Promise<Plan> {
  const startedAt = deps.clock().toISOString();
  const spec = normaliseSpec(input.spec, deps.settings.guardrails());
  const result: Plan = { stackName: clusterStackName(spec.name), steps: provisioningSteps(spec, input.operation.requestedBy) };
  if (spec.network.subnets) {
    const ids = [...spec.network.subnets.private, ...spec.network.subnets.public];
    const subnets = await deps.ec2.describeSubnets(ids);
    const problems = subnetAzProblems(subnets, spec.network.subnets.private);
    if (problems.length) throw new InvalidSpecError(problems.map((message) => ({ pointer: '/network/subnets', message })));
    result.vpcId = subnets[0]?.vpcId;
    result.availabilityZones = [...new Set(subnets.map((s) => s.availabilityZone))].sort();
  }
  await reportProgress(deps, input.operation, { status: 'IN_PROGRESS', phase: 'Plan', step: { name: 'Plan', status: 'SUCCEEDED', startedAt, endedAt: deps.clock().toISOString() } });
  return result;
}

// A bad GUARDRAILS fails this function at cold start (an init error), not on each execution.
config.guardrails();

export const handler = step(validateProvisionInput, { ec2: queryEc2, events: eventBridgeStatusEvents, registry: dynamoRegistry }, plan);

import type { ProvisionInput } from '../../../functions/generated/types';
import { specRulesOnly, type ResolvedGuardrails } from '../../../functions/domain/guardrails';
import { normaliseSpec } from '../../../functions/domain/spec';
import { plan } from '../../../functions/steps/plan';
import type { FakeAws } from '../../support/fake-aws';
import { CLUSTER, EXISTING_SUBNETS, fakeAws, operation, rejectionOf, STACK } from './step-inputs';

const [PRIVATE_A, PRIVATE_B] = EXISTING_SUBNETS.private as [string, string];
const [PUBLIC_A, PUBLIC_B] = EXISTING_SUBNETS.public as [string, string];
const VPC = 'vpc-0ccc0000000000001';

/** The service's guardrails, as FakeAws's settings give them. */
const GUARDRAILS: ResolvedGuardrails = { kubernetesVersions: ['1.32', '1.33'], defaultKubernetesVersion: '1.33' };
/** Plan's input as the API starts provision-cluster with it: the spec normalised (by default under the service's guardrails). */
const input = (spec: Record<string, unknown>, guardrails = GUARDRAILS): ProvisionInput => ({ operation, spec: normaliseSpec({ name: CLUSTER, ...spec }, guardrails) });
const existingSubnetsSpec = { network: { subnets: EXISTING_SUBNETS } };

function withSubnets(aws: FakeAws, zones: Record<string, string>, vpcOf: (id: string) => string = () => VPC): FakeAws {
  for (const [subnetId, availabilityZone] of Object.entries(zones)) aws.subnets.set(subnetId, { subnetId, vpcId: vpcOf(subnetId), availabilityZone, cidrBlock: '10.0.0.0/24' });
  return aws;
}

describe('Plan', () => {
  it('plans a new-VPC cluster without asking EC2 anything and reports Plan SUCCEEDED', async () => {
    const aws = fakeAws();

    const result = await plan(input({ network: { vpc: {} }, managedNodeGroups: [{ name: 'ng-1' }], addons: [{ name: 'vpc-cni' }], ownerAccess: 'none' }), aws.deps());

    expect(result).toEqual({ stackName: STACK, steps: [`Create cluster stack ${STACK} (Kubernetes 1.33, endpoint public (0.0.0.0/0))`, 'Create nodegroup ng-1 (m5.large ON_DEMAND, 2/2/2)', 'Create add-on vpc-cni'] });
    expect(aws.callLog((c) => c.service === 'ec2')).toEqual([]);
    expect(aws.events).toEqual([expect.objectContaining({ phase: 'Plan', step: expect.objectContaining({ name: 'Plan', status: 'SUCCEEDED' }) })]);
  });

  it('resolves the VPC and availability zones of existing subnets', async () => {
    const aws = withSubnets(fakeAws(), { [PRIVATE_A]: 'us-east-1b', [PRIVATE_B]: 'us-east-1a', [PUBLIC_A]: 'us-east-1b', [PUBLIC_B]: 'us-east-1a' });

    const result = await plan(input(existingSubnetsSpec), aws.deps());

    expect(result).toMatchObject({ stackName: STACK, vpcId: VPC, availabilityZones: ['us-east-1a', 'us-east-1b'] });
    expect(aws.callLog((c) => c.service === 'ec2')).toEqual([`ec2:DescribeSubnets ${[...EXISTING_SUBNETS.private, ...EXISTING_SUBNETS.public].join(',')}`]);
  });

  it('refuses private subnets in one availability zone with InvalidSpecError naming both subnets', async () => {
    const aws = withSubnets(fakeAws(), { [PRIVATE_A]: 'us-east-1a', [PRIVATE_B]: 'us-east-1a', [PUBLIC_A]: 'us-east-1a', [PUBLIC_B]: 'us-east-1b' });

    const error = await rejectionOf(plan(input(existingSubnetsSpec), aws.deps()));

    expect(error.name).toBe('InvalidSpecError');
    expect(error.message).toContain(PRIVATE_A);
    expect(error.message).toContain(PRIVATE_B);
    expect(error.problems).toEqual([{ pointer: '/network/subnets', message: expect.stringContaining('same AZ') }]);
    expect(aws.events).toEqual([]);
  });

  it('refuses subnets from different VPCs', async () => {
    const aws = withSubnets(fakeAws(), { [PRIVATE_A]: 'us-east-1a', [PRIVATE_B]: 'us-east-1b', [PUBLIC_A]: 'us-east-1a', [PUBLIC_B]: 'us-east-1b' }, (id) => (id === PUBLIC_B ? 'vpc-0ddd0000000000001' : VPC));

    const error = await rejectionOf(plan(input(existingSubnetsSpec), aws.deps()));

    expect(error.name).toBe('InvalidSpecError');
    expect(error.message).toContain('different VPCs');
  });

  it('refuses a subnet EC2 does not know with InvalidSpecError naming it', async () => {
    const aws = withSubnets(fakeAws(), { [PRIVATE_A]: 'us-east-1a', [PRIVATE_B]: 'us-east-1b', [PUBLIC_A]: 'us-east-1a' });

    const error = await rejectionOf(plan(input(existingSubnetsSpec), aws.deps()));

    expect(error.name).toBe('InvalidSpecError');
    expect(error.problems).toEqual([{ pointer: '/network/subnets', message: `${PUBLIC_B} does not exist in this account and region` }]);
    expect(aws.events).toEqual([]);
  });

  it('re-checks the spec against the service guardrails before any AWS call', async () => {
    const aws = fakeAws();

    // Normalised when 1.31 was allowed; the service's guardrails no longer allow it.
    const error = await rejectionOf(plan(input({ network: { vpc: {} }, version: '1.31' }, specRulesOnly({ version: '1.31' })), aws.deps()));

    expect(error.name).toBe('InvalidSpecError');
    expect(error.problems).toEqual([expect.objectContaining({ pointer: '/version' })]);
    expect(aws.calls).toEqual([]);
  });
});

describe('Plan cold start', () => {
  it('fails to load (a Lambda init error) when GUARDRAILS is invalid, naming the field', async () => {
    const saved = process.env.GUARDRAILS;
    process.env.GUARDRAILS = '{"publicAccessCidrs":["0.0.0.0/8","10.0.0.1/8"]}';
    try {
      const load = jest.isolateModulesAsync(async () => {
        await import('../../../functions/steps/plan');
      });

      await expect(load).rejects.toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringMatching(/^GUARDRAILS \/publicAccessCidrs\/1 "10\.0\.0\.1\/8" has host bits set/) }));
    } finally {
      if (saved === undefined) delete process.env.GUARDRAILS;
      else process.env.GUARDRAILS = saved;
    }
  });
});

import { normaliseSpec } from '../../../functions/domain/spec';
import { getsVpcEndpoints, vpcEndpointLogicalId } from '../../../functions/domain/vpc-endpoints';
import { InvalidSpecError, type SpecProblem } from '../../../functions/shared/errors';

const SPEC_DEFAULTS = { kubernetesVersions: ['1.33'], defaultKubernetesVersion: '1.33' };
const spec = (request: Record<string, unknown>) => normaliseSpec({ name: 'demo', ...request }, SPEC_DEFAULTS);
const NO_NAT = { vpc: { natGateway: 'Disable' } };
const PRIVATE_ONLY = { public: false, private: true };
const EXISTING = { subnets: { private: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'] } };

function problemsOf(request: Record<string, unknown>): SpecProblem[] {
  try {
    spec(request);
    return [];
  } catch (error) {
    if (error instanceof InvalidSpecError) return error.problems;
    throw error;
  }
}

describe('getsVpcEndpoints', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['no NAT gateway and a private-only endpoint (fully private)', { network: NO_NAT, endpointAccess: PRIVATE_ONLY, managedNodeGroups: [] }, true],
    ['endpoints asked for with a NAT gateway (traffic to AWS kept in the VPC)', { network: { vpc: { endpoints: true } } }, true],
    ['endpoints and a public endpoint, no NAT gateway (private nodes reach AWS through them)', { network: { vpc: { natGateway: 'Disable', endpoints: true } }, managedNodeGroups: [{ name: 'ng' }] }, true],
    ['no NAT gateway, public and private endpoint', { network: NO_NAT, endpointAccess: { public: true, private: true }, managedNodeGroups: [] }, false],
    ['a NAT gateway and a private-only endpoint', { endpointAccess: PRIVATE_ONLY }, false],
    ['existing subnets and a private-only endpoint (their network is the caller\'s)', { network: EXISTING, endpointAccess: PRIVATE_ONLY }, false],
  ])('%s: %s', (_, request, expected) => {
    expect(getsVpcEndpoints(spec(request))).toBe(expected);
  });
});

describe('network.vpc.endpoints is recorded at creation', () => {
  it('is in the normalised spec, defaulted from the endpoint access asked for then', () => {
    expect(spec({ network: NO_NAT, endpointAccess: PRIVATE_ONLY, managedNodeGroups: [] }).network.vpc).toEqual({ cidr: '192.168.0.0/16', azCount: 2, natGateway: 'Disable', endpoints: true });
    expect(spec({}).network.vpc).toMatchObject({ natGateway: 'Single', endpoints: false });
  });

  it('keeps a fully private cluster\'s endpoints when its endpoint is later made public too: its private nodes still reach AWS', () => {
    const made = spec({ network: NO_NAT, endpointAccess: PRIVATE_ONLY, managedNodeGroups: [{ name: 'ng' }] });

    const opened = normaliseSpec({ ...made, endpointAccess: { public: true, private: true, publicAccessCidrs: ['203.0.113.0/24'] } }, SPEC_DEFAULTS);

    expect(getsVpcEndpoints(opened)).toBe(true);
  });

  it('gives a cluster made without endpoints none when its endpoint is later made private-only: a private nodegroup is still refused', () => {
    const made = spec({ network: NO_NAT, endpointAccess: { public: true, private: true }, managedNodeGroups: [{ name: 'public', privateNetworking: false }] });
    const closed = normaliseSpec({ ...made, endpointAccess: PRIVATE_ONLY }, SPEC_DEFAULTS);

    expect(getsVpcEndpoints(closed)).toBe(false);
    const problems = problemsOf({ ...closed, managedNodeGroups: [...closed.managedNodeGroups, { name: 'private' }] });
    expect(problems).toEqual([{ pointer: '/managedNodeGroups/1/privateNetworking', message: expect.stringMatching(/NAT gateway or VPC endpoints.*both fixed once the cluster is made/) }]);
  });
});

describe('vpcEndpointLogicalId', () => {
  it("names endpoints as eksctl does", () => {
    expect(['ec2', 'ecr.api', 'ecr.dkr', 'eks-auth', 's3'].map(vpcEndpointLogicalId)).toEqual(['VPCEndpointEC2', 'VPCEndpointECRAPI', 'VPCEndpointECRDKR', 'VPCEndpointEKSAUTH', 'VPCEndpointS3']);
  });
});

describe('private nodes and Fargate pods need a NAT gateway or VPC endpoints', () => {
  it('takes private nodegroups and Fargate profiles in a fully private cluster (its VPC gets the endpoints)', () => {
    expect(problemsOf({ network: NO_NAT, endpointAccess: PRIVATE_ONLY, managedNodeGroups: [{ name: 'ng' }], fargateProfiles: [{ name: 'fp', selectors: [{ namespace: 'apps' }] }] })).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['public and private', { public: true, private: true }],
    ['public only', { public: true, private: false }],
  ])('refuses them without a NAT gateway when the endpoint is %s, naming both fixes', (_, endpointAccess) => {
    const problems = problemsOf({ network: NO_NAT, endpointAccess, managedNodeGroups: [{ name: 'ng' }], fargate: true });

    const fixes = expect.stringMatching(/NAT gateway or VPC endpoints.*natGateway to Single or HighlyAvailable.*network.vpc.endpoints to true.*private-only/);
    expect(problems).toContainEqual({ pointer: '/managedNodeGroups/0/privateNetworking', message: fixes });
    expect(problems).toContainEqual({ pointer: '/network/vpc/natGateway', message: fixes });
  });

  it('keeps refusing them by default (a public endpoint), and says privateNetworking false is a way out for nodes', () => {
    const problems = problemsOf({ network: NO_NAT, managedNodeGroups: [{ name: 'ng' }] });

    expect(problems).toEqual([{ pointer: '/managedNodeGroups/0/privateNetworking', message: expect.stringContaining('or set privateNetworking to false') }]);
  });
});

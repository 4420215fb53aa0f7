import { endpointAccessAfter, endpointAccessChange, endpointAccessWithNodeEgress, needsKubernetesApi, publicEndpointNeedsNodeEgress, type LiveEndpointAccess } from '../../../functions/domain/endpoint-access';
import { normaliseSpec, type ResolvedEndpointAccess } from '../../../functions/domain/spec';

const SPEC_DEFAULTS = { kubernetesVersions: ['1.33'], defaultKubernetesVersion: '1.33' };
const spec = (request: Record<string, unknown>) => normaliseSpec({ name: 'demo', ...request }, SPEC_DEFAULTS);

const MAPPING = { arn: 'arn:aws:iam::111122223333:role/ops', groups: ['ops'] };
const ACCESS_ENTRY = { principalArn: 'arn:aws:iam::111122223333:role/admin', accessPolicies: [{ policy: 'AmazonEKSClusterAdminPolicy' }] };
const PRIVATE_ONLY = { public: false, private: true };
const RESTRICTED = { public: true, private: true, publicAccessCidrs: ['203.0.113.0/24'] };

describe('needsKubernetesApi', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['identity mappings in API_AND_CONFIG_MAP mode', { identityMappings: [MAPPING] }, true],
    ['identity mappings in CONFIG_MAP mode', { authenticationMode: 'CONFIG_MAP', identityMappings: [MAPPING] }, true],
    ['access entries only (made with the EKS API)', { accessEntries: [ACCESS_ENTRY] }, false],
    ['nothing to map', {}, false],
  ])('answers for %s: %s', (_, request, expected) => {
    expect(needsKubernetesApi(spec(request))).toBe(expected);
  });
});

describe('publicEndpointNeedsNodeEgress', () => {
  it.each<[string, ResolvedEndpointAccess, boolean]>([
    ['a public-only endpoint restricted to CIDRs', { public: true, private: false, publicAccessCidrs: ['203.0.113.0/24'] }, true],
    ['a public-only endpoint open to all', { public: true, private: false, publicAccessCidrs: ['0.0.0.0/0'] }, false],
    ['a restricted public endpoint with private access (nodes use the private one)', RESTRICTED, false],
    ['a private-only endpoint', { public: false, private: true, publicAccessCidrs: [] }, false],
  ])('%s: %s', (_, access, expected) => {
    expect(publicEndpointNeedsNodeEgress(access)).toBe(expected);
  });
});

describe('endpointAccessWithNodeEgress', () => {
  const PUBLIC_ONLY = { public: true, private: false, publicAccessCidrs: ['203.0.113.0/24'] };

  it("adds each NAT address as a /32 to a public-only endpoint's CIDRs, once", () => {
    expect(endpointAccessWithNodeEgress(PUBLIC_ONLY, ['198.51.100.7', '198.51.100.8'])).toEqual({ ...PUBLIC_ONLY, publicAccessCidrs: ['203.0.113.0/24', '198.51.100.7/32', '198.51.100.8/32'] });
    expect(endpointAccessWithNodeEgress({ ...PUBLIC_ONLY, publicAccessCidrs: ['198.51.100.7/32'] }, ['198.51.100.7'])).toEqual({ ...PUBLIC_ONLY, publicAccessCidrs: ['198.51.100.7/32'] });
  });

  it('leaves an endpoint whose nodes need nothing as it is', () => {
    expect(endpointAccessWithNodeEgress(RESTRICTED, ['198.51.100.7'])).toBe(RESTRICTED);
    expect(endpointAccessWithNodeEgress({ ...PRIVATE_ONLY, publicAccessCidrs: [] }, ['198.51.100.7'])).toEqual({ ...PRIVATE_ONLY, publicAccessCidrs: [] });
  });
});

describe('endpointAccessChange', () => {
  it.each<[string, LiveEndpointAccess, ResolvedEndpointAccess]>([
    ['the same public endpoint and CIDRs', { endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: ['0.0.0.0/0'] }, { public: true, private: false, publicAccessCidrs: ['0.0.0.0/0'] }],
    ['the same CIDRs in another order', { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['198.51.100.0/24', '203.0.113.0/24'] }, { public: true, private: true, publicAccessCidrs: ['203.0.113.0/24', '198.51.100.0/24'] }],
    ['a public endpoint EKS reports without CIDRs (open to all)', { endpointPublicAccess: true, endpointPrivateAccess: false }, { public: true, private: false, publicAccessCidrs: ['0.0.0.0/0'] }],
    ['a private endpoint whose leftover CIDRs EKS still reports', { endpointPublicAccess: false, endpointPrivateAccess: true, publicAccessCidrs: ['0.0.0.0/0'] }, { public: false, private: true, publicAccessCidrs: [] }],
  ])('asks for no update when the live config matches: %s', (_, live, wanted) => {
    expect(endpointAccessChange(live, wanted)).toBeUndefined();
  });

  it.each<[string, LiveEndpointAccess, ResolvedEndpointAccess, object]>([
    [
      'restricts an open public endpoint to the wanted CIDRs',
      { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['0.0.0.0/0'] },
      { public: true, private: true, publicAccessCidrs: ['203.0.113.0/24'] },
      { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] },
    ],
    [
      'adds a missing CIDR',
      { endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: ['203.0.113.0/24'] },
      { public: true, private: false, publicAccessCidrs: ['203.0.113.0/24', '198.51.100.0/24'] },
      { endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: ['203.0.113.0/24', '198.51.100.0/24'] },
    ],
    [
      'turns the public endpoint off and sends no CIDRs',
      { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['0.0.0.0/0'] },
      { public: false, private: true, publicAccessCidrs: [] },
      { endpointPublicAccess: false, endpointPrivateAccess: true },
    ],
    [
      'turns the private endpoint on',
      { endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: ['0.0.0.0/0'] },
      { public: true, private: true, publicAccessCidrs: ['0.0.0.0/0'] },
      { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['0.0.0.0/0'] },
    ],
    [
      'turns the private endpoint off',
      { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['0.0.0.0/0'] },
      { public: true, private: false, publicAccessCidrs: ['0.0.0.0/0'] },
      { endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: ['0.0.0.0/0'] },
    ],
    [
      'turns the public endpoint back on with its CIDRs',
      { endpointPublicAccess: false, endpointPrivateAccess: true },
      { public: true, private: true, publicAccessCidrs: ['203.0.113.0/24'] },
      { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] },
    ],
  ])('%s', (_, live, wanted, expected) => {
    expect(endpointAccessChange(live, wanted)).toEqual(expected);
  });
});

describe('endpointAccessAfter', () => {
  const LIVE: LiveEndpointAccess = { endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: ['0.0.0.0/0'] };

  it('applies the params of an EndpointAccessUpdate as EKS lists them', () => {
    const params = [
      { type: 'EndpointPublicAccess', value: 'true' },
      { type: 'EndpointPrivateAccess', value: 'true' },
      { type: 'PublicAccessCidrs', value: '["203.0.113.0/24"]' },
    ];

    expect(endpointAccessAfter(LIVE, params)).toEqual({ endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] });
  });

  it('keeps what the update does not list, and CIDRs it cannot read', () => {
    expect(endpointAccessAfter(LIVE, [{ type: 'EndpointPrivateAccess', value: 'true' }, { type: 'PublicAccessCidrs', value: 'not json' }])).toEqual({ ...LIVE, endpointPrivateAccess: true });
    expect(endpointAccessAfter(LIVE, undefined)).toEqual(LIVE);
  });
});

describe('a public-only endpoint restricted to CIDRs must admit the nodes', () => {
  const PUBLIC_ONLY = { public: true, private: false, publicAccessCidrs: ['203.0.113.0/24'] };
  const EXISTING = { subnets: { private: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'], public: ['subnet-0a1b2c3d4e5f60003', 'subnet-0a1b2c3d4e5f60004'] } };
  const problemsOf = (request: Record<string, unknown>) => {
    try {
      spec(request);
      return [];
    } catch (error) {
      return (error as { problems: Array<{ pointer: string }> }).problems.map((p) => p.pointer);
    }
  };

  it('takes a new VPC whose nodes are private (their NAT gateways are known addresses)', () => {
    expect(problemsOf({ endpointAccess: PUBLIC_ONLY })).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['private access on', { endpointAccess: { ...PUBLIC_ONLY, private: true }, network: EXISTING }],
    ['0.0.0.0/0 admitted', { endpointAccess: { ...PUBLIC_ONLY, publicAccessCidrs: ['0.0.0.0/0'] }, network: EXISTING, managedNodeGroups: [{ name: 'ng', privateNetworking: false }] }],
  ])('takes existing subnets and public nodes when the nodes can reach it: %s', (_case, request) => {
    expect(problemsOf(request)).toEqual([]);
  });

  it('refuses existing subnets, whose egress addresses the service cannot know, and nodes in public subnets, naming each', () => {
    expect(problemsOf({ endpointAccess: PUBLIC_ONLY, network: EXISTING })).toEqual(['/endpointAccess/publicAccessCidrs']);
    expect(problemsOf({ endpointAccess: PUBLIC_ONLY, managedNodeGroups: [{ name: 'a' }, { name: 'b', privateNetworking: false }] })).toEqual(['/managedNodeGroups/1/privateNetworking']);
  });
});

describe('endpoint access the service itself must be able to use', () => {
  const problemsOf = (request: Record<string, unknown>) => {
    try {
      spec(request);
      return [];
    } catch (error) {
      return (error as { problems: Array<{ pointer: string; message: string }> }).problems;
    }
  };
  const cidrs = (count: number) => Array.from({ length: count }, (_, i) => `198.51.${i}.0/24`);

  it("refuses more CIDRs than EKS takes once the VPC's NAT addresses are added, saying how many fit", () => {
    const problems = problemsOf({ network: { vpc: { azCount: 3, natGateway: 'HighlyAvailable' } }, endpointAccess: { public: true, private: false, publicAccessCidrs: cidrs(38) } });

    expect(problems).toEqual([{ pointer: '/endpointAccess/publicAccessCidrs', message: expect.stringContaining('list at most 37') }]);
    expect(problemsOf({ network: { vpc: { azCount: 3, natGateway: 'HighlyAvailable' } }, endpointAccess: { public: true, private: false, publicAccessCidrs: cidrs(37) } })).toEqual([]);
  });

  it('refuses aws-auth mappings on a public-only endpoint of a VPC without NAT: the kube agent could not reach it', () => {
    const problems = problemsOf({ network: { vpc: { natGateway: 'Disable' } }, managedNodeGroups: [{ name: 'ng', privateNetworking: false }], identityMappings: [MAPPING] });

    expect(problems).toEqual([{ pointer: '/endpointAccess/private', message: expect.stringContaining('turn private access on') }]);
  });

  it('takes the same cluster with private access on, or without aws-auth work', () => {
    const noNat = { network: { vpc: { natGateway: 'Disable' } }, managedNodeGroups: [{ name: 'ng', privateNetworking: false }] };

    expect(problemsOf({ ...noNat, endpointAccess: { public: true, private: true }, identityMappings: [MAPPING] })).toEqual([]);
    expect(problemsOf({ ...noNat, accessEntries: [ACCESS_ENTRY] })).toEqual([]);
  });
});

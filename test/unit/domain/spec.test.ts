import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_FARGATE_PROFILE, normaliseSpec, schemaProblems } from '../../../functions/domain/spec';
import { InvalidSpecError } from '../../../functions/shared/errors';

const SPEC_DEFAULTS = { kubernetesVersions: ['1.31', '1.32', '1.33'], defaultKubernetesVersion: '1.32' };
const referenceSpec = (): Record<string, unknown> => JSON.parse(readFileSync(join(__dirname, '../../fixtures/reference-cluster.json'), 'utf8'));

describe('normaliseSpec defaults (eksctl-like)', () => {
  it('gives a nodegroup m5.large, 2/2/2 nodes, an 80 GiB gp3 volume, AL2023, on-demand capacity and private networking', () => {
    const spec = normaliseSpec({ name: 'demo', managedNodeGroups: [{ name: 'ng-1' }] }, SPEC_DEFAULTS);

    expect(spec.managedNodeGroups[0]).toEqual({
      name: 'ng-1',
      instanceTypes: ['m5.large'],
      desiredSize: 2,
      minSize: 2,
      maxSize: 2,
      volumeSize: 80,
      volumeType: 'gp3',
      amiType: 'AL2023_x86_64_STANDARD',
      capacityType: 'ON_DEMAND',
      labels: {},
      taints: [],
      privateNetworking: true,
    });
  });

  it('gives a cluster without a network a new 192.168.0.0/16 VPC over 2 AZs with a single NAT gateway', () => {
    const spec = normaliseSpec({ name: 'demo' }, SPEC_DEFAULTS);

    expect(spec.network).toEqual({ vpc: { cidr: '192.168.0.0/16', azCount: 2, natGateway: 'Single', endpoints: false } });
  });

  it('fills the fields a partial new-VPC network leaves out', () => {
    const spec = normaliseSpec({ name: 'demo', network: { vpc: { azCount: 3 } } }, SPEC_DEFAULTS);

    expect(spec.network).toEqual({ vpc: { cidr: '192.168.0.0/16', azCount: 3, natGateway: 'Single', endpoints: false } });
  });

  it('gives existing subnets an empty public list when only private ones are named', () => {
    const spec = normaliseSpec({ name: 'demo', network: { subnets: { private: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'] } } }, SPEC_DEFAULTS);

    expect(spec.network).toEqual({ subnets: { private: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'], public: [] } });
  });

  it.each([
    ['no endpointAccess', undefined, { public: true, private: false, publicAccessCidrs: ['0.0.0.0/0'] }],
    ['public on without CIDRs', { public: true, private: true }, { public: true, private: true, publicAccessCidrs: ['0.0.0.0/0'] }],
    ['a private-only endpoint', { public: false, private: true }, { public: false, private: true, publicAccessCidrs: [] }],
    ['explicit CIDRs', { publicAccessCidrs: ['203.0.113.0/24'] }, { public: true, private: false, publicAccessCidrs: ['203.0.113.0/24'] }],
  ])('resolves the endpoint for %s as EKS would', (_, endpointAccess, expected) => {
    const spec = normaliseSpec({ name: 'demo', ...(endpointAccess ? { endpointAccess } : {}) }, SPEC_DEFAULTS);

    expect(spec.endpointAccess).toEqual(expected);
  });

  it('defaults authentication to API_AND_CONFIG_MAP, failure handling to rollback and the other lists to empty', () => {
    const spec = normaliseSpec({ name: 'demo' }, SPEC_DEFAULTS);

    expect(spec).toMatchObject({
      authenticationMode: 'API_AND_CONFIG_MAP',
      onFailure: 'rollback',
      tags: {},
      accessEntries: [],
      identityMappings: [],
      fargate: false,
      fargateProfiles: [],
      logging: [],
    });
  });

  it("gives a spec that asks for no compute eksctl's one managed nodegroup: 2 x m5.large, AL2023, with a name derived from the cluster's", () => {
    const spec = normaliseSpec({ name: 'demo' }, SPEC_DEFAULTS);

    expect(spec.managedNodeGroups).toEqual([
      { name: 'ng-2a97516c', instanceTypes: ['m5.large'], desiredSize: 2, minSize: 2, maxSize: 2, volumeSize: 80, volumeType: 'gp3', amiType: 'AL2023_x86_64_STANDARD', capacityType: 'ON_DEMAND', labels: {}, taints: [], privateNetworking: true },
    ]);
  });

  it('names the default nodegroup the same for the same cluster name, and differently for another', () => {
    const name = (cluster: string) => normaliseSpec({ name: cluster }, SPEC_DEFAULTS).managedNodeGroups[0]!.name;

    expect(name('demo')).toBe(name('demo'));
    expect(name('other')).toMatch(/^ng-[0-9a-f]{8}$/);
    expect(name('other')).not.toBe(name('demo'));
  });

  it.each<[string, Record<string, unknown>]>([
    ['an empty managedNodeGroups list', { managedNodeGroups: [] }],
    ['fargate: true', { fargate: true }],
    ['fargate: false (compute mentioned)', { fargate: false }],
    ['Fargate profiles', { fargateProfiles: [{ name: 'fp-apps', selectors: [{ namespace: 'apps' }] }] }],
  ])('defaults no nodegroup for %s', (_, request) => {
    expect(normaliseSpec({ name: 'demo', ...request }, SPEC_DEFAULTS).managedNodeGroups).toEqual([]);
  });

  it("gives a spec without addons eksctl's default add-ons, with no version (EKS's default for the cluster's Kubernetes version)", () => {
    expect(normaliseSpec({ name: 'demo' }, SPEC_DEFAULTS).addons).toEqual([{ name: 'vpc-cni' }, { name: 'kube-proxy' }, { name: 'coredns' }, { name: 'metrics-server' }]);
  });

  it('gives no add-on for an explicit empty list, and only the listed ones for a list', () => {
    expect(normaliseSpec({ name: 'demo', fargate: true, addons: [] }, SPEC_DEFAULTS).addons).toEqual([]);
    expect(normaliseSpec({ name: 'demo', addons: [{ name: 'coredns' }, { name: 'vpc-cni' }] }, SPEC_DEFAULTS).addons).toEqual([{ name: 'coredns' }, { name: 'vpc-cni' }]);
  });

  it('normalises a normalised spec to itself, defaults included (the Plan step re-checks it)', () => {
    const once = normaliseSpec({ name: 'demo' }, SPEC_DEFAULTS);

    expect(normaliseSpec(once, SPEC_DEFAULTS)).toEqual(once);
  });

  it('holds the default nodegroup to the guardrails like any other, pointing at the list whose absence made it', () => {
    const act = () => normaliseSpec({ name: 'demo' }, { ...SPEC_DEFAULTS, instanceTypes: ['t3.*'] });

    expect(act).toThrow(InvalidSpecError);
    expect(() => act()).toThrow(/^\/managedNodeGroups: the default nodegroup ng-2a97516c: m5\.large is not an allowed instance type \(guardrail instanceTypes: t3\.\*\); give managedNodeGroups yourself$/);
  });

  it('takes the default Kubernetes version from the service configuration', () => {
    const spec = normaliseSpec({ name: 'demo' }, SPEC_DEFAULTS);

    expect(spec.version).toBe('1.32');
  });

  it('keeps a version the caller chose among the allowed ones', () => {
    const spec = normaliseSpec({ name: 'demo', version: '1.31' }, SPEC_DEFAULTS);

    expect(spec.version).toBe('1.31');
  });

  it('gives an access entry type STANDARD, no groups and no policies, and a policy cluster scope', () => {
    const spec = normaliseSpec(
      { name: 'demo', accessEntries: [{ principalArn: 'arn:aws:iam::111122223333:role/admin', accessPolicies: [{ policy: 'AmazonEKSClusterAdminPolicy' }] }, { principalArn: 'arn:aws:iam::111122223333:role/dev' }] },
      SPEC_DEFAULTS,
    );

    expect(spec.accessEntries).toEqual([
      { principalArn: 'arn:aws:iam::111122223333:role/admin', type: 'STANDARD', kubernetesGroups: [], accessPolicies: [{ policy: 'AmazonEKSClusterAdminPolicy', scope: 'cluster' }] },
      { principalArn: 'arn:aws:iam::111122223333:role/dev', type: 'STANDARD', kubernetesGroups: [], accessPolicies: [] },
    ]);
  });
});

describe('the fargate shorthand', () => {
  it('expands fargate: true into profile fp-default for the default and kube-system namespaces', () => {
    const spec = normaliseSpec({ name: 'demo', fargate: true }, SPEC_DEFAULTS);

    expect(spec.fargateProfiles).toEqual([{ name: 'fp-default', selectors: [{ namespace: 'default' }, { namespace: 'kube-system' }] }]);
  });

  it('puts fp-default first, ahead of the profiles the caller lists', () => {
    const spec = normaliseSpec({ name: 'demo', fargate: true, fargateProfiles: [{ name: 'fp-batch', selectors: [{ namespace: 'batch' }] }] }, SPEC_DEFAULTS);

    expect(spec.fargateProfiles.map((p) => p.name)).toEqual(['fp-default', 'fp-batch']);
  });

  it('adds no profile when fargate is false', () => {
    const spec = normaliseSpec({ name: 'demo', fargate: false }, SPEC_DEFAULTS);

    expect(spec.fargateProfiles).toEqual([]);
  });

  it('hands out a copy, so changing one spec cannot change the shorthand for the next', () => {
    const spec = normaliseSpec({ name: 'demo', fargate: true }, SPEC_DEFAULTS);

    spec.fargateProfiles[0]!.selectors.push({ namespace: 'changed' });

    expect(DEFAULT_FARGATE_PROFILE.selectors).toEqual([{ namespace: 'default' }, { namespace: 'kube-system' }]);
  });

  it('points a problem in a later profile at its index in the request, not in the expanded list', () => {
    const act = () => normaliseSpec({ name: 'demo', fargate: true, fargateProfiles: [{ name: 'fp-batch', selectors: [] }] }, SPEC_DEFAULTS);

    expect(act).toThrow(expect.objectContaining({ problems: [expect.objectContaining({ pointer: '/fargateProfiles/0/selectors' })] }));
  });
});

describe('normaliseSpec as a function of its input', () => {
  it('does not change the object it is given', () => {
    const input = referenceSpec();
    const before = structuredClone(input);

    normaliseSpec(input, SPEC_DEFAULTS);

    expect(input).toEqual(before);
  });

  it('does not change an input it refuses', () => {
    const input = { name: 'demo', managedNodeGroups: [{ name: 'ng-1', minSize: 5 }] };
    const before = structuredClone(input);

    expect(() => normaliseSpec(input, SPEC_DEFAULTS)).toThrow(InvalidSpecError);

    expect(input).toEqual(before);
  });

  it.each<[string, Record<string, unknown>]>([
    ['only a name', { name: 'demo' }],
    ['the reference cluster', referenceSpec()],
    ['existing subnets', { name: 'demo', network: { subnets: { private: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'] } } }],
    ['a private-only endpoint', { name: 'demo', endpointAccess: { public: false, private: true } }],
    ['the fargate shorthand next to other profiles', { name: 'demo', fargate: true, fargateProfiles: [{ name: 'fp-batch', selectors: [{ namespace: 'batch' }] }] }],
  ])('gives the same spec when normalising %s twice', (_, input) => {
    const once = normaliseSpec(input, SPEC_DEFAULTS);

    const twice = normaliseSpec(once, SPEC_DEFAULTS);

    expect(twice).toEqual(once);
  });

  it.each([null, undefined])('treats %s as an empty spec and asks for a name', (input) => {
    const act = () => normaliseSpec(input, SPEC_DEFAULTS);

    expect(act).toThrow(expect.objectContaining({ name: 'InvalidSpecError', problems: [{ pointer: '/name', message: 'is required' }] }));
  });

  it('states every problem in the error message, each led by its pointer', () => {
    const act = () => normaliseSpec({ name: 'demo', version: '1.20', onFailure: 'rollback', endpointAccess: { public: false } }, SPEC_DEFAULTS);

    expect(act).toThrow(/^\/endpointAccess: public and private cannot both be false.*; \/version: Kubernetes 1\.20 is not an allowed version \(guardrail kubernetesVersions: 1\.31, 1\.32, 1\.33\)$/);
  });
});

describe('schemaProblems', () => {
  it('replaces the oneOf branch errors under /network with one sentence', () => {
    const problems = schemaProblems([
      { instancePath: '/network', schemaPath: '#/definitions/Network/oneOf/0/required', keyword: 'required', params: { missingProperty: 'vpc' }, message: "must have required property 'vpc'" },
      { instancePath: '/network', schemaPath: '#/definitions/Network/oneOf/1/required', keyword: 'required', params: { missingProperty: 'subnets' }, message: "must have required property 'subnets'" },
      { instancePath: '/network', schemaPath: '#/definitions/Network/oneOf', keyword: 'oneOf', params: { passingSchemas: null }, message: 'must match exactly one schema in oneOf' },
    ]);

    expect(problems).toEqual([{ pointer: '/network', message: 'must give exactly one of "vpc" (a new VPC) or "subnets" (an existing VPC)' }]);
  });

  it('reports the same problem once', () => {
    const error = { instancePath: '/name', schemaPath: '#/properties/name/pattern', keyword: 'pattern', params: { pattern: '^[a-z]$' }, message: 'must match pattern "^[a-z]$"' };

    const problems = schemaProblems([error, { ...error }]);

    expect(problems).toEqual([{ pointer: '/name', message: 'must match ^[a-z]$' }]);
  });

  it('keeps Ajv’s own message for keywords it has no sentence for', () => {
    const problems = schemaProblems([{ instancePath: '/managedNodeGroups/0/volumeSize', schemaPath: '#/definitions/ManagedNodeGroup/properties/volumeSize/minimum', keyword: 'minimum', params: { comparison: '>=', limit: 20 }, message: 'must be >= 20' }]);

    expect(problems).toEqual([{ pointer: '/managedNodeGroups/0/volumeSize', message: 'must be >= 20' }]);
  });
});

describe('normaliseSpec ownerAccess', () => {
  const owner = (request: Record<string, unknown>) => normaliseSpec({ name: 'demo', ...request }, SPEC_DEFAULTS).ownerAccess;
  const problems = (request: Record<string, unknown>) => {
    try {
      normaliseSpec({ name: 'demo', ...request }, SPEC_DEFAULTS);
    } catch (error) {
      return (error as InvalidSpecError).problems;
    }
    return [];
  };

  it('gives the owner cluster-admin by default', () => {
    expect(owner({})).toEqual({ policy: 'AmazonEKSClusterAdminPolicy', scope: 'cluster' });
  });

  it('takes "none", and a narrower policy with its scope defaulted to the cluster', () => {
    expect(owner({ ownerAccess: 'none' })).toBe('none');
    expect(owner({ ownerAccess: { policy: 'AmazonEKSViewPolicy' } })).toEqual({ policy: 'AmazonEKSViewPolicy', scope: 'cluster' });
    expect(owner({ ownerAccess: { policy: 'AmazonEKSEditPolicy', scope: 'namespace', namespaces: ['team-a'] } })).toEqual({ policy: 'AmazonEKSEditPolicy', scope: 'namespace', namespaces: ['team-a'] });
  });

  it('names what is wrong with it by pointer', () => {
    expect(problems({ ownerAccess: 'all' })).toEqual([{ pointer: '/ownerAccess', message: expect.stringContaining('must be "none" or an access policy') }]);
    expect(problems({ ownerAccess: { policy: 'AmazonEKSViewPolicy', scope: 'namespace' } })).toEqual([{ pointer: '/ownerAccess/namespaces', message: 'a namespace-scoped access policy needs at least one namespace' }]);
    expect(problems({ ownerAccess: { policy: 'View!' } })).toContainEqual({ pointer: '/ownerAccess/policy', message: expect.stringContaining('must match') });
  });

  it.each<[string, Record<string, unknown>]>([
    ['a narrower policy', { policy: 'AmazonEKSViewPolicy' }],
    ['cluster-admin in namespaces only', { policy: 'AmazonEKSClusterAdminPolicy', scope: 'namespace', namespaces: ['team-a'] }],
  ])('refuses %s in CONFIG_MAP mode, where aws-auth can only say system:masters', (_, ownerAccess) => {
    expect(problems({ authenticationMode: 'CONFIG_MAP', ownerAccess })).toEqual([{ pointer: '/ownerAccess', message: expect.stringContaining('CONFIG_MAP can give the owner only cluster-admin') }]);
  });

  it('takes cluster-admin (by name or ARN) and "none" in CONFIG_MAP mode', () => {
    expect(problems({ authenticationMode: 'CONFIG_MAP' })).toEqual([]);
    expect(problems({ authenticationMode: 'CONFIG_MAP', ownerAccess: { policy: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy' } })).toEqual([]);
    expect(problems({ authenticationMode: 'CONFIG_MAP', ownerAccess: 'none' })).toEqual([]);
  });
});

describe('a nodegroup’s updateConfig and releaseVersion', () => {
  const nodegroupProblems = (nodegroup: Record<string, unknown>) => {
    try {
      normaliseSpec({ name: 'demo', version: '1.32', managedNodeGroups: [{ name: 'ng-1', ...nodegroup }] }, SPEC_DEFAULTS);
      return [];
    } catch (error) {
      if (error instanceof InvalidSpecError) return error.problems.map((p) => p.pointer);
      throw error;
    }
  };

  it('takes either maxUnavailable or maxUnavailablePercentage, 1 to 100, and nothing else', () => {
    expect(nodegroupProblems({ updateConfig: { maxUnavailable: 3 } })).toEqual([]);
    expect(nodegroupProblems({ updateConfig: { maxUnavailablePercentage: 100 } })).toEqual([]);
    expect(nodegroupProblems({ updateConfig: { maxUnavailable: 1, maxUnavailablePercentage: 10 } })).toEqual(['/managedNodeGroups/0/updateConfig']);
    expect(nodegroupProblems({ updateConfig: {} })).toEqual(['/managedNodeGroups/0/updateConfig']);
    expect(nodegroupProblems({ updateConfig: { maxUnavailable: 0 } })).toEqual(['/managedNodeGroups/0/updateConfig/maxUnavailable']);
  });

  it('takes an Amazon Linux AMI release only of the cluster’s Kubernetes version; Bottlerocket has its own numbering', () => {
    expect(nodegroupProblems({ releaseVersion: '1.32.9-20251001' })).toEqual([]);
    expect(nodegroupProblems({ releaseVersion: '1.31.9-20251001' })).toEqual(['/managedNodeGroups/0/releaseVersion']);
    expect(nodegroupProblems({ releaseVersion: 'latest' })).toEqual(['/managedNodeGroups/0/releaseVersion']);
    expect(nodegroupProblems({ amiType: 'BOTTLEROCKET_x86_64', releaseVersion: '1.49.0-5d9ac849' })).toEqual([]);
  });

  it('leaves both out when the spec does (EKS’s defaults apply), so specs written before stay valid', () => {
    const ng = normaliseSpec({ name: 'demo', managedNodeGroups: [{ name: 'ng-1' }] }, SPEC_DEFAULTS).managedNodeGroups[0]!;
    expect(ng).not.toHaveProperty('updateConfig');
    expect(ng).not.toHaveProperty('releaseVersion');
  });
});

describe('EKS Auto Mode (autoMode)', () => {
  const problemsOf = (input: Record<string, unknown>) => {
    try {
      normaliseSpec(input, SPEC_DEFAULTS);
    } catch (error) {
      if (error instanceof InvalidSpecError) return error.problems;
      throw error;
    }
    return [];
  };

  it('defaults the built-in node pools, no nodegroup and of the default add-ons only metrics-server (eksctl with autoModeConfig)', () => {
    const spec = normaliseSpec({ name: 'demo', autoMode: { enabled: true } }, SPEC_DEFAULTS);
    expect(spec.autoMode).toEqual({ enabled: true, nodePools: ['general-purpose', 'system'] });
    expect(spec.managedNodeGroups).toEqual([]);
    expect(spec.addons).toEqual([{ name: 'metrics-server' }]);
    // And it normalises again unchanged (the Plan step re-checks the normalised spec).
    expect(normaliseSpec(spec, SPEC_DEFAULTS)).toEqual(spec);
  });

  it('keeps an empty node pool list (custom NodePools only) and explicit nodegroups and add-ons', () => {
    const spec = normaliseSpec({ name: 'demo', autoMode: { enabled: true, nodePools: [] }, managedNodeGroups: [{ name: 'extra' }], addons: [{ name: 'vpc-cni' }, { name: 'coredns' }] }, SPEC_DEFAULTS);
    expect(spec.autoMode?.nodePools).toEqual([]);
    expect(spec.managedNodeGroups.map((ng) => ng.name)).toEqual(['extra']);
    expect(spec.addons).toEqual([{ name: 'vpc-cni' }, { name: 'coredns' }]);
  });

  it('keeps eksctl’s usual defaults when Auto Mode is off', () => {
    const spec = normaliseSpec({ name: 'demo', autoMode: { enabled: false } }, SPEC_DEFAULTS);
    expect(spec.managedNodeGroups).toHaveLength(1);
    expect(spec.addons.map((a) => a.name)).toEqual(['vpc-cni', 'kube-proxy', 'coredns', 'metrics-server']);
  });

  it('refuses Auto Mode with authenticationMode CONFIG_MAP, naming the field and the rule', () => {
    expect(problemsOf({ name: 'demo', authenticationMode: 'CONFIG_MAP', autoMode: { enabled: true } })).toEqual([
      { pointer: '/autoMode/enabled', message: expect.stringMatching(/authenticationMode must be API or API_AND_CONFIG_MAP.*EKS rule/) },
    ]);
    expect(problemsOf({ name: 'demo', authenticationMode: 'API_AND_CONFIG_MAP', autoMode: { enabled: true } })).toEqual([]);
    expect(problemsOf({ name: 'demo', authenticationMode: 'CONFIG_MAP', autoMode: { enabled: false } })).toEqual([]);
  });

  it('refuses node pools other than the built-in ones', () => {
    expect(problemsOf({ name: 'demo', autoMode: { enabled: true, nodePools: ['gpu'] } })).toEqual([{ pointer: '/autoMode/nodePools/0', message: expect.stringContaining('general-purpose') }]);
  });
});

describe('nodegroups need the VPC CNI add-on', () => {
  const problemsOf = (input: Record<string, unknown>) => {
    try {
      normaliseSpec(input, SPEC_DEFAULTS);
    } catch (error) {
      if (error instanceof InvalidSpecError) return error.problems;
      throw error;
    }
    return [];
  };
  const cniProblem = { pointer: '/addons', message: expect.stringContaining('add {"name": "vpc-cni"} to addons') };

  it.each<[string, Record<string, unknown>]>([
    ['a managed nodegroup and no add-on', { managedNodeGroups: [{ name: 'ng-1' }], addons: [] }],
    ['the default nodegroup and add-ons without vpc-cni', { addons: [{ name: 'coredns' }, { name: 'kube-proxy' }] }],
    ['a self-managed nodegroup and no add-on', { selfManagedNodeGroups: [{ name: 'batch' }], addons: [] }],
    ['Auto Mode with a managed nodegroup and its default add-ons', { autoMode: { enabled: true }, managedNodeGroups: [{ name: 'extra' }] }],
  ])('refuses %s at /addons, saying what to add', (_, request) => {
    expect(problemsOf({ name: 'demo', ...request })).toEqual([cniProblem]);
  });

  it("says Auto Mode's networking does not reach a nodegroup's nodes", () => {
    const [problem] = problemsOf({ name: 'demo', autoMode: { enabled: true }, managedNodeGroups: [{ name: 'extra' }] });

    expect(problem?.message).toContain("Auto Mode's built-in networking serves only its own nodes");
  });

  it.each<[string, Record<string, unknown>]>([
    ['just a name (eksctl defaults)', {}],
    ['nodegroups with vpc-cni among other add-ons', { managedNodeGroups: [{ name: 'ng-1' }], selfManagedNodeGroups: [{ name: 'batch' }], addons: [{ name: 'coredns' }, { name: 'vpc-cni', version: 'v1.19.2-eksbuild.1' }] }],
    ['Auto Mode alone', { autoMode: { enabled: true } }],
    ['Auto Mode and no add-on', { autoMode: { enabled: true }, addons: [] }],
    ['Fargate only and no add-on', { fargate: true, addons: [] }],
    ['Fargate profiles and no add-on', { fargateProfiles: [{ name: 'fp-1', selectors: [{ namespace: 'apps' }] }], addons: [] }],
    ['no compute at all', { managedNodeGroups: [], addons: [] }],
  ])('accepts %s', (_, request) => {
    expect(problemsOf({ name: 'demo', ...request })).toEqual([]);
  });
});

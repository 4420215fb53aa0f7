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

    expect(spec.network).toEqual({ vpc: { cidr: '192.168.0.0/16', azCount: 2, natGateway: 'Single' } });
  });

  it('fills the fields a partial new-VPC network leaves out', () => {
    const spec = normaliseSpec({ name: 'demo', network: { vpc: { azCount: 3 } } }, SPEC_DEFAULTS);

    expect(spec.network).toEqual({ vpc: { cidr: '192.168.0.0/16', azCount: 3, natGateway: 'Single' } });
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

  it('defaults authentication to API_AND_CONFIG_MAP, failure handling to rollback and lists to empty', () => {
    const spec = normaliseSpec({ name: 'demo' }, SPEC_DEFAULTS);

    expect(spec).toMatchObject({
      authenticationMode: 'API_AND_CONFIG_MAP',
      onFailure: 'rollback',
      tags: {},
      accessEntries: [],
      identityMappings: [],
      managedNodeGroups: [],
      fargate: false,
      fargateProfiles: [],
      addons: [],
      logging: [],
    });
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

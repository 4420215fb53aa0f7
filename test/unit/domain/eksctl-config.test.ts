import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { looksLikeClusterConfig, pointBack, translateClusterConfig } from '../../../functions/domain/eksctl-config';
import { resolveGuardrails } from '../../../functions/domain/guardrails';
import { normaliseSpec } from '../../../functions/domain/spec';
import { InvalidSpecError } from '../../../functions/shared/errors';

const CONTEXT = { region: 'us-east-1' };
const config = (rest: Record<string, unknown> = {}) => ({ apiVersion: 'eksctl.io/v1alpha5', kind: 'ClusterConfig', metadata: { name: 'demo', region: 'us-east-1' }, ...rest });
const translate = (rest: Record<string, unknown> = {}) => translateClusterConfig(config(rest), CONTEXT);
const refusedAt = (rest: Record<string, unknown>) => translate(rest).refusals.map((r) => r.pointer);

describe('telling a ClusterConfig from a cluster spec', () => {
  it('reads a body with apiVersion or kind as a ClusterConfig, and ours as ours', () => {
    expect(looksLikeClusterConfig(config())).toBe(true);
    expect(looksLikeClusterConfig({ kind: 'ClusterConfig' })).toBe(true);
    expect(looksLikeClusterConfig({ name: 'demo' })).toBe(false);
    expect(looksLikeClusterConfig([config()])).toBe(false);
  });

  it('refuses another apiVersion or kind', () => {
    const { refusals } = translateClusterConfig({ ...config(), apiVersion: 'eksctl.io/v1alpha4', kind: 'NodeGroup' }, CONTEXT);
    expect(refusals).toEqual([
      { pointer: '/apiVersion', message: 'must be eksctl.io/v1alpha5' },
      { pointer: '/kind', message: 'must be ClusterConfig' },
    ]);
  });
});

describe('metadata', () => {
  it('maps name, version and tags', () => {
    const { spec, refusals } = translateClusterConfig({ ...config(), metadata: { name: 'demo', region: 'us-east-1', version: '1.33', tags: { team: 'a' } } }, CONTEXT);
    expect(refusals).toEqual([]);
    expect(spec).toMatchObject({ name: 'demo', version: '1.33', tags: { team: 'a' } });
  });

  it("refuses a region other than the service's, and a version YAML read as a number", () => {
    const { refusals } = translateClusterConfig({ ...config(), metadata: { name: 'demo', region: 'eu-west-1', version: 1.3, annotations: { a: 'b' } } }, CONTEXT);
    expect(refusals).toEqual([
      { pointer: '/metadata/region', message: 'this service makes clusters in us-east-1 only' },
      { pointer: '/metadata/version', message: expect.stringContaining('must be a string: quote it') },
      { pointer: '/metadata/annotations', message: 'annotations are not offered' },
    ]);
  });
});

describe('vpc', () => {
  it("makes a new VPC over eksctl's 3 zones with its NAT gateway and endpoint settings", () => {
    const { spec, refusals } = translate({ vpc: { cidr: '10.0.0.0/16', nat: { gateway: 'Disable' }, clusterEndpoints: { publicAccess: false, privateAccess: true }, publicAccessCIDRs: ['203.0.113.0/24'] } });
    expect(refusals).toEqual([]);
    expect(spec.network).toEqual({ vpc: { cidr: '10.0.0.0/16', natGateway: 'Disable', azCount: 3 } });
    expect(spec.endpointAccess).toEqual({ public: false, private: true, publicAccessCidrs: ['203.0.113.0/24'] });
  });

  it('takes existing subnets by id, private and public, in the order given', () => {
    const { spec, refusals } = translate({
      vpc: { subnets: { private: { 'us-east-1a': { id: 'subnet-0aaaaaaaa' }, 'us-east-1b': { id: 'subnet-0bbbbbbbb', az: 'us-east-1b' } }, public: { 'us-east-1a': { id: 'subnet-0cccccccc' } } } },
    });
    expect(refusals).toEqual([]);
    expect(spec.network).toEqual({ subnets: { private: ['subnet-0aaaaaaaa', 'subnet-0bbbbbbbb'], public: ['subnet-0cccccccc'] } });
  });

  it('refuses subnets by CIDR, a VPC id, and cidr or nat beside existing subnets', () => {
    expect(refusedAt({ vpc: { id: 'vpc-1', cidr: '10.0.0.0/16', nat: { gateway: 'Single' }, subnets: { private: { a: { id: 'subnet-0aaaaaaaa' }, b: { cidr: '10.0.1.0/24' } } } } })).toEqual([
      '/vpc/id',
      '/vpc/subnets/private/b/cidr',
      '/vpc/cidr',
      '/vpc/nat/gateway',
    ]);
  });

  it('turns privateCluster into no NAT gateway and a private-only endpoint', () => {
    const { spec, refusals } = translate({ privateCluster: { enabled: true }, fargateProfiles: [{ name: 'fp', selectors: [{ namespace: 'default' }] }] });
    expect(refusals).toEqual([]);
    expect(spec.network).toEqual({ vpc: { natGateway: 'Disable', azCount: 3 } });
    expect(spec.endpointAccess).toEqual({ public: false, private: true });
  });
});

describe('managedNodeGroups', () => {
  it("maps eksctl's names to the spec's: desiredCapacity, instanceType, spot, amiFamily by architecture", () => {
    const { spec, refusals } = translate({
      managedNodeGroups: [
        { name: 'arm', instanceType: 'm7g.large', desiredCapacity: 3, minSize: 1, maxSize: 5, spot: true, privateNetworking: true, releaseVersion: '', volumeEncrypted: true, efaEnabled: false },
        { name: 'gpu', instanceTypes: ['g5.xlarge'], taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }], ssh: { allow: true, publicKeyName: 'ops' } },
        { name: 'br', amiFamily: 'Bottlerocket', iam: { attachPolicyARNs: ['arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy', 'arn:aws:iam::111122223333:policy/extra'], withAddonPolicies: { externalDNS: true, ebs: false } } },
      ],
    });
    expect(refusals).toEqual([]);
    expect(spec.managedNodeGroups).toEqual([
      { name: 'arm', instanceTypes: ['m7g.large'], desiredSize: 3, minSize: 1, maxSize: 5, capacityType: 'SPOT', privateNetworking: true, amiType: 'AL2023_ARM_64_STANDARD' },
      { name: 'gpu', instanceTypes: ['g5.xlarge'], desiredSize: 2, minSize: 2, maxSize: 2, taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }], ssh: { publicKeyName: 'ops' }, amiType: 'AL2023_x86_64_NVIDIA', privateNetworking: false },
      { name: 'br', desiredSize: 2, minSize: 2, maxSize: 2, amiType: 'BOTTLEROCKET_x86_64', iam: { additionalPolicyArns: ['arn:aws:iam::111122223333:policy/extra'], externalDNS: true }, privateNetworking: false },
    ]);
  });

  it('names every field it cannot honour, with why, in the order of the document', () => {
    const { refusals } = translate({
      managedNodeGroups: [{ name: 'ng', instanceTypes: ['m7g.large', 'm6i.large'], efaEnabled: true, launchTemplate: { id: 'lt-1' }, tags: { a: 'b' }, ssh: { allow: true }, iam: { instanceRoleARN: 'arn:aws:iam::111122223333:role/r', withAddonPolicies: { autoScaler: true } }, disableIMDSv1: false, maxPodsPerNode: 50, bogus: 1 }],
    });
    expect(refusals.map((r) => r.pointer)).toEqual([
      '/managedNodeGroups/0/efaEnabled',
      '/managedNodeGroups/0/launchTemplate',
      '/managedNodeGroups/0/tags',
      '/managedNodeGroups/0/ssh/allow',
      '/managedNodeGroups/0/iam/instanceRoleARN',
      '/managedNodeGroups/0/iam/withAddonPolicies/autoScaler',
      '/managedNodeGroups/0/disableIMDSv1',
      '/managedNodeGroups/0/maxPodsPerNode',
      '/managedNodeGroups/0/bogus',
      '/managedNodeGroups/0/instanceTypes',
    ]);
    expect(refusals[0]!.message).toBe('Elastic Fabric Adapter is not offered');
    expect(refusals.at(-2)!.message).toMatch(/is not a field of eksctl.io\/v1alpha5 ClusterConfig/);
    expect(refusals.at(-1)!.message).toMatch(/mixes arm64 \(m7g.large\) and x86_64 instance types/);
  });

  it.each([
    [{ desiredCapacity: 5 }, { desiredSize: 5, minSize: 5, maxSize: 5 }],
    [{ minSize: 3 }, { desiredSize: 3, minSize: 3, maxSize: 3 }],
    [{ maxSize: 6 }, { desiredSize: 2, minSize: 2, maxSize: 6 }],
    [{ minSize: 0 }, { desiredSize: 0, minSize: 0, maxSize: 1 }],
    [{ desiredCapacity: 4, maxSize: 8 }, { desiredSize: 4, minSize: 4, maxSize: 8 }],
  ])("sizes a nodegroup that gives %j as eksctl does: %j", (given, sizes) => {
    expect((translate({ managedNodeGroups: [{ name: 'ng', ...given }] }).spec.managedNodeGroups as unknown[])[0]).toMatchObject(sizes);
    expect((translate({ nodeGroups: [{ name: 'ng', ...given }] }).spec.selfManagedNodeGroups as unknown[])[0]).toMatchObject(sizes);
  });

  it("gives nodes eksctl's default of public subnets when privateNetworking is not said", () => {
    expect((translate({ managedNodeGroups: [{ name: 'ng' }] }).spec.managedNodeGroups as Array<Record<string, unknown>>)[0]).toEqual({ name: 'ng', desiredSize: 2, minSize: 2, maxSize: 2, privateNetworking: false });
  });
});

describe('nodeGroups', () => {
  it('become selfManagedNodeGroups, instancesDistribution giving the instance types and the Spot mix', () => {
    const { spec, refusals } = translate({
      nodeGroups: [
        { name: 'plain', instanceType: 'c6i.xlarge', amiFamily: 'AmazonLinux2023', taints: { dedicated: 'batch:NoSchedule' }, ami: 'ami-0123456789abcdef0' },
        { name: 'spot', instanceType: 'mixed', instancesDistribution: { instanceTypes: ['c6i.xlarge', 'c5.xlarge'], onDemandPercentageAboveBaseCapacity: 0, spotAllocationStrategy: 'capacity-optimized', capacityRebalance: false } },
      ],
    });
    expect(refusals).toEqual([]);
    expect(spec.selfManagedNodeGroups).toEqual([
      { name: 'plain', instanceTypes: ['c6i.xlarge'], desiredSize: 2, minSize: 2, maxSize: 2, amiFamily: 'AmazonLinux2023', taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }], ami: 'ami-0123456789abcdef0', privateNetworking: false },
      { name: 'spot', instanceTypes: ['c6i.xlarge', 'c5.xlarge'], desiredSize: 2, minSize: 2, maxSize: 2, instancesDistribution: { onDemandPercentageAboveBaseCapacity: 0, spotAllocationStrategy: 'capacity-optimized' }, privateNetworking: false },
    ]);
  });

  it('refuses what self-managed nodes cannot do here: another OS, a Spot price cap, GPUs, bootstrap commands', () => {
    expect(refusedAt({ nodeGroups: [{ name: 'ng', amiFamily: 'Ubuntu2204', instanceType: 'p4d.24xlarge', preBootstrapCommands: ['echo'], instancesDistribution: { maxPrice: 0.2 } }] })).toEqual([
      '/nodeGroups/0/preBootstrapCommands',
      '/nodeGroups/0/instancesDistribution/maxPrice',
      '/nodeGroups/0/amiFamily',
      '/nodeGroups/0/instanceType',
    ]);
  });
});

describe('fargateProfiles, addons, logging, encryption, Auto Mode', () => {
  it('maps each', () => {
    const { spec, refusals } = translate({
      fargateProfiles: [{ name: 'fp', selectors: [{ namespace: 'jobs', labels: { a: 'b' } }], subnets: ['subnet-0aaaaaaaa'] }],
      addons: [{ name: 'coredns', version: '1.11.4-eksbuild.2' }, { name: 'aws-ebs-csi-driver', version: 'default' }],
      cloudWatch: { clusterLogging: { enableTypes: ['*'] } },
      secretsEncryption: { keyARN: 'arn:aws:kms:us-east-1:111122223333:key/abc' },
      autoModeConfig: { enabled: true, nodePools: ['general-purpose'] },
      upgradePolicy: { supportType: 'STANDARD' },
      zonalShiftConfig: { enabled: true },
    });
    expect(refusals).toEqual([]);
    expect(spec).toMatchObject({
      fargateProfiles: [{ name: 'fp', selectors: [{ namespace: 'jobs', labels: { a: 'b' } }], subnets: ['subnet-0aaaaaaaa'] }],
      // Auto Mode on: of eksctl's defaults only metrics-server, besides the two listed.
      addons: [{ name: 'metrics-server' }, { name: 'coredns', version: 'v1.11.4-eksbuild.2' }, { name: 'aws-ebs-csi-driver' }],
      logging: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
      secretsEncryption: { kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/abc' },
      autoMode: { enabled: true, nodePools: ['general-purpose'] },
      upgradePolicy: { supportType: 'STANDARD' },
      zonalShift: { enabled: true },
    });
  });

  it("installs eksctl's default add-ons besides those listed, a listed one in its default's place, unless disableDefaultAddons", () => {
    expect(translate({ addons: [{ name: 'aws-ebs-csi-driver' }, { name: 'coredns', configurationValues: '{}' }] }).spec.addons).toEqual([
      { name: 'vpc-cni' },
      { name: 'kube-proxy' },
      { name: 'coredns', configurationValues: '{}' },
      { name: 'metrics-server' },
      { name: 'aws-ebs-csi-driver' },
    ]);
    expect(translate({ addons: [{ name: 'coredns' }], addonsConfig: { disableDefaultAddons: true } }).spec.addons).toEqual([{ name: 'coredns' }]);
    expect(translate({ addonsConfig: { disableDefaultAddons: true } }).spec.addons).toEqual([]);
    expect('addons' in translate().spec).toBe(false);
  });

  it('refuses log retention, add-on roles, a Fargate role and an Auto Mode node role', () => {
    expect(
      refusedAt({
        cloudWatch: { clusterLogging: { enableTypes: ['api'], logRetentionInDays: 30 } },
        addons: [{ name: 'vpc-cni', serviceAccountRoleARN: 'arn:aws:iam::111122223333:role/cni', version: 'latest' }],
        fargateProfiles: [{ name: 'fp', selectors: [{ namespace: 'a' }], podExecutionRoleARN: 'arn:aws:iam::111122223333:role/x' }],
        autoModeConfig: { enabled: true, nodeRoleARN: 'arn:aws:iam::111122223333:role/n' },
      }),
    ).toEqual(['/cloudWatch/clusterLogging/logRetentionInDays', '/fargateProfiles/0/podExecutionRoleARN', '/autoModeConfig/nodeRoleARN', '/addons/0/serviceAccountRoleARN', '/addons/0/version']);
  });

  it('makes no default nodegroup when the ClusterConfig lists none, as eksctl with a config file', () => {
    expect(translate().spec.managedNodeGroups).toEqual([]);
    expect('managedNodeGroups' in translate({ fargateProfiles: [{ name: 'fp', selectors: [{ namespace: 'a' }] }] }).spec).toBe(false);
  });
});

describe('iam, accessConfig and iamIdentityMappings', () => {
  it("maps OIDC, Pod Identity, access entries, the creator's access and aws-auth mappings", () => {
    const { spec, refusals } = translate({
      iam: { withOIDC: true, vpcResourceControllerPolicy: true, podIdentityAssociations: [{ namespace: 'a', serviceAccountName: 'sa', roleARN: 'arn:aws:iam::111122223333:role/r', createServiceAccount: false }] },
      accessConfig: {
        authenticationMode: 'API',
        bootstrapClusterCreatorAdminPermissions: false,
        accessEntries: [{ principalARN: 'arn:aws:iam::111122223333:role/dev', kubernetesUsername: 'dev', kubernetesGroups: ['devs'], type: 'STANDARD', accessPolicies: [{ policyARN: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'cluster' } }] }],
      },
      iamIdentityMappings: [{ arn: 'arn:aws:iam::111122223333:role/ci', username: 'ci', groups: ['system:masters'], noDuplicateARNs: true }],
    });
    expect(refusals).toEqual([]);
    expect(spec).toMatchObject({
      iam: { withOIDC: true },
      podIdentityAssociations: [{ namespace: 'a', serviceAccountName: 'sa', roleArn: 'arn:aws:iam::111122223333:role/r' }],
      authenticationMode: 'API',
      ownerAccess: 'none',
      accessEntries: [{ principalArn: 'arn:aws:iam::111122223333:role/dev', username: 'dev', kubernetesGroups: ['devs'], type: 'STANDARD', accessPolicies: [{ policy: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', scope: 'cluster' }] }],
      identityMappings: [{ arn: 'arn:aws:iam::111122223333:role/ci', username: 'ci', groups: ['system:masters'] }],
    });
  });

  it('refuses a cluster role of your own, IRSA service accounts and account mappings', () => {
    expect(refusedAt({ iam: { serviceRoleARN: 'arn:aws:iam::111122223333:role/eks', serviceAccounts: [{}] }, iamIdentityMappings: [{ account: '111122223333' }] })).toEqual([
      '/iam/serviceRoleARN',
      '/iam/serviceAccounts',
      '/iamIdentityMappings/0/account',
    ]);
  });
});

describe('pointing problems of the translated spec back at the ClusterConfig', () => {
  const problemsOf = (rest: Record<string, unknown>) => {
    const translation = translate(rest);
    expect(translation.refusals).toEqual([]);
    try {
      normaliseSpec(translation.spec, resolveGuardrails({}).guardrails!);
    } catch (error) {
      if (error instanceof InvalidSpecError) return error.problems.map((p) => pointBack(p, translation.origins));
      throw error;
    }
    return [];
  };

  it('names the eksctl field a renamed value came from', () => {
    expect(problemsOf({ managedNodeGroups: [{ name: 'ng', privateNetworking: true, desiredCapacity: 'three' }] })).toEqual([{ pointer: '/managedNodeGroups/0/desiredCapacity', message: 'must be integer' }]);
    expect(problemsOf({ accessConfig: { accessEntries: [{ principalARN: 'nope' }] } })).toEqual([{ pointer: '/accessConfig/accessEntries/0/principalARN', message: expect.stringMatching(/^must match/) }]);
  });

  it('names the nearest ClusterConfig field for a rule about a value the spec added', () => {
    const problems = problemsOf({ managedNodeGroups: [{ name: 'ng', privateNetworking: true, minSize: 5, maxSize: 3 }] });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.pointer.startsWith('/managedNodeGroups/0'))).toBe(true);
  });

  it('follows the path below a value copied as it is', () => {
    expect(problemsOf({ metadata: { name: 'demo', tags: { 'aws:owner': 'x' } }, managedNodeGroups: [{ name: 'ng', privateNetworking: true, taints: [{ key: 'k', effect: 'Sometimes' }] }] })).toEqual(
      expect.arrayContaining([
        { pointer: '/metadata/tags', message: 'has an invalid key "aws:owner"' },
        { pointer: '/managedNodeGroups/0/taints/0/effect', message: 'must be one of "NoSchedule", "NoExecute", "PreferNoSchedule"' },
      ]),
    );
  });

  it('points a nodegroup without the VPC CNI at the flag that left out eksctl\'s default add-ons, or at addons', () => {
    const nodegroups = { managedNodeGroups: [{ name: 'ng', privateNetworking: true }] };
    const cniProblem = (pointer: string) => [{ pointer, message: expect.stringContaining('add {"name": "vpc-cni"} to addons') }];

    expect(problemsOf({ ...nodegroups, addonsConfig: { disableDefaultAddons: true } })).toEqual(cniProblem('/addonsConfig/disableDefaultAddons'));
    expect(problemsOf({ ...nodegroups, addons: [{ name: 'coredns' }], addonsConfig: { disableDefaultAddons: true } })).toEqual(cniProblem('/addonsConfig/disableDefaultAddons'));
    expect(problemsOf({ ...nodegroups, autoModeConfig: { enabled: true } })).toEqual(cniProblem('/addons'));
    expect(problemsOf({ ...nodegroups, addons: [{ name: 'vpc-cni' }], addonsConfig: { disableDefaultAddons: true } })).toEqual([]);
    expect(problemsOf(nodegroups)).toEqual([]);
    expect(problemsOf({ ...nodegroups, addons: [{ name: 'coredns' }] })).toEqual([]);
  });

  it("says which translated field a problem is about when nothing in the ClusterConfig made it", () => {
    expect(pointBack({ pointer: '/ownerAccess', message: 'is wrong' }, new Map())).toEqual({ pointer: '', message: "the translated spec's /ownerAccess is wrong" });
  });
});

describe('values of the wrong shape', () => {
  const SECTIONS = ['metadata', 'vpc', 'privateCluster', 'managedNodeGroups', 'nodeGroups', 'fargateProfiles', 'iam', 'accessConfig', 'iamIdentityMappings', 'addons', 'addonsConfig', 'cloudWatch', 'secretsEncryption', 'autoModeConfig', 'upgradePolicy', 'zonalShiftConfig', 'kubernetesNetworkConfig'];
  const SHAPES: unknown[] = [5, 'text', true, [], {}, [5], ['text'], [{ bogus: 1 }], { bogus: [1] }];

  it.each(SECTIONS)('in %s are refused or left to the validation, never thrown', (section) => {
    for (const shape of SHAPES) {
      const translation = translate({ [section]: shape });
      const nested = translate({ managedNodeGroups: [{ name: 'ng', [section]: shape }], nodeGroups: [{ name: 'sm', ssh: shape, iam: shape, taints: shape, instancesDistribution: shape }] });
      expect(Array.isArray(translation.refusals) && Array.isArray(nested.refusals)).toBe(true);
      // An empty list or mapping asks for nothing; anything else there is refused somewhere.
      const empty = (Array.isArray(shape) && shape.length === 0) || (typeof shape === 'object' && shape !== null && Object.keys(shape).length === 0);
      if (!empty) expect(nested.refusals.length).toBeGreaterThan(0);
    }
  });

  it("points a missing name at metadata.name", () => {
    const translation = translateClusterConfig({ apiVersion: 'eksctl.io/v1alpha5', kind: 'ClusterConfig' }, CONTEXT);
    expect(pointBack({ pointer: '/name', message: 'is required' }, translation.origins)).toEqual({ pointer: '/metadata/name', message: 'is required' });
  });
});

describe('examples/eksctl-cluster.yaml', () => {
  it('translates with no refusal into a spec that validates', () => {
    const example = parse(readFileSync(join(__dirname, '..', '..', '..', 'examples', 'eksctl-cluster.yaml'), 'utf8')) as Record<string, unknown>;
    const translation = translateClusterConfig(example, CONTEXT);
    expect(translation.refusals).toEqual([]);
    const spec = normaliseSpec(translation.spec, resolveGuardrails({}).guardrails!);
    expect(spec.managedNodeGroups.map((ng) => ng.name)).toEqual(['general']);
    expect(spec.selfManagedNodeGroups.map((ng) => ng.name)).toEqual(['batch', 'batch-spot']);
    expect(spec.fargateProfiles.map((p) => p.name)).toEqual(['fp-jobs']);
  });

  it('translates the same way every time', () => {
    const example = parse(readFileSync(join(__dirname, '..', '..', '..', 'examples', 'eksctl-cluster.yaml'), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(translateClusterConfig(example, CONTEXT).spec)).toBe(JSON.stringify(translateClusterConfig(structuredClone(example), CONTEXT).spec));
  });
});

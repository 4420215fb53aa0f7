import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { provisioningSteps, subnetAzProblems } from '../../../functions/domain/plan';
import { normaliseSpec } from '../../../functions/domain/spec';

const SPEC_DEFAULTS = { kubernetesVersions: ['1.32', '1.33'], defaultKubernetesVersion: '1.33' };
const spec = (request: Record<string, unknown>) => normaliseSpec({ name: 'demo', ...request }, SPEC_DEFAULTS);
const referenceSpec = (): Record<string, unknown> => JSON.parse(readFileSync(join(__dirname, '../../fixtures/reference-cluster.json'), 'utf8'));
const MAPPING = { arn: 'arn:aws:iam::111122223333:role/ops', groups: ['ops'] };
/** API Gateway's identity for a portal's session: the owner is its role. */
const REQUESTER = 'arn:aws:sts::111122223333:assumed-role/platform-portal/session-1';
const OWNER = 'arn:aws:iam::111122223333:role/platform-portal';
const steps = (request: Record<string, unknown>) => provisioningSteps(spec(request), REQUESTER);

describe('provisioningSteps', () => {
  it('lists every step of the reference cluster in order; the stack makes the cluster with its final endpoint access, so no switch follows', () => {
    const planned = provisioningSteps(normaliseSpec(referenceSpec(), SPEC_DEFAULTS), REQUESTER);

    expect(planned).toEqual([
      'Create cluster stack eksp-reference-cluster (Kubernetes 1.33, endpoint public (203.0.113.0/24) + private)',
      'Create nodegroup ng-general (m5.large ON_DEMAND, 2/2/2)',
      'Create nodegroup ng-spot (t3.medium SPOT, 1/1/3)',
      'Create Fargate profile fp-default (default, kube-system)',
      'Create add-on vpc-cni',
      'Create add-on coredns',
      'Create add-on kube-proxy',
      'Create access entry arn:aws:iam::111122223333:role/cluster-admin',
      'Create access entry arn:aws:iam::111122223333:user/viewer',
      'Create access entry arn:aws:iam::111122223333:role/deployer',
      'Map arn:aws:iam::111122223333:role/legacy-ops in aws-auth',
      `Create access entry ${OWNER} for the owner (AmazonEKSClusterAdminPolicy, cluster-wide)`,
    ]);
  });

  it("plans eksctl's defaults for a spec with just a name: one nodegroup, the default add-ons and the owner's access", () => {
    expect(steps({})).toEqual([
      'Create cluster stack eksp-demo-cluster (Kubernetes 1.33, endpoint public (0.0.0.0/0))',
      'Create nodegroup ng-2a97516c (m5.large ON_DEMAND, 2/2/2)',
      'Create add-on vpc-cni',
      'Create add-on kube-proxy',
      'Create add-on coredns',
      'Create add-on metrics-server',
      `Create access entry ${OWNER} for the owner (AmazonEKSClusterAdminPolicy, cluster-wide)`,
    ]);
  });

  it('plans only the cluster stack when the spec asks for no nodegroup, add-on or owner access', () => {
    expect(steps({ managedNodeGroups: [], addons: [], ownerAccess: 'none' })).toEqual(['Create cluster stack eksp-demo-cluster (Kubernetes 1.33, endpoint public (0.0.0.0/0))']);
  });

  it("plans each self-managed nodegroup's stack with its capacity and AMI, and how its role is admitted", () => {
    const selfManaged = [
      { name: 'batch', instanceTypes: ['t3.large'], minSize: 1, desiredSize: 1, maxSize: 2, ami: 'ami-0123456789abcdef0' },
      { name: 'spot', instanceTypes: ['m5.large', 'm5a.large'], spot: true },
      { name: 'mixed', instancesDistribution: { onDemandBaseCapacity: 1, onDemandPercentageAboveBaseCapacity: 50 } },
    ];

    expect(steps({ selfManagedNodeGroups: selfManaged, addons: [{ name: 'vpc-cni' }], ownerAccess: 'none' }).slice(1, -1)).toEqual([
      'Create self-managed nodegroup batch: stack eksp-demo-nodegroup-batch (t3.large ON_DEMAND, 1/1/2, ami-0123456789abcdef0), its node role admitted as EC2_LINUX',
      'Create self-managed nodegroup spot: stack eksp-demo-nodegroup-spot (m5.large, m5a.large SPOT, 2/2/2, EKS optimized AL2023 AMI), its node role admitted as EC2_LINUX',
      'Create self-managed nodegroup mixed: stack eksp-demo-nodegroup-mixed (m5.large 1 ON_DEMAND + 50% ON_DEMAND above, the rest SPOT capacity-optimized, 2/2/2, EKS optimized AL2023 AMI), its node role admitted as EC2_LINUX',
    ]);
    expect(steps({ authenticationMode: 'CONFIG_MAP', selfManagedNodeGroups: [{ name: 'batch' }], addons: [{ name: 'vpc-cni' }], ownerAccess: 'none' })[1]).toMatch(/its node role admitted in aws-auth$/);
  });

  it('shows the add-on version when one is pinned', () => {
    const planned = steps({ version: '1.32', managedNodeGroups: [], ownerAccess: 'none', addons: [{ name: 'coredns', version: 'v1.11.4-eksbuild.2' }] });

    expect(planned).toEqual(['Create cluster stack eksp-demo-cluster (Kubernetes 1.32, endpoint public (0.0.0.0/0))', 'Create add-on coredns v1.11.4-eksbuild.2']);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a narrower policy', { ownerAccess: { policy: 'AmazonEKSViewPolicy', scope: 'namespace', namespaces: ['team-a'] } }, `Create access entry ${OWNER} for the owner (AmazonEKSViewPolicy in team-a)`],
    ['CONFIG_MAP mode', { authenticationMode: 'CONFIG_MAP' }, `Map ${OWNER} in aws-auth for the owner (system:masters)`],
  ])("plans the owner's access for %s", (_, request, expected) => {
    expect(steps(request).filter((s) => s.includes('for the owner'))).toEqual([expected]);
  });

  it('leaves the owner to an access entry the spec gives its principal', () => {
    const planned = steps({ accessEntries: [{ principalArn: OWNER, accessPolicies: [{ policy: 'AmazonEKSEditPolicy' }] }] });

    expect(planned.filter((s) => s.includes(OWNER))).toEqual([`Create access entry ${OWNER}`]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a private-only endpoint with aws-auth mappings (written from inside the VPC)', { endpointAccess: { public: false, private: true }, identityMappings: [MAPPING] }, 'endpoint private'],
    ['restricted CIDRs with private access', { endpointAccess: { publicAccessCidrs: ['203.0.113.0/24', '198.51.100.0/24'], private: true }, identityMappings: [MAPPING] }, 'endpoint public (203.0.113.0/24, 198.51.100.0/24) + private'],
    ["a public-only endpoint restricted to CIDRs, which also admits the VPC's NAT addresses", { endpointAccess: { public: true, private: false, publicAccessCidrs: ['203.0.113.0/24'] } }, 'endpoint public (203.0.113.0/24 + the NAT addresses)'],
    ["a private-only endpoint in CONFIG_MAP mode (the owner's aws-auth mapping)", { authenticationMode: 'CONFIG_MAP', endpointAccess: { public: false, private: true } }, 'endpoint private'],
  ])('creates the cluster with its final endpoint access and plans no switch: %s', (_, request, expected) => {
    const planned = steps(request);

    expect(planned[0]).toBe(`Create cluster stack eksp-demo-cluster (Kubernetes 1.33, ${expected})`);
    expect(planned.filter((s) => /endpoint access/i.test(s))).toEqual([]);
  });

  it('names the VPC endpoints a fully private cluster (no NAT gateway, private-only endpoint) gets in the stack step', () => {
    const planned = steps({ network: { vpc: { natGateway: 'Disable' } }, endpointAccess: { public: false, private: true }, fargate: true });

    expect(planned[0]).toBe(
      'Create cluster stack eksp-demo-cluster (Kubernetes 1.33, endpoint private, VPC endpoints for ec2, ecr.api, ecr.dkr, sts, logs, elasticloadbalancing, autoscaling, eks, eks-auth, ssm, ssmmessages, ec2messages and s3 (gateway))',
    );
  });

  it.each<[string, Record<string, unknown>]>([
    ['a private-only endpoint with a NAT gateway', { endpointAccess: { public: false, private: true } }],
    ['no NAT gateway and a public endpoint too (public nodes)', { network: { vpc: { natGateway: 'Disable' } }, endpointAccess: { public: true, private: true }, managedNodeGroups: [{ name: 'ng', privateNetworking: false }] }],
  ])('names no VPC endpoints for %s', (_, request) => {
    expect(steps(request)[0]).not.toContain('VPC endpoints');
  });
});

describe('subnetAzProblems', () => {
  const subnet = (subnetId: string, availabilityZone: string, vpcId = 'vpc-0123456789abcdef0') => ({ subnetId, vpcId, availabilityZone });

  it('finds nothing wrong with private subnets in two AZs of one VPC', () => {
    const subnets = [subnet('subnet-a1', 'us-east-1a'), subnet('subnet-b1', 'us-east-1b'), subnet('subnet-pub', 'us-east-1a')];

    expect(subnetAzProblems(subnets, ['subnet-a1', 'subnet-b1'])).toEqual([]);
  });

  it('names the subnet that shares an AZ with the first', () => {
    const subnets = [subnet('subnet-a1', 'us-east-1a'), subnet('subnet-a2', 'us-east-1a')];

    expect(subnetAzProblems(subnets, ['subnet-a1', 'subnet-a2'])).toEqual(['subnet-a2 is in the same AZ as subnet-a1 (us-east-1a); EKS needs private subnets in at least two AZs']);
  });

  it('names every subnet that shares the AZ', () => {
    const subnets = [subnet('subnet-a1', 'us-east-1a'), subnet('subnet-a2', 'us-east-1a'), subnet('subnet-a3', 'us-east-1a')];

    expect(subnetAzProblems(subnets, ['subnet-a1', 'subnet-a2', 'subnet-a3'])).toEqual(['subnet-a2, subnet-a3 are in the same AZ as subnet-a1 (us-east-1a); EKS needs private subnets in at least two AZs']);
  });

  it('counts only private subnets towards the two AZs', () => {
    const subnets = [subnet('subnet-a1', 'us-east-1a'), subnet('subnet-a2', 'us-east-1a'), subnet('subnet-pub', 'us-east-1b')];

    expect(subnetAzProblems(subnets, ['subnet-a1', 'subnet-a2'])).toHaveLength(1);
  });

  it('names the VPCs when the subnets span more than one', () => {
    const subnets = [subnet('subnet-a1', 'us-east-1a', 'vpc-0aaaaaaaaaaaaaaa1'), subnet('subnet-b1', 'us-east-1b', 'vpc-0bbbbbbbbbbbbbbb2')];

    expect(subnetAzProblems(subnets, ['subnet-a1', 'subnet-b1'])).toEqual(['subnets belong to different VPCs (vpc-0aaaaaaaaaaaaaaa1, vpc-0bbbbbbbbbbbbbbb2); all must be in one VPC']);
  });

  it('reports both problems at once', () => {
    const subnets = [subnet('subnet-a1', 'us-east-1a', 'vpc-0aaaaaaaaaaaaaaa1'), subnet('subnet-a2', 'us-east-1a', 'vpc-0bbbbbbbbbbbbbbb2')];

    expect(subnetAzProblems(subnets, ['subnet-a1', 'subnet-a2'])).toHaveLength(2);
  });
});

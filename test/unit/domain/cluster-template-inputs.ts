/** Inputs for the cluster template's tests: real specs through normaliseSpec, so defaults are the service's. */
import { renderAutoModeTemplate, renderFargateTemplate, renderNodegroupTemplate, renderOidcTemplate, renderPodIdentityTemplate, type CloudFormationTemplate, type ClusterTemplateInput } from '../../../functions/domain/cluster-template';
import { autoModeStackName, clusterStackName, fargateStackName, nodegroupStackName, oidcStackName, ownershipTags } from '../../../functions/domain/naming';
import { podIdentityStackName } from '../../../functions/domain/pod-identity';
import { renderSelfManagedNodegroupTemplate } from '../../../functions/domain/self-managed-nodegroup-template';
import { normaliseSpec } from '../../../functions/domain/spec';
import { KUBE_AGENT_CODE, PERMISSIONS_BOUNDARY_ARN, POD_ROLE_BOUNDARY_ARN } from '../../support/fake-aws';

export const SPEC_DEFAULTS = { kubernetesVersions: ['1.31', '1.32', '1.33'], defaultKubernetesVersion: '1.33' };

export const EXISTING_VPC_ID = 'vpc-0123456789abcdef0';
export const EXISTING_PRIVATE_SUBNETS = ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'];
export const EXISTING_PUBLIC_SUBNETS = ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'];

/** A template input for a request body, as the plan step would build it. */
export function clusterTemplateInput(request: Record<string, unknown>, overrides: Partial<ClusterTemplateInput> = {}): ClusterTemplateInput {
  const spec = normaliseSpec({ name: 'demo', ...request }, SPEC_DEFAULTS);
  return {
    spec,
    stackName: clusterStackName(spec.name),
    tags: ownershipTags(spec.tags, { clusterName: spec.name, owner: 'arn:aws:iam::111122223333:role/platform', operationId: 'op-0001' }),
    kubeAgentCode: KUBE_AGENT_CODE,
    permissionsBoundaryArn: PERMISSIONS_BOUNDARY_ARN,
    podRoleBoundaryArn: POD_ROLE_BOUNDARY_ARN,
    ...(spec.network.subnets ? { existingVpcId: EXISTING_VPC_ID } : {}),
    ...overrides,
  };
}

/** Specs covering each branch of the template, for the whole-template checks (resource spec, cfn-lint). */
export const TEMPLATE_VARIANTS: Array<[string, ClusterTemplateInput]> = [
  ['new VPC with the defaults (2 AZs, one NAT gateway)', clusterTemplateInput({})],
  [
    'new VPC in 3 AZs with a NAT gateway per AZ and every option on',
    clusterTemplateInput({
      name: 'everything',
      tags: { team: 'platform', 'cost-center': '1234' },
      network: { vpc: { cidr: '10.20.0.0/16', azCount: 3, natGateway: 'HighlyAvailable' } },
      authenticationMode: 'API',
      logging: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
      secretsEncryption: { kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
      fargate: true,
      fargateProfiles: [{ name: 'batch', selectors: [{ namespace: 'batch' }] }],
      managedNodeGroups: [
        { name: 'general' },
        { name: 'ingress-dns', iam: { externalDNS: true } },
        { name: 'gpu_workers', iam: { additionalPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'] } },
      ],
      endpointAccess: { public: true, private: true, publicAccessCidrs: ['203.0.113.0/24'] },
      upgradePolicy: { supportType: 'STANDARD' },
      zonalShift: { enabled: true },
      deletionProtection: true,
    }),
  ],
  ['new /24 VPC without NAT gateways (public nodes only)', clusterTemplateInput({ network: { vpc: { cidr: '10.0.0.0/24', natGateway: 'Disable' } }, managedNodeGroups: [{ name: 'public', privateNetworking: false }] })],
  [
    'new VPC with a public-only endpoint restricted to CIDRs (NAT addresses added)',
    clusterTemplateInput({ network: { vpc: { natGateway: 'HighlyAvailable' } }, endpointAccess: { public: true, private: false, publicAccessCidrs: ['198.51.100.0/24'] } }),
  ],
  [
    'new VPC without NAT gateways and a private-only endpoint (fully private: VPC endpoints for private nodes and Fargate)',
    clusterTemplateInput({ network: { vpc: { natGateway: 'Disable', azCount: 3 } }, endpointAccess: { public: false, private: true }, managedNodeGroups: [{ name: 'private' }], fargate: true }),
  ],
  [
    'new VPC with a NAT gateway and VPC endpoints asked for (traffic to AWS kept in the VPC)',
    clusterTemplateInput({ network: { vpc: { endpoints: true } }, endpointAccess: { public: true, private: true }, managedNodeGroups: [{ name: 'private' }] }),
  ],
  ['existing VPC with public and private subnets', clusterTemplateInput({ network: { subnets: { private: EXISTING_PRIVATE_SUBNETS, public: EXISTING_PUBLIC_SUBNETS } } })],
  [
    'workload identities: Pod Identity roles the service makes, one association bringing its own role, and an IAM OIDC provider',
    clusterTemplateInput({
      iam: { withOIDC: true },
      podIdentityAssociations: [
        { namespace: 'payments', serviceAccountName: 'api', permissionPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess', 'arn:aws:iam::111122223333:policy/payments-queue'] },
        { namespace: 'kube-system', serviceAccountName: 'ebs-csi-controller-sa', permissionPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy'] },
        { namespace: 'ops', serviceAccountName: 'reporter', roleArn: 'arn:aws:iam::111122223333:role/reporter' },
      ],
    }),
  ],
  [
    'existing VPC with private subnets only and a private endpoint',
    clusterTemplateInput({ network: { subnets: { private: EXISTING_PRIVATE_SUBNETS } }, endpointAccess: { public: false, private: true } }),
  ],
  ['EKS Auto Mode with both built-in node pools and no nodegroup', clusterTemplateInput({ name: 'auto', authenticationMode: 'API', autoMode: { enabled: true } })],
];

/** A nodegroup added to cluster "demo" after provisioning, as update-cluster renders its stack. */
export function nodegroupTemplateFor(nodegroup: Record<string, unknown>): CloudFormationTemplate {
  const spec = normaliseSpec({ name: 'demo', network: { vpc: {} }, managedNodeGroups: [nodegroup] }, SPEC_DEFAULTS);
  const added = spec.managedNodeGroups[0]!;
  const tags = ownershipTags({ team: 'platform' }, { clusterName: 'demo', owner: 'arn:aws:iam::111122223333:role/platform', operationId: 'op-0002' });
  return renderNodegroupTemplate({ clusterName: 'demo', nodegroup: added, stackName: nodegroupStackName('demo', added.name), tags, permissionsBoundaryArn: PERMISSIONS_BOUNDARY_ARN });
}

/** A self-managed nodegroup of cluster "demo", as Create Self-managed Nodegroup renders its stack. */
export function selfManagedTemplateFor(nodegroup: Record<string, unknown>, network: Record<string, unknown> = { vpc: {} }): CloudFormationTemplate {
  const spec = normaliseSpec({ name: 'demo', network, managedNodeGroups: [], selfManagedNodeGroups: [nodegroup] }, SPEC_DEFAULTS);
  const added = spec.selfManagedNodeGroups[0]!;
  const tags = ownershipTags({ team: 'platform' }, { clusterName: 'demo', owner: 'arn:aws:iam::111122223333:role/platform', operationId: 'op-0004' });
  return renderSelfManagedNodegroupTemplate({
    nodegroup: added,
    stackName: nodegroupStackName('demo', added.name),
    cluster: { name: 'demo', apiServerEndpoint: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-east-1.eks.amazonaws.com', certificateAuthority: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t', cidr: '10.100.0.0/16' },
    imageId: 'ami-0123456789abcdef0',
    tags,
    permissionsBoundaryArn: PERMISSIONS_BOUNDARY_ARN,
  });
}

/** The stacks update-cluster (or, for self-managed nodegroups, provisioning) adds to a running cluster, for the same whole-template checks. */
export const ADDED_STACK_TEMPLATES: Array<[string, CloudFormationTemplate]> = [
  ['nodegroup stack with the defaults', nodegroupTemplateFor({ name: 'ng-added' })],
  [
    'nodegroup stack with every option (own IAM extras, SSH, Bottlerocket, an underscore in the name)',
    nodegroupTemplateFor({
      name: 'gpu_workers',
      amiType: 'BOTTLEROCKET_x86_64',
      volumeType: 'gp2',
      volumeSize: 200,
      iam: { externalDNS: true, additionalPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'] },
      ssh: { publicKeyName: 'ops-key', sourceSecurityGroupIds: ['sg-0123456789abcdef0'] },
    }),
  ],
  [
    'Pod Identity role stack (a dotted service account name)',
    renderPodIdentityTemplate({
      clusterName: 'demo',
      association: { namespace: 'payments', serviceAccountName: 'api.v2', permissionPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'] },
      stackName: podIdentityStackName('demo', { namespace: 'payments', serviceAccountName: 'api.v2' }),
      tags: ownershipTags(undefined, { clusterName: 'demo', owner: 'arn:aws:iam::111122223333:role/platform', operationId: 'op-0004' }),
      permissionsBoundaryArn: PERMISSIONS_BOUNDARY_ARN,
      podRoleBoundaryArn: POD_ROLE_BOUNDARY_ARN,
    }),
  ],
  ['self-managed nodegroup stack with the defaults (one type, On-Demand, private subnets)', selfManagedTemplateFor({ name: 'self' })],
  [
    'self-managed nodegroup stack with Spot over several types, SSH, IAM extras, labels and taints',
    selfManagedTemplateFor({
      name: 'spot_workers',
      instanceTypes: ['m5.large', 'm5a.large'],
      spot: true,
      volumeType: 'io1',
      volumeSize: 100,
      labels: { role: 'batch' },
      taints: [{ key: 'spot', value: 'true', effect: 'NoSchedule' }],
      iam: { externalDNS: true, additionalPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'] },
      ssh: { publicKeyName: 'ops-key', sourceSecurityGroupIds: ['sg-0123456789abcdef0'] },
    }),
  ],
  [
    'self-managed nodegroup stack with an instancesDistribution in chosen public subnets of an existing VPC',
    selfManagedTemplateFor(
      { name: 'mixed', instanceTypes: ['c5.large', 'c5a.large'], instancesDistribution: { onDemandBaseCapacity: 1, onDemandPercentageAboveBaseCapacity: 25, spotAllocationStrategy: 'price-capacity-optimized' }, privateNetworking: false, subnets: [EXISTING_PUBLIC_SUBNETS[0]] },
      { subnets: { private: EXISTING_PRIVATE_SUBNETS, public: EXISTING_PUBLIC_SUBNETS } },
    ),
  ],
  ['Fargate stack', renderFargateTemplate({ clusterName: 'demo', stackName: fargateStackName('demo'), tags: ownershipTags(undefined, { clusterName: 'demo', owner: 'arn:aws:iam::111122223333:role/platform', operationId: 'op-0003' }), permissionsBoundaryArn: PERMISSIONS_BOUNDARY_ARN })],
  ['Auto Mode stack', renderAutoModeTemplate({ clusterName: 'demo', stackName: autoModeStackName('demo'), tags: ownershipTags(undefined, { clusterName: 'demo', owner: 'arn:aws:iam::111122223333:role/platform', operationId: 'op-0004' }), permissionsBoundaryArn: PERMISSIONS_BOUNDARY_ARN })],
  [
    'OIDC stack',
    renderOidcTemplate({
      clusterName: 'demo',
      stackName: oidcStackName('demo'),
      issuerUrl: 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
      tags: ownershipTags(undefined, { clusterName: 'demo', owner: 'arn:aws:iam::111122223333:role/platform', operationId: 'op-0005' }),
      permissionsBoundaryArn: PERMISSIONS_BOUNDARY_ARN,
    }),
  ],
];

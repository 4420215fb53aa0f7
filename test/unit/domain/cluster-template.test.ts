import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AUTO_MODE_CLUSTER_POLICIES,
  AUTO_MODE_NODE_POLICIES,
  AUTO_MODE_NODE_ROLE,
  AUTO_MODE_NODE_ROLE_OUTPUT,
  renderAutoModeTemplate,
  TEMPLATE_MANAGED_POLICIES,
  withAutoModeClusterPolicies,
  type CloudFormationResource,
  type CloudFormationTemplate,
  nodeRoleOutputName,
  launchTemplateOutputName,
  NODEGROUP_STACK_OUTPUTS,
  renderClusterTemplate,
  renderFargateTemplate,
  POD_ROLE_PATH,
  ROLE_PATH,
} from '../../../functions/domain/cluster-template';
import { TAG_CLUSTER } from '../../../functions/domain/naming';
import { InvalidStepInputError } from '../../../functions/shared/errors';
import { KUBE_AGENT_CODE, PERMISSIONS_BOUNDARY_ARN, POD_ROLE_BOUNDARY_ARN } from '../../support/fake-aws';
import { ADDED_STACK_TEMPLATES, clusterTemplateInput, EXISTING_PRIVATE_SUBNETS, EXISTING_PUBLIC_SUBNETS, EXISTING_VPC_ID, nodegroupTemplateFor, TEMPLATE_VARIANTS } from './cluster-template-inputs';

const render = (request: Record<string, unknown>, overrides = {}) => renderClusterTemplate(clusterTemplateInput(request, overrides));

function ofType(template: CloudFormationTemplate, type: string): Array<[string, CloudFormationResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** Template values are JSON; assertions reach deep into them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function resource(template: CloudFormationTemplate, logicalId: string): CloudFormationResource & { Properties: Record<string, Json> } {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`no resource ${logicalId}; have ${Object.keys(template.Resources).join(', ')}`);
  return found as CloudFormationResource & { Properties: Record<string, Json> };
}

type TagList = Array<{ Key: string; Value: string }>;
/** A resource's own tags: `Tags`, or for launch templates the `launch-template` tag specification. */
const tagMap = (r: CloudFormationResource) => {
  const specs = r.Properties?.TagSpecifications as Array<{ ResourceType: string; Tags: TagList }> | undefined;
  const tags = (r.Properties?.Tags as TagList | undefined) ?? specs?.find((s) => s.ResourceType === 'launch-template')?.Tags ?? [];
  return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
};
const subnetRefs = (ids: string[]) => ids.map((id) => ({ Ref: id }));
const VPC_TYPES = ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::InternetGateway', 'AWS::EC2::VPCGatewayAttachment', 'AWS::EC2::RouteTable', 'AWS::EC2::Route', 'AWS::EC2::NatGateway', 'AWS::EC2::EIP'];

describe('renderClusterTemplate', () => {
  describe('a new VPC', () => {
    it.each([2, 3])('has a public and a private subnet in each of %i availability zones', (azCount) => {
      const template = render({ network: { vpc: { azCount } } });

      const subnets = ofType(template, 'AWS::EC2::Subnet').map(([id]) => id);
      expect(subnets.sort()).toEqual([...Array.from({ length: azCount }, (_, i) => `SubnetPrivate${i + 1}`), ...Array.from({ length: azCount }, (_, i) => `SubnetPublic${i + 1}`)]);
      for (let i = 1; i <= azCount; i++) {
        const zone = { 'Fn::Select': [i - 1, { 'Fn::GetAZs': '' }] };
        expect(resource(template, `SubnetPublic${i}`).Properties.AvailabilityZone).toEqual(zone);
        expect(resource(template, `SubnetPrivate${i}`).Properties.AvailabilityZone).toEqual(zone);
      }
    });

    it('gives every subnet its own block of the VPC CIDR, publics first (like eksctl)', () => {
      const template = render({ network: { vpc: { azCount: 3 } } });

      const blocks = ['SubnetPublic1', 'SubnetPublic2', 'SubnetPublic3', 'SubnetPrivate1', 'SubnetPrivate2', 'SubnetPrivate3'].map((id) => resource(template, id).Properties.CidrBlock);
      expect(blocks.map((b) => b['Fn::Select'][0])).toEqual([0, 1, 2, 3, 4, 5]);
      // A /16 split into /19s: 13 host bits per subnet, six subnets.
      for (const block of blocks) expect(block['Fn::Select'][1]).toEqual({ 'Fn::Cidr': [{ 'Fn::GetAtt': ['VPC', 'CidrBlock'] }, 6, '13'] });
    });

    it('sizes subnets from the VPC prefix', () => {
      const template = render({ network: { vpc: { cidr: '10.0.0.0/24' } } });

      expect(resource(template, 'SubnetPublic1').Properties.CidrBlock['Fn::Select'][1]['Fn::Cidr'][2]).toBe('5');
      expect(resource(template, 'VPC').Properties).toMatchObject({ CidrBlock: '10.0.0.0/24', EnableDnsHostnames: true, EnableDnsSupport: true });
    });

    it('marks public subnets for internet-facing load balancers and private ones for internal ones', () => {
      const template = render({});

      expect(resource(template, 'SubnetPublic1').Properties.MapPublicIpOnLaunch).toBe(true);
      expect(tagMap(resource(template, 'SubnetPublic1'))).toMatchObject({ 'kubernetes.io/role/elb': '1' });
      expect(resource(template, 'SubnetPrivate1').Properties.MapPublicIpOnLaunch).toBeUndefined();
      expect(tagMap(resource(template, 'SubnetPrivate1'))).toMatchObject({ 'kubernetes.io/role/internal-elb': '1' });
      expect(tagMap(resource(template, 'SubnetPrivate1'))).not.toHaveProperty('kubernetes.io/role/elb');
    });

    it('routes public subnets to the internet gateway', () => {
      const template = render({});

      expect(resource(template, 'PublicSubnetRoute')).toMatchObject({
        Properties: { RouteTableId: { Ref: 'PublicRouteTable' }, DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: 'InternetGateway' } },
        DependsOn: 'VPCGatewayAttachment',
      });
      const associations = ofType(template, 'AWS::EC2::SubnetRouteTableAssociation').map(([, r]) => r.Properties);
      expect(associations).toContainEqual({ RouteTableId: { Ref: 'PublicRouteTable' }, SubnetId: { Ref: 'SubnetPublic2' } });
    });

    it.each([
      ['Single', 2, ['NATGateway1', 'NATGateway1']],
      ['Single', 3, ['NATGateway1', 'NATGateway1', 'NATGateway1']],
      ['HighlyAvailable', 2, ['NATGateway1', 'NATGateway2']],
      ['HighlyAvailable', 3, ['NATGateway1', 'NATGateway2', 'NATGateway3']],
      ['Disable', 3, []],
    ])('with natGateway %s in %i AZs routes the private subnets through %j', (natGateway, azCount, natPerZone) => {
      const natCount = new Set(natPerZone).size;

      const template = render({ network: { vpc: { natGateway, azCount } }, managedNodeGroups: [{ name: 'ng', privateNetworking: natGateway !== 'Disable' }] });

      expect(ofType(template, 'AWS::EC2::NatGateway')).toHaveLength(natCount);
      expect(ofType(template, 'AWS::EC2::EIP')).toHaveLength(natCount);
      const natRoutes = ofType(template, 'AWS::EC2::Route')
        .filter(([, r]) => r.Properties?.NatGatewayId)
        .map(([, r]) => r.Properties);
      expect(natRoutes).toEqual(natPerZone.map((nat, i) => ({ RouteTableId: { Ref: `PrivateRouteTable${i + 1}` }, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: { Ref: nat } })));
      ofType(template, 'AWS::EC2::NatGateway').forEach(([id], i) => {
        expect(resource(template, id).Properties).toMatchObject({ AllocationId: { 'Fn::GetAtt': [`NATIP${i + 1}`, 'AllocationId'] }, SubnetId: { Ref: `SubnetPublic${i + 1}` } });
      });
    });

    it('exports the made subnets and VPC', () => {
      const template = render({});

      expect(template.Outputs.SubnetsPrivate?.Value).toEqual({ 'Fn::Join': [',', subnetRefs(['SubnetPrivate1', 'SubnetPrivate2'])] });
      expect(template.Outputs.SubnetsPublic?.Value).toEqual({ 'Fn::Join': [',', subnetRefs(['SubnetPublic1', 'SubnetPublic2'])] });
      expect(template.Outputs.VPC?.Value).toEqual({ Ref: 'VPC' });
    });
  });

  describe('VPC endpoints of a fully private cluster (no NAT gateway, private-only endpoint)', () => {
    const PRIVATE_ONLY = { public: false, private: true };
    const fullyPrivate = (azCount = 2) => render({ network: { vpc: { natGateway: 'Disable', azCount } }, endpointAccess: PRIVATE_ONLY, managedNodeGroups: [{ name: 'ng' }], fargate: true });
    const endpoints = (template: CloudFormationTemplate) => ofType(template, 'AWS::EC2::VPCEndpoint').map(([id, r]) => [id, r.Properties as Json] as const);
    const SERVICES = ['ec2', 'ecr.api', 'ecr.dkr', 'sts', 'logs', 'elasticloadbalancing', 'autoscaling', 'eks', 'eks-auth', 'ssm', 'ssmmessages', 'ec2messages'];

    it('gets an interface endpoint with private DNS in every private subnet for each service nodes and Fargate pods call', () => {
      const template = fullyPrivate(3);

      const interfaces = endpoints(template).filter(([, p]) => p.VpcEndpointType === 'Interface');
      expect(interfaces.map(([, p]) => p.ServiceName)).toEqual(SERVICES.map((service) => ({ 'Fn::Sub': `com.amazonaws.\${AWS::Region}.${service}` })));
      for (const [, properties] of interfaces) {
        expect(properties).toMatchObject({ VpcId: { Ref: 'VPC' }, PrivateDnsEnabled: true, SubnetIds: subnetRefs(['SubnetPrivate1', 'SubnetPrivate2', 'SubnetPrivate3']), SecurityGroupIds: [{ Ref: 'VPCEndpointSecurityGroup' }] });
      }
      expect(interfaces.map(([id]) => id)).toContain('VPCEndpointECRAPI');
      expect(interfaces.map(([id]) => id)).toContain('VPCEndpointEKSAUTH');
    });

    it('admits HTTPS from the VPC CIDR, and nothing else, to the interface endpoints', () => {
      const group = resource(fullyPrivate(), 'VPCEndpointSecurityGroup');

      expect(group.Type).toBe('AWS::EC2::SecurityGroup');
      expect(group.Properties.VpcId).toEqual({ Ref: 'VPC' });
      expect(group.Properties.SecurityGroupIngress).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: { 'Fn::GetAtt': ['VPC', 'CidrBlock'] } })]);
    });

    it('gets an S3 gateway endpoint on the private route tables (where image layers come from)', () => {
      const s3 = resource(fullyPrivate(3), 'VPCEndpointS3');

      expect(s3.Properties).toMatchObject({
        ServiceName: { 'Fn::Sub': 'com.amazonaws.${AWS::Region}.s3' },
        VpcEndpointType: 'Gateway',
        VpcId: { Ref: 'VPC' },
        RouteTableIds: [{ Ref: 'PrivateRouteTable1' }, { Ref: 'PrivateRouteTable2' }, { Ref: 'PrivateRouteTable3' }],
      });
      expect(s3.Properties).not.toHaveProperty('SubnetIds');
    });

    it('tags the endpoints and their group like every other resource', () => {
      const template = fullyPrivate();

      for (const id of ['VPCEndpointSecurityGroup', 'VPCEndpointEC2', 'VPCEndpointS3']) {
        expect(tagMap(resource(template, id))).toMatchObject({ Name: `eksp-demo-cluster/${id}`, [TAG_CLUSTER]: 'demo' });
      }
    });

    it.each<[string, Record<string, unknown>]>([
      ['a NAT gateway (nodes reach AWS through it)', { endpointAccess: PRIVATE_ONLY }],
      ['no NAT gateway but a public endpoint too (public nodes only)', { network: { vpc: { natGateway: 'Disable' } }, endpointAccess: { public: true, private: true }, managedNodeGroups: [{ name: 'ng', privateNetworking: false }] }],
      ['existing subnets with a private-only endpoint (the network is the caller\'s)', { network: { subnets: { private: EXISTING_PRIVATE_SUBNETS } }, endpointAccess: PRIVATE_ONLY }],
    ])('makes none with %s', (_, request) => {
      const template = render(request);

      expect(endpoints(template)).toEqual([]);
      expect(template.Resources).not.toHaveProperty('VPCEndpointSecurityGroup');
    });
  });

  describe('existing subnets', () => {
    const network = { subnets: { private: EXISTING_PRIVATE_SUBNETS, public: EXISTING_PUBLIC_SUBNETS } };

    it('makes no network resources', () => {
      const template = render({ network });

      expect(Object.values(template.Resources).filter((r) => VPC_TYPES.includes(r.Type))).toEqual([]);
    });

    it('puts the control plane and security groups in the given subnets and VPC', () => {
      const template = render({ network });

      expect(resource(template, 'ControlPlane').Properties.ResourcesVpcConfig.SubnetIds).toEqual([...EXISTING_PUBLIC_SUBNETS, ...EXISTING_PRIVATE_SUBNETS]);
      expect(resource(template, 'ControlPlaneSecurityGroup').Properties.VpcId).toBe(EXISTING_VPC_ID);
      expect(resource(template, 'ClusterSharedNodeSecurityGroup').Properties.VpcId).toBe(EXISTING_VPC_ID);
      expect(template.Outputs.VPC?.Value).toBe(EXISTING_VPC_ID);
      expect(template.Outputs.SubnetsPrivate?.Value).toEqual({ 'Fn::Join': [',', EXISTING_PRIVATE_SUBNETS] });
      expect(template.Outputs.SubnetsPublic?.Value).toEqual({ 'Fn::Join': [',', EXISTING_PUBLIC_SUBNETS] });
    });

    it('leaves SubnetsPublic out when there are no public subnets (CloudFormation cannot export an empty value)', () => {
      const template = render({ network: { subnets: { private: EXISTING_PRIVATE_SUBNETS } } });

      expect(template.Outputs).not.toHaveProperty('SubnetsPublic');
      expect(resource(template, 'ControlPlane').Properties.ResourcesVpcConfig.SubnetIds).toEqual(EXISTING_PRIVATE_SUBNETS);
    });

    it('refuses to render without the VPC id the plan step resolves', () => {
      expect(() => render({ network }, { existingVpcId: undefined })).toThrow(InvalidStepInputError);
    });
  });

  describe('security groups', () => {
    it('lets nodes reach each other and EKS-managed nodes through the cluster security group', () => {
      const template = render({});
      const clusterSg = { 'Fn::GetAtt': ['ControlPlane', 'ClusterSecurityGroupId'] };
      const sharedSg = { Ref: 'ClusterSharedNodeSecurityGroup' };

      expect(resource(template, 'IngressInterNodeGroupSG').Properties).toMatchObject({ GroupId: sharedSg, SourceSecurityGroupId: sharedSg, IpProtocol: '-1' });
      expect(resource(template, 'IngressDefaultClusterToNodeSG').Properties).toMatchObject({ GroupId: sharedSg, SourceSecurityGroupId: clusterSg, IpProtocol: '-1' });
      expect(resource(template, 'IngressNodeToDefaultClusterSG').Properties).toMatchObject({ GroupId: clusterSg, SourceSecurityGroupId: sharedSg, IpProtocol: '-1' });
      expect(resource(template, 'ControlPlane').Properties.ResourcesVpcConfig.SecurityGroupIds).toEqual([{ Ref: 'ControlPlaneSecurityGroup' }]);
    });
  });

  describe('IAM roles', () => {
    const managedPolicy = (name: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::aws:policy/${name}` });
    const everything = {
      fargate: true,
      managedNodeGroups: [
        { name: 'plain' },
        { name: 'dns', iam: { externalDNS: true } },
        { name: 'extra_policies', iam: { additionalPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess', 'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy'] } },
      ],
    };

    it('puts every role under the service path so iam:PassRole can be scoped to it', () => {
      const template = render(everything);

      const roles = ofType(template, 'AWS::IAM::Role');
      expect(roles.length).toBe(6);
      for (const [, role] of roles) {
        expect(role.Properties?.Path).toBe(ROLE_PATH);
        expect(role.Properties).not.toHaveProperty('RoleName');
      }
    });

    describe('permissions boundary', () => {
      const rendered: Array<[string, CloudFormationTemplate]> = [
        ...TEMPLATE_VARIANTS.map(([name, input]): [string, CloudFormationTemplate] => [`cluster stack: ${name}`, renderClusterTemplate(input)]),
        ['cluster stack with every kind of role', render(everything)],
        // The OIDC stack holds no role.
        ...ADDED_STACK_TEMPLATES.filter(([name]) => name !== 'OIDC stack'),
      ];

      it.each(rendered)('%s: bounds every role by the service boundary, a Pod Identity role by the pod role boundary under its own path', (_, template) => {
        const roles = ofType(template, 'AWS::IAM::Role');

        expect(roles.length).toBeGreaterThan(0);
        for (const [logicalId, role] of roles) {
          const forPods = logicalId.startsWith('PodIdentityRole');
          expect([logicalId, role.Properties?.PermissionsBoundary, role.Properties?.Path]).toEqual([logicalId, forPods ? POD_ROLE_BOUNDARY_ARN : PERMISSIONS_BOUNDARY_ARN, forPods ? POD_ROLE_PATH : ROLE_PATH]);
        }
      });

      it('bounds them by whichever boundary the stack is given', () => {
        const other = 'arn:aws:iam::444455556666:policy/eks-provisioner/other-boundary';

        const roles = ofType(render(everything, { permissionsBoundaryArn: other }), 'AWS::IAM::Role');

        expect(new Set(roles.map(([, role]) => role.Properties?.PermissionsBoundary))).toEqual(new Set([other]));
      });
    });

    it('gives the control plane the EKS cluster policies', () => {
      const role = resource(render({}), 'ServiceRole');

      expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: ['eks.amazonaws.com'] });
      expect(role.Properties.ManagedPolicyArns).toEqual([managedPolicy('AmazonEKSClusterPolicy'), managedPolicy('AmazonEKSVPCResourceController')]);
    });

    it('gives nodes the worker, registry, SSM and CNI policies', () => {
      const role = resource(render({}), 'NodeInstanceRole');

      expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: ['ec2.amazonaws.com'] });
      expect(role.Properties.ManagedPolicyArns).toEqual(
        ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonSSMManagedInstanceCore', 'AmazonEKS_CNI_Policy'].map(managedPolicy),
      );
    });

    it.each([
      ['no Fargate', {}, false],
      ['the fargate shorthand', { fargate: true }, true],
      ['an explicit profile', { fargateProfiles: [{ name: 'batch', selectors: [{ namespace: 'batch' }] }] }, true],
    ])('makes the Fargate pod execution role only when asked for (%s)', (_, request, expected) => {
      const template = render(request);

      expect('FargatePodExecutionRole' in template.Resources).toBe(expected);
      expect('FargatePodExecutionRoleArn' in template.Outputs).toBe(expected);
    });

    it("limits the Fargate role to this cluster's profiles", () => {
      const role = resource(render({ name: 'alpha', fargate: true }), 'FargatePodExecutionRole');

      const [statement] = role.Properties.AssumeRolePolicyDocument.Statement;
      expect(statement.Principal).toEqual({ Service: ['eks-fargate-pods.amazonaws.com'] });
      expect(statement.Condition).toEqual({ ArnLike: { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:fargateprofile/alpha/*' } } });
      expect(role.Properties.ManagedPolicyArns).toEqual([managedPolicy('AmazonEKSFargatePodExecutionRolePolicy')]);
    });

    it('gives a nodegroup with externalDNS its own role that may change Route 53 records', () => {
      const template = render(everything);
      const dns = { name: 'dns', iam: { externalDNS: true } };

      const output = template.Outputs[nodeRoleOutputName(dns)];
      expect(output).toBeDefined();
      const roleId = (output?.Value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const role = resource(template, roleId);
      const statements = role.Properties.Policies[0].PolicyDocument.Statement;
      expect(statements).toContainEqual({ Effect: 'Allow', Action: ['route53:ChangeResourceRecordSets'], Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:route53:::hostedzone/*' } });
      expect(statements).toContainEqual({ Effect: 'Allow', Action: ['route53:ListHostedZones', 'route53:ListResourceRecordSets', 'route53:ListTagsForResource'], Resource: '*' });
      expect(role.Properties.ManagedPolicyArns).toContainEqual(managedPolicy('AmazonEKSWorkerNodePolicy'));
    });

    it('adds a nodegroup\'s additional policies to its own role, once each', () => {
      const template = render(everything);
      const ng = everything.managedNodeGroups[2]!;

      const roleId = (template.Outputs[nodeRoleOutputName(ng)]?.Value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const policies = resource(template, roleId).Properties.ManagedPolicyArns;
      expect(policies).toHaveLength(5);
      expect(policies).toContainEqual('arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess');
      expect(resource(template, roleId).Properties).not.toHaveProperty('Policies');
    });

    it('shares the node role among nodegroups without IAM extras', () => {
      const template = render(everything);

      expect(nodeRoleOutputName({ name: 'plain' })).toBe('NodeInstanceRoleArn');
      expect(nodeRoleOutputName({ name: 'plain', iam: { externalDNS: false, additionalPolicyArns: [] } })).toBe('NodeInstanceRoleArn');
      expect(Object.keys(template.Outputs).filter((name) => name.startsWith('NodeInstanceRoleArn'))).toHaveLength(3);
    });

    it('names per-nodegroup outputs distinctly even when names differ only in punctuation or case', () => {
      const names = ['ng-1', 'ng_1', 'ng1', 'Ng1', 'NG-1'];

      const outputs = names.map((name) => nodeRoleOutputName({ name, iam: { externalDNS: true } }));

      expect(new Set(outputs).size).toBe(names.length);
      for (const output of outputs) expect(output).toMatch(/^NodeInstanceRoleArn[A-Za-z0-9]+$/);
      expect(nodeRoleOutputName({ name: 'Workers', iam: { externalDNS: true } })).toBe('NodeInstanceRoleArnWorkers');
    });
  });

  describe('the control plane', () => {
    it('is created with the requested name, version and authentication mode', () => {
      const cluster = resource(render({ name: 'alpha', version: '1.32', authenticationMode: 'API' }), 'ControlPlane');

      expect(cluster.Type).toBe('AWS::EKS::Cluster');
      expect(cluster.Properties).toMatchObject({
        Name: 'alpha',
        Version: '1.32',
        RoleArn: { 'Fn::GetAtt': ['ServiceRole', 'Arn'] },
        AccessConfig: { AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: false },
      });
    });

    it.each([
      ['API', false],
      ['API_AND_CONFIG_MAP', false],
      ['CONFIG_MAP', true],
    ] as const)('in %s mode makes the creator (the service) a standing admin: %s', (authenticationMode, bootstrap) => {
      const cluster = resource(render({ authenticationMode }), 'ControlPlane');

      expect(cluster.Properties.AccessConfig).toEqual({ AuthenticationMode: authenticationMode, BootstrapClusterCreatorAdminPermissions: bootstrap });
    });

    it.each([
      ['private only', { public: false, private: true }, { EndpointPublicAccess: false, EndpointPrivateAccess: true }],
      ['public and private, restricted', { public: true, private: true, publicAccessCidrs: ['198.51.100.0/24'] }, { EndpointPublicAccess: true, EndpointPrivateAccess: true, PublicAccessCidrs: ['198.51.100.0/24'] }],
    ])('is created with the endpoint access the spec asks for, aws-auth mappings or not: %s', (_, endpointAccess, expected) => {
      const cluster = resource(render({ endpointAccess, identityMappings: [{ arn: 'arn:aws:iam::111122223333:role/ops', groups: ['ops'] }] }), 'ControlPlane');

      expect(cluster.Properties.ResourcesVpcConfig).toMatchObject(expected);
      if (!endpointAccess.public) expect(cluster.Properties.ResourcesVpcConfig).not.toHaveProperty('PublicAccessCidrs');
    });

    it("adds each NAT gateway's address to a public-only endpoint restricted to CIDRs, so the nodes can reach it", () => {
      const template = render({ network: { vpc: { azCount: 3, natGateway: 'HighlyAvailable' } }, endpointAccess: { public: true, private: false, publicAccessCidrs: ['198.51.100.0/24'] } });

      expect(resource(template, 'ControlPlane').Properties.ResourcesVpcConfig.PublicAccessCidrs).toEqual([
        '198.51.100.0/24',
        ...[1, 2, 3].map((i) => ({ 'Fn::Join': ['', [{ Ref: `NATIP${i}` }, '/32']] })),
      ]);
      expect(template.Outputs.NatPublicIps?.Value).toEqual({ 'Fn::Join': [',', [1, 2, 3].map((i) => ({ Ref: `NATIP${i}` }))] });
    });

    it('adds no NAT address where nodes do not need one: private access on, or open to all', () => {
      const withPrivate = render({ endpointAccess: { public: true, private: true, publicAccessCidrs: ['198.51.100.0/24'] } });
      const open = render({ endpointAccess: { public: true, private: false } });

      expect(resource(withPrivate, 'ControlPlane').Properties.ResourcesVpcConfig.PublicAccessCidrs).toEqual(['198.51.100.0/24']);
      expect(resource(open, 'ControlPlane').Properties.ResourcesVpcConfig.PublicAccessCidrs).toEqual(['0.0.0.0/0']);
    });

    it('enables control-plane logging and secrets encryption only when asked', () => {
      const plain = resource(render({}), 'ControlPlane');
      const asked = resource(render({ logging: ['api', 'audit'], secretsEncryption: { kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/abcd-1234' } }), 'ControlPlane');

      expect(plain.Properties).not.toHaveProperty('Logging');
      expect(plain.Properties).not.toHaveProperty('EncryptionConfig');
      expect(asked.Properties.Logging).toEqual({ ClusterLogging: { EnabledTypes: [{ Type: 'api' }, { Type: 'audit' }] } });
      expect(asked.Properties.EncryptionConfig).toEqual([{ Resources: ['secrets'], Provider: { KeyArn: 'arn:aws:kms:us-east-1:111122223333:key/abcd-1234' } }]);
    });

    it('sets the upgrade policy, zonal shift and deletion protection only when the spec does, so EKS defaults apply otherwise', () => {
      const plain = resource(render({}), 'ControlPlane');
      const asked = resource(render({ upgradePolicy: { supportType: 'STANDARD' }, zonalShift: { enabled: true }, deletionProtection: true }), 'ControlPlane');
      const off = resource(render({ zonalShift: { enabled: false }, deletionProtection: false }), 'ControlPlane');

      for (const property of ['UpgradePolicy', 'ZonalShiftConfig', 'DeletionProtection']) expect(plain.Properties).not.toHaveProperty(property);
      expect(asked.Properties).toMatchObject({ UpgradePolicy: { SupportType: 'STANDARD' }, ZonalShiftConfig: { Enabled: true }, DeletionProtection: true });
      expect(off.Properties.ZonalShiftConfig).toEqual({ Enabled: false });
      expect(off.Properties).not.toHaveProperty('DeletionProtection');
    });
  });

  describe('the kube agent', () => {
    const template = render({});

    it("is a Lambda function in the cluster's private subnets, named after the cluster, made from the service's code", () => {
      const agent = resource(template, 'KubeAgentFunction');

      expect(agent.Properties).toMatchObject({
        FunctionName: 'eksp-kube-agent-demo',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Code: { S3Bucket: KUBE_AGENT_CODE.s3Bucket, S3Key: KUBE_AGENT_CODE.s3Key },
        Role: { 'Fn::GetAtt': ['KubeAgentRole', 'Arn'] },
        VpcConfig: { SubnetIds: subnetRefs(['SubnetPrivate1', 'SubnetPrivate2']), SecurityGroupIds: [{ Ref: 'KubeAgentSecurityGroup' }] },
        LoggingConfig: { LogGroup: { Ref: 'KubeAgentLogGroup' } },
      });
      expect(template.Outputs.KubeAgentFunctionName?.Value).toEqual({ Ref: 'KubeAgentFunction' });
    });

    it('depends on nothing of the control plane, so it is made while the control plane is', () => {
      const needs = JSON.stringify([resource(template, 'KubeAgentFunction'), resource(template, 'KubeAgentSecurityGroup'), resource(template, 'ControlPlaneIngressFromKubeAgent'), resource(template, 'KubeAgentRole')]);

      expect(needs).not.toContain('ControlPlane"');
    });

    it('is admitted by the control plane security group on 443 only', () => {
      expect(resource(template, 'ControlPlaneIngressFromKubeAgent').Properties).toMatchObject({
        GroupId: { Ref: 'ControlPlaneSecurityGroup' },
        SourceSecurityGroupId: { Ref: 'KubeAgentSecurityGroup' },
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
      });
      expect(resource(template, 'ControlPlane').Properties.ResourcesVpcConfig.SecurityGroupIds).toEqual([{ Ref: 'ControlPlaneSecurityGroup' }]);
    });

    it('runs as a bounded role that may only manage its network interfaces and write its logs', () => {
      const role = resource(template, 'KubeAgentRole');

      expect(role.Properties.ManagedPolicyArns).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole' }]);
      expect(role.Properties).not.toHaveProperty('Policies');
      expect(role.Properties.PermissionsBoundary).toBe(PERMISSIONS_BOUNDARY_ARN);
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }]);
    });

    it('has its own log group in the stack, so deleting the stack leaves no log group behind', () => {
      expect(resource(template, 'KubeAgentLogGroup').Properties).toMatchObject({ LogGroupName: '/aws/lambda/eksp-kube-agent-demo', RetentionInDays: 30 });
      expect(template.Resources.KubeAgentFunction?.DependsOn).toBe('KubeAgentLogGroup');
    });

    it('goes into the private subnets of an existing VPC too', () => {
      const existing = render({ network: { subnets: { private: EXISTING_PRIVATE_SUBNETS, public: EXISTING_PUBLIC_SUBNETS } } });

      expect(resource(existing, 'KubeAgentFunction').Properties.VpcConfig.SubnetIds).toEqual(EXISTING_PRIVATE_SUBNETS);
      expect(resource(existing, 'KubeAgentSecurityGroup').Properties.VpcId).toBe(EXISTING_VPC_ID);
    });
  });

  describe('the whole template', () => {
    const everything = {
      tags: { team: 'platform' },
      network: { vpc: { azCount: 3, natGateway: 'HighlyAvailable' } },
      fargate: true,
      managedNodeGroups: [{ name: 'dns', iam: { externalDNS: true } }],
    };
    // These types have no Tags property in CloudFormation.
    const UNTAGGABLE = ['AWS::EC2::Route', 'AWS::EC2::SubnetRouteTableAssociation', 'AWS::EC2::VPCGatewayAttachment', 'AWS::EC2::SecurityGroupIngress'];

    it.each([
      ['a new VPC', everything],
      ['existing subnets', { ...everything, network: { subnets: { private: EXISTING_PRIVATE_SUBNETS } } }],
    ])('carries the user and ownership tags on every taggable resource (%s)', (_, request) => {
      const input = clusterTemplateInput(request);

      const template = renderClusterTemplate(input);

      expect(input.tags).toMatchObject({ team: 'platform', 'eks-provisioner:cluster': 'demo' });
      for (const [id, r] of Object.entries(template.Resources)) {
        if (UNTAGGABLE.includes(r.Type)) continue;
        expect([id, tagMap(r)]).toEqual([id, expect.objectContaining(input.tags)]);
      }
    });

    it("names resources like eksctl (<stack>/<logical id>) unless the user's tags name them", () => {
      expect(tagMap(resource(render({}), 'VPC')).Name).toBe('eksp-demo-cluster/VPC');
      expect(tagMap(resource(render({ tags: { Name: 'mine' } }), 'VPC')).Name).toBe('mine');
    });

    it('exports every output as <stack>::<output>', () => {
      const template = render(everything);

      for (const [name, output] of Object.entries(template.Outputs)) expect(output.Export).toEqual({ Name: `eksp-demo-cluster::${name}` });
    });

    it.each([
      ['a new VPC', {}],
      ['existing subnets', { network: { subnets: { private: EXISTING_PRIVATE_SUBNETS } } }],
    ])('has every output the workflow requires (%s)', (_, request) => {
      const schema = JSON.parse(readFileSync(join(__dirname, '../../../schemas/workflow/workflow-state.schema.json'), 'utf8'));
      const required: string[] = (schema.definitions ?? schema.$defs).StackOutputs.required;

      const template = render(request);

      expect(required.length).toBeGreaterThan(0);
      expect(Object.keys(template.Outputs)).toEqual(expect.arrayContaining(required));
      expect(Object.keys(template.Outputs)).toContain('ClusterSecurityGroupId');
    });

    it('uses alphanumeric logical ids and says what it is', () => {
      const template = render({ name: 'alpha', ...everything, managedNodeGroups: [{ name: 'dns-v2_x', iam: { externalDNS: true } }] });

      for (const id of [...Object.keys(template.Resources), ...Object.keys(template.Outputs)]) expect(id).toMatch(/^[A-Za-z0-9]+$/);
      expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
      expect(template.Description).toContain('eks-provisioner');
      expect(template.Description).toContain('"alpha"');
    });

    it('renders identical JSON for the same input, whatever order the tags came in', () => {
      const first = clusterTemplateInput(everything);
      const second = clusterTemplateInput(everything);
      second.tags = Object.fromEntries(Object.entries(second.tags).reverse());

      expect(JSON.stringify(renderClusterTemplate(second))).toBe(JSON.stringify(renderClusterTemplate(first)));
    });
  });
});

describe('nodegroup launch templates', () => {
  const launchTemplate = (template: ReturnType<typeof renderClusterTemplate>, name: string) => template.Resources[launchTemplateOutputName({ name })]!;

  it('gives each nodegroup a launch template with its volume, IMDSv2 only, and the cluster and shared node security groups', () => {
    const template = renderClusterTemplate(clusterTemplateInput({ managedNodeGroups: [{ name: 'ng-general' }, { name: 'ng-io', volumeSize: 200, volumeType: 'io2' }] }));

    const general = launchTemplate(template, 'ng-general').Properties!.LaunchTemplateData as Record<string, unknown>;
    const io = launchTemplate(template, 'ng-io').Properties!.LaunchTemplateData as Record<string, unknown>;

    expect(general.BlockDeviceMappings).toEqual([{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 80, VolumeType: 'gp3', Encrypted: true } }]);
    expect(io.BlockDeviceMappings).toEqual([{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 200, VolumeType: 'io2', Encrypted: true } }]);
    expect(general.MetadataOptions).toEqual({ HttpTokens: 'required', HttpPutResponseHopLimit: 2 });
    expect(general.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': ['ControlPlane', 'ClusterSecurityGroupId'] }, { Ref: 'ClusterSharedNodeSecurityGroup' }]);
    expect(template.Outputs[launchTemplateOutputName({ name: 'ng-io' })]?.Value).toEqual({ Ref: launchTemplateOutputName({ name: 'ng-io' }) });
  });

  it('puts Bottlerocket data on its second device', () => {
    const template = renderClusterTemplate(clusterTemplateInput({ managedNodeGroups: [{ name: 'br', amiType: 'BOTTLEROCKET_x86_64' }] }));

    const data = launchTemplate(template, 'br').Properties!.LaunchTemplateData as { BlockDeviceMappings: Array<{ DeviceName: string }> };

    expect(data.BlockDeviceMappings[0]!.DeviceName).toBe('/dev/xvdb');
  });

  it('adds the SSH key, and port 22 only from the given security groups', () => {
    const template = renderClusterTemplate(clusterTemplateInput({ managedNodeGroups: [{ name: 'ops', ssh: { publicKeyName: 'ops-key', sourceSecurityGroupIds: ['sg-0123456789abcdef0'] } }] }));

    const data = launchTemplate(template, 'ops').Properties!.LaunchTemplateData as { KeyName: string; SecurityGroupIds: unknown[] };
    const sshGroup = Object.values(template.Resources).find((r) => r.Type === 'AWS::EC2::SecurityGroup' && JSON.stringify(r).includes('SSH to nodegroup ops'))!;

    expect(data.KeyName).toBe('ops-key');
    expect(data.SecurityGroupIds).toHaveLength(3);
    expect(sshGroup.Properties!.SecurityGroupIngress).toEqual([expect.objectContaining({ FromPort: 22, ToPort: 22, SourceSecurityGroupId: 'sg-0123456789abcdef0' })]);
  });
});

describe('the stack of a nodegroup added later (renderNodegroupTemplate)', () => {
  const cluster = renderClusterTemplate(clusterTemplateInput({ managedNodeGroups: [{ name: 'ng-1', iam: { externalDNS: true } }] }));
  const nodegroup = nodegroupTemplateFor({ name: 'ng-1', iam: { externalDNS: true } });
  const imports = (value: unknown): string[] => [...JSON.stringify(value).matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map((m) => m[1]!);

  it('gives its node role exactly what the cluster stack gives a nodegroup with the same options', () => {
    const { Tags: _own, ...role } = resource(nodegroup, 'NodeInstanceRole').Properties;
    const { Tags: _cluster, ...inCluster } = resource(cluster, nodeRoleOutputName({ name: 'ng-1', iam: { externalDNS: true } }).replace(/Arn/, '')).Properties;

    expect(role).toEqual(inCluster);
    expect(role.Path).toBe(ROLE_PATH);
  });

  it('gives its launch template what the cluster stack’s would have, with the security groups imported from the cluster stack', () => {
    const own = resource(nodegroup, launchTemplateOutputName({ name: 'ng-1' })).Properties.LaunchTemplateData;
    const inCluster = resource(cluster, launchTemplateOutputName({ name: 'ng-1' })).Properties.LaunchTemplateData;

    expect({ ...own, SecurityGroupIds: undefined, TagSpecifications: undefined }).toEqual({ ...inCluster, SecurityGroupIds: undefined, TagSpecifications: undefined });
    expect(own.SecurityGroupIds).toEqual([{ 'Fn::ImportValue': 'eksp-demo-cluster::ClusterSecurityGroupId' }, { 'Fn::ImportValue': 'eksp-demo-cluster::ClusterSharedNodeSecurityGroup' }]);
  });

  it('imports only what the cluster stack exports', () => {
    const exported = Object.values(cluster.Outputs).map((o) => o.Export?.Name);
    const withSsh = nodegroupTemplateFor({ name: 'ops', ssh: { publicKeyName: 'k', sourceSecurityGroupIds: ['sg-0123456789abcdef0'] } });

    expect(imports(withSsh.Resources).sort()).toEqual(['eksp-demo-cluster::ClusterSecurityGroupId', 'eksp-demo-cluster::ClusterSharedNodeSecurityGroup', 'eksp-demo-cluster::VPC']);
    for (const name of imports(withSsh.Resources)) expect(exported).toContain(name);
  });

  it('outputs the role and launch template Create Nodegroup uses', () => {
    expect(Object.keys(nodegroup.Outputs).sort()).toEqual([NODEGROUP_STACK_OUTPUTS.launchTemplate, NODEGROUP_STACK_OUTPUTS.nodeRole].sort());
    expect(nodegroup.Outputs[NODEGROUP_STACK_OUTPUTS.nodeRole]!.Value).toEqual({ 'Fn::GetAtt': ['NodeInstanceRole', 'Arn'] });
  });
});

describe('the Fargate stack of a cluster made without profiles (renderFargateTemplate)', () => {
  it('holds the pod execution role the cluster stack would have made, usable by this cluster’s profiles only', () => {
    const cluster = renderClusterTemplate(clusterTemplateInput({ fargate: true }));
    const fargate = renderFargateTemplate({ clusterName: 'demo', stackName: 'eksp-demo-fargate', tags: {}, permissionsBoundaryArn: PERMISSIONS_BOUNDARY_ARN });
    const { Tags: _a, ...role } = resource(fargate, 'FargatePodExecutionRole').Properties;
    const { Tags: _b, ...inCluster } = resource(cluster, 'FargatePodExecutionRole').Properties;

    expect(role).toEqual(inCluster);
    expect(fargate.Outputs.FargatePodExecutionRoleArn!.Value).toEqual({ 'Fn::GetAtt': ['FargatePodExecutionRole', 'Arn'] });
  });
});

describe('networking add-ons', () => {
  it("makes every cluster without EKS's self-managed vpc-cni, kube-proxy and coredns: its networking is the spec's add-ons, as eksctl's clusters", () => {
    expect(resource(render({}), 'ControlPlane').Properties.BootstrapSelfManagedAddons).toBe(false);
  });
});

describe('EKS Auto Mode', () => {
  const autoMode = () => render({ authenticationMode: 'API', autoMode: { enabled: true } });

  it('turns on compute, block storage and load balancing together, with the built-in node pools and a bounded node role', () => {
    const controlPlane = resource(autoMode(), 'ControlPlane').Properties;
    expect(controlPlane.ComputeConfig).toEqual({ Enabled: true, NodePools: ['general-purpose', 'system'], NodeRoleArn: { 'Fn::GetAtt': [AUTO_MODE_NODE_ROLE, 'Arn'] } });
    expect(controlPlane.StorageConfig).toEqual({ BlockStorage: { Enabled: true } });
    expect(controlPlane.KubernetesNetworkConfig).toEqual({ ElasticLoadBalancing: { Enabled: true } });
    // Auto Mode builds in vpc-cni, kube-proxy and coredns: EKS must not install them self-managed.
    expect(controlPlane.BootstrapSelfManagedAddons).toBe(false);
    const role = resource(autoMode(), AUTO_MODE_NODE_ROLE).Properties;
    expect(role.PermissionsBoundary).toBe(PERMISSIONS_BOUNDARY_ARN);
    expect(role.Path).toBe(ROLE_PATH);
    expect(role.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: ['ec2.amazonaws.com'] });
    expect(role.ManagedPolicyArns).toEqual(AUTO_MODE_NODE_POLICIES.map((name) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::aws:policy/${name}` })));
    expect(autoMode().Outputs[AUTO_MODE_NODE_ROLE_OUTPUT]!.Value).toEqual({ 'Fn::GetAtt': [AUTO_MODE_NODE_ROLE, 'Arn'] });
  });

  it('gives the cluster role the four Auto Mode policies only when Auto Mode is on', () => {
    const policies = (template: CloudFormationTemplate) => (resource(template, 'ServiceRole').Properties.ManagedPolicyArns as Json[]).map((p) => String(p['Fn::Sub']).split('/').pop());
    expect(policies(autoMode())).toEqual(['AmazonEKSClusterPolicy', 'AmazonEKSVPCResourceController', ...AUTO_MODE_CLUSTER_POLICIES]);
    expect(policies(render({ authenticationMode: 'API' }))).toEqual(['AmazonEKSClusterPolicy', 'AmazonEKSVPCResourceController']);
    expect(TEMPLATE_MANAGED_POLICIES).toEqual(expect.arrayContaining([...AUTO_MODE_CLUSTER_POLICIES, ...AUTO_MODE_NODE_POLICIES]));
  });

  it('passes an empty node pool list on (custom NodePools only)', () => {
    const template = render({ authenticationMode: 'API', autoMode: { enabled: true, nodePools: [] } });
    expect(resource(template, 'ControlPlane').Properties.ComputeConfig.NodePools).toEqual([]);
  });

  it('renders a cluster that did not ask, or asked for it off, exactly as before', () => {
    const plain = render({ authenticationMode: 'API' });
    expect(JSON.stringify(render({ authenticationMode: 'API', autoMode: { enabled: false } }))).toBe(JSON.stringify(plain));
    expect(plain.Resources[AUTO_MODE_NODE_ROLE]).toBeUndefined();
    expect(resource(plain, 'ControlPlane').Properties).not.toHaveProperty('ComputeConfig');
  });

  it('makes the node role of a cluster switched on later in its own stack, as the cluster stack would have', () => {
    const stack = renderAutoModeTemplate({ clusterName: 'demo', stackName: 'eksp-demo-automode', tags: {}, permissionsBoundaryArn: PERMISSIONS_BOUNDARY_ARN });
    const { Tags: _a, ...role } = resource(stack, AUTO_MODE_NODE_ROLE).Properties;
    const { Tags: _b, ...inCluster } = resource(autoMode(), AUTO_MODE_NODE_ROLE).Properties;
    expect(role).toEqual(inCluster);
    expect(stack.Outputs[AUTO_MODE_NODE_ROLE_OUTPUT]!.Value).toEqual({ 'Fn::GetAtt': [AUTO_MODE_NODE_ROLE, 'Arn'] });
  });

  it('adds the Auto Mode policies to a running cluster stack’s cluster role and changes nothing else', () => {
    const plain = render({ authenticationMode: 'API' }) as unknown as Record<string, unknown>;
    const updated = withAutoModeClusterPolicies(plain) as unknown as CloudFormationTemplate;
    expect(resource(updated, 'ServiceRole').Properties.ManagedPolicyArns).toEqual(resource(autoMode(), 'ServiceRole').Properties.ManagedPolicyArns);
    const { ServiceRole: _a, ...rest } = updated.Resources;
    const { ServiceRole: _b, ...before } = (plain as unknown as CloudFormationTemplate).Resources;
    expect(rest).toEqual(before);
    expect(updated.Outputs).toEqual((plain as unknown as CloudFormationTemplate).Outputs);
    // Already there (made with Auto Mode, or updated before): nothing to do.
    expect(withAutoModeClusterPolicies(updated as unknown as Record<string, unknown>)).toBeUndefined();
    expect(withAutoModeClusterPolicies({ Resources: {} })).toBeUndefined();
  });
});

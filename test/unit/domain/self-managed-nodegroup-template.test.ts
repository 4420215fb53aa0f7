import { load } from 'js-yaml';
import { ROLE_PATH, type CloudFormationResource } from '../../../functions/domain/cluster-template';
import { eksOptimizedAmiParameter, nodeadmUserData, selfManagedArchitecture, usesMixedInstances } from '../../../functions/domain/self-managed-nodegroup-template';
import { PERMISSIONS_BOUNDARY_ARN } from '../../support/fake-aws';
import { selfManagedTemplateFor } from './cluster-template-inputs';

const CLUSTER = { name: 'demo', apiServerEndpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com', certificateAuthority: 'Q0E=', cidr: '10.100.0.0/16' };

/** The NodeConfig document of a MIME multi-part user data. */
function nodeConfigOf(userData: string): { apiVersion: string; kind: string; spec: { cluster: Record<string, string>; kubelet: { flags: string[] } } } {
  const part = userData.split('Content-Type: application/node.eks.aws\n\n')[1]!.split('\n--//--')[0]!;
  return load(part) as ReturnType<typeof nodeConfigOf>;
}

const resource = (template: ReturnType<typeof selfManagedTemplateFor>, id: string): CloudFormationResource => template.Resources[id]!;

describe('nodeadm user data', () => {
  it('is a MIME multi-part document whose NodeConfig names the cluster, its endpoint, CA and service CIDR', () => {
    const userData = nodeadmUserData(CLUSTER, { name: 'self', labels: {}, taints: [] });

    expect(userData).toMatch(/^MIME-Version: 1\.0\nContent-Type: multipart\/mixed; boundary="\/\/"\n\n--\/\/\nContent-Type: application\/node\.eks\.aws\n/);
    expect(userData.trimEnd().endsWith('--//--')).toBe(true);
    const config = nodeConfigOf(userData);
    expect(config).toMatchObject({ apiVersion: 'node.eks.aws/v1alpha1', kind: 'NodeConfig' });
    expect(config.spec.cluster).toEqual({ name: 'demo', apiServerEndpoint: CLUSTER.apiServerEndpoint, certificateAuthority: 'Q0E=', cidr: '10.100.0.0/16' });
  });

  it("registers the node with its nodegroup's label, the spec's labels and its taints", () => {
    const config = nodeConfigOf(nodeadmUserData(CLUSTER, { name: 'self', labels: { role: 'batch' }, taints: [{ key: 'spot', value: 'true', effect: 'NoSchedule' }, { key: 'dedicated', effect: 'NoExecute' }] }));

    expect(config.spec.kubelet.flags).toEqual(['--node-labels=eks-provisioner/nodegroup=self,role=batch', '--register-with-taints=spot=true:NoSchedule,dedicated:NoExecute']);
  });
});

describe('the self-managed nodegroup stack', () => {
  it('bounds its node role under the service path and gives it an instance profile on the same path', () => {
    const template = selfManagedTemplateFor({ name: 'self' });

    expect(resource(template, 'NodeInstanceRole').Properties).toMatchObject({ Path: ROLE_PATH, PermissionsBoundary: PERMISSIONS_BOUNDARY_ARN });
    expect(resource(template, 'NodeInstanceProfile').Properties).toEqual({ Path: ROLE_PATH, Roles: [{ Ref: 'NodeInstanceRole' }] });
  });

  it('launches with IMDSv2 required, the AMI given, the cluster and shared node security groups and its own, and the encrypted volume asked for', () => {
    const data = resource(selfManagedTemplateFor({ name: 'self', volumeSize: 50 }), 'NodeGroupLaunchTemplate').Properties!.LaunchTemplateData as Record<string, unknown>;

    expect(data).toMatchObject({
      ImageId: 'ami-0123456789abcdef0',
      InstanceType: 'm5.large',
      IamInstanceProfile: { Arn: { 'Fn::GetAtt': ['NodeInstanceProfile', 'Arn'] } },
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 50, VolumeType: 'gp3', Encrypted: true } }],
      SecurityGroupIds: [{ 'Fn::ImportValue': 'eksp-demo-cluster::ClusterSecurityGroupId' }, { 'Fn::ImportValue': 'eksp-demo-cluster::ClusterSharedNodeSecurityGroup' }, { Ref: 'SG' }],
    });
    expect(nodeConfigOf((data.UserData as { 'Fn::Base64': string })['Fn::Base64']).spec.cluster.name).toBe('demo');
  });

  it("runs an Auto Scaling group in the cluster's private subnets with the sizes asked, every tag (the cluster's ownership and Name among them) propagated at launch", () => {
    const group = resource(selfManagedTemplateFor({ name: 'self', minSize: 1, desiredSize: 2, maxSize: 5 }), 'NodeGroup').Properties!;

    expect(group).toMatchObject({ MinSize: '1', DesiredCapacity: '2', MaxSize: '5', VPCZoneIdentifier: { 'Fn::Split': [',', { 'Fn::ImportValue': 'eksp-demo-cluster::SubnetsPrivate' }] } });
    expect(group.LaunchTemplate).toEqual({ LaunchTemplateId: { Ref: 'NodeGroupLaunchTemplate' }, Version: { 'Fn::GetAtt': ['NodeGroupLaunchTemplate', 'LatestVersionNumber'] } });
    const tags = group.Tags as Array<{ Key: string; Value: string; PropagateAtLaunch: boolean }>;
    expect(tags).toContainEqual({ Key: 'kubernetes.io/cluster/demo', Value: 'owned', PropagateAtLaunch: true });
    expect(tags).toContainEqual({ Key: 'Name', Value: 'demo-self-Node', PropagateAtLaunch: true });
    expect(tags.every((t) => t.PropagateAtLaunch)).toBe(true);
  });

  it('buys Spot over several types with a MixedInstancesPolicy, the types left to its overrides', () => {
    const template = selfManagedTemplateFor({ name: 'spot', instanceTypes: ['m5.large', 'm5a.large'], spot: true });
    const group = resource(template, 'NodeGroup').Properties!;

    expect(group.LaunchTemplate).toBeUndefined();
    expect(group.MixedInstancesPolicy).toEqual({
      LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: { Ref: 'NodeGroupLaunchTemplate' }, Version: { 'Fn::GetAtt': ['NodeGroupLaunchTemplate', 'LatestVersionNumber'] } }, Overrides: [{ InstanceType: 'm5.large' }, { InstanceType: 'm5a.large' }] },
      InstancesDistribution: { OnDemandAllocationStrategy: 'prioritized', OnDemandBaseCapacity: 0, OnDemandPercentageAboveBaseCapacity: 0, SpotAllocationStrategy: 'capacity-optimized' },
    });
    expect(resource(template, 'NodeGroupLaunchTemplate').Properties!.LaunchTemplateData).not.toHaveProperty('InstanceType');
  });

  it("takes an instancesDistribution as eksctl's, and chosen subnets as given", () => {
    const group = resource(
      selfManagedTemplateFor(
        { name: 'mixed', instanceTypes: ['c5.large'], instancesDistribution: { onDemandBaseCapacity: 1, onDemandPercentageAboveBaseCapacity: 25 }, subnets: ['subnet-0aaaaaaaaaaaaaaa1'] },
        { subnets: { private: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'] } },
      ),
      'NodeGroup',
    ).Properties!;

    expect(group.VPCZoneIdentifier).toEqual(['subnet-0aaaaaaaaaaaaaaa1']);
    expect((group.MixedInstancesPolicy as { InstancesDistribution: unknown }).InstancesDistribution).toEqual({ OnDemandAllocationStrategy: 'prioritized', OnDemandBaseCapacity: 1, OnDemandPercentageAboveBaseCapacity: 25, SpotAllocationStrategy: 'capacity-optimized' });
  });

  it("opens the control plane's paths to the nodes and the nodes' to the API server, as eksctl's rules do", () => {
    const template = selfManagedTemplateFor({ name: 'self' });
    const rule = (id: string) => resource(template, id);
    const controlPlane = { 'Fn::ImportValue': 'eksp-demo-cluster::SecurityGroup' };

    expect(rule('IngressInterCluster').Properties).toMatchObject({ GroupId: { Ref: 'SG' }, SourceSecurityGroupId: controlPlane, FromPort: 1025, ToPort: 65535 });
    expect(rule('IngressInterClusterAPI').Properties).toMatchObject({ GroupId: { Ref: 'SG' }, SourceSecurityGroupId: controlPlane, FromPort: 443, ToPort: 443 });
    expect(rule('IngressInterClusterCP').Properties).toMatchObject({ GroupId: controlPlane, SourceSecurityGroupId: { Ref: 'SG' }, FromPort: 443, ToPort: 443 });
    expect(rule('EgressInterCluster').Properties).toMatchObject({ GroupId: controlPlane, DestinationSecurityGroupId: { Ref: 'SG' }, FromPort: 1025, ToPort: 65535 });
    expect(rule('EgressInterClusterAPI').Type).toBe('AWS::EC2::SecurityGroupEgress');
  });

  it('exports the node role the Check step admits, and the group', () => {
    expect(Object.keys(selfManagedTemplateFor({ name: 'self' }).Outputs).sort()).toEqual(['AutoScalingGroupName', 'InstanceProfileArn', 'NodeInstanceRoleArn']);
  });

  it('renders byte-identical JSON for the same input (a retried step re-submits the same template)', () => {
    expect(JSON.stringify(selfManagedTemplateFor({ name: 'self' }))).toBe(JSON.stringify(selfManagedTemplateFor({ name: 'self' })));
  });
});

describe('AMI and capacity helpers', () => {
  it('names the SSM parameter of the EKS optimized AL2023 AMI per version and architecture', () => {
    expect(eksOptimizedAmiParameter('1.33', selfManagedArchitecture({ instanceTypes: ['m6g.large'] }))).toBe('/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/arm64/standard/recommended/image_id');
    expect(selfManagedArchitecture({ instanceTypes: ['m5.large'] })).toBe('x86_64');
  });

  it('needs a MixedInstancesPolicy for several types, Spot or a distribution only', () => {
    expect(usesMixedInstances({ instanceTypes: ['m5.large'], spot: false })).toBe(false);
    expect(usesMixedInstances({ instanceTypes: ['m5.large'], spot: true })).toBe(true);
    expect(usesMixedInstances({ instanceTypes: ['m5.large', 'm5a.large'], spot: false })).toBe(true);
  });
});

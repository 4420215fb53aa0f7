/**
 * A managed nodegroup's capacity, as EKS makes it: once the nodegroup is ACTIVE, its Auto Scaling
 * group (`eks-<nodegroup>-<uuid>`, the name DescribeNodegroup reports), the launch template the
 * group uses (`eks-<uuid>`: EKS's own, or a copy of the nodegroup's template with EKS's
 * additions, as EKS makes for custom templates), and `desiredSize` instances spread over the
 * nodegroup's subnets the way Auto Scaling balances zones. Scaling launches or terminates
 * instances; deleting the nodegroup terminates them and removes the group and EKS's template.
 *
 * The EKS emulator calls these hooks at its transitions (eks/state.ts); everything lands on
 * world.ec2 and world.autoScaling, where DescribeInstances, the Auto Scaling API and the
 * Kubernetes API's nodes read it.
 */
import type { AutoScalingGroup, Instance, Subnet, World } from '../../world';
import type { Cluster, Nodegroup } from '../eks/model';
import { amiFor, architectureOf, forgetOldTerminated, launchInstance, terminateInstance } from './instances';
import { perZone, scaleInToDesired } from '../autoscaling/balance';
import { addLaunchTemplateVersion, createLaunchTemplate, findLaunchTemplate, LAUNCH_TEMPLATE_TYPE, type LaunchTemplate } from './state';

/** The uuid EKS gave the nodegroup: the last part of its ARN, shared by its group and template names. */
function nodegroupUuid(nodegroup: Nodegroup): string {
  return nodegroup.arn.split('/').pop() ?? nodegroup.name;
}

function ownershipTags(cluster: Cluster, nodegroup: Nodegroup): Record<string, string> {
  return { 'eks:cluster-name': cluster.name, 'eks:nodegroup-name': nodegroup.name, [`kubernetes.io/cluster/${cluster.name}`]: 'owned' };
}

/** The instance profile EKS makes for the node role (`eks-<uuid>`). */
function instanceProfileArn(world: World, nodegroup: Nodegroup): string {
  return `arn:aws:iam::${world.account}:instance-profile/eks-${nodegroupUuid(nodegroup)}`;
}

/** Registers that profile in IAM (GetInstanceProfile finds it), holding the node role. */
function createInstanceProfile(world: World, nodegroup: Nodegroup): void {
  const name = `eks-${nodegroupUuid(nodegroup)}`;
  if (world.iam.instanceProfiles.has(name)) return;
  const roleName = nodegroup.nodeRole.split('/').pop() ?? nodegroup.nodeRole;
  world.iam.instanceProfiles.set(name, { name, arn: instanceProfileArn(world, nodegroup), path: '/', roleNames: [roleName], createDate: world.clock.now(), tags: {} });
}

/**
 * The template the group launches from: EKS's defaults (the AMI, disk, node role, cluster
 * security group, bootstrap user data) under whatever the nodegroup's own template sets.
 */
function eksLaunchTemplate(world: World, cluster: Cluster, nodegroup: Nodegroup, custom: LaunchTemplate | undefined): LaunchTemplate {
  const securityGroupIds = [cluster.vpc.clusterSecurityGroupId, ...(nodegroup.remoteAccessSecurityGroup ? [nodegroup.remoteAccessSecurityGroup] : [])];
  const userData = ['MIME-Version: 1.0', 'Content-Type: application/node.eks.aws', '', '---', 'apiVersion: node.eks.aws/v1alpha1', 'kind: NodeConfig', 'spec:', '  cluster:', `    name: ${cluster.name}`, `    apiServerEndpoint: ${cluster.endpoint ?? ''}`, `    cidr: ${cluster.serviceIpv4Cidr}`, ''].join('\n');
  return createLaunchTemplate(world, {
    name: `eks-${nodegroupUuid(nodegroup)}`,
    createdBy: `arn:aws:sts::${world.account}:assumed-role/AWSServiceRoleForAmazonEKSNodegroup/EKS`,
    data: {
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true, VolumeSize: nodegroup.diskSize ?? 20, VolumeType: 'gp3' } }],
      IamInstanceProfile: { Arn: instanceProfileArn(world, nodegroup) },
      ImageId: amiFor(world, nodegroup.amiType, nodegroup.version),
      InstanceType: nodegroup.instanceTypes[0] ?? 't3.medium',
      MetadataOptions: { HttpPutResponseHopLimit: 2, HttpTokens: 'required' },
      SecurityGroupIds: securityGroupIds,
      UserData: Buffer.from(userData).toString('base64'),
      ...(nodegroup.remoteAccess?.ec2SshKey ? { KeyName: nodegroup.remoteAccess.ec2SshKey } : {}),
      ...(custom?.data ?? {}),
    },
    tags: { ...ownershipTags(cluster, nodegroup) },
  });
}

function groupOf(world: World, nodegroup: Nodegroup): AutoScalingGroup | undefined {
  return world.autoScaling.groups.get(nodegroup.autoScalingGroupName);
}

/** Called when the nodegroup becomes ACTIVE: its group, template and instances. Idempotent. */
export function launchNodegroupCapacity(world: World, cluster: Cluster, nodegroup: Nodegroup): AutoScalingGroup {
  const existing = groupOf(world, nodegroup);
  if (existing) return existing;
  createInstanceProfile(world, nodegroup);
  const custom = nodegroup.launchTemplate ? findLaunchTemplate(world, nodegroup.launchTemplate) : undefined;
  const used = eksLaunchTemplate(world, cluster, nodegroup, custom);
  const subnets = nodegroup.subnets.map((id) => world.ec2.subnets.get(id)).filter((s): s is Subnet => s !== undefined);
  const name = nodegroup.autoScalingGroupName;
  const tags = {
    ...ownershipTags(cluster, nodegroup),
    'k8s.io/cluster-autoscaler/enabled': 'true',
    [`k8s.io/cluster-autoscaler/${cluster.name}`]: 'owned',
  };
  const group: AutoScalingGroup = {
    name,
    arn: world.arn('autoscaling', `autoScalingGroup:${nodegroupUuid(nodegroup)}:autoScalingGroupName/${name}`),
    minSize: nodegroup.scalingConfig.minSize,
    maxSize: nodegroup.scalingConfig.maxSize,
    desiredCapacity: nodegroup.scalingConfig.desiredSize,
    subnetIds: subnets.map((s) => s.subnetId),
    availabilityZones: [...new Set(subnets.map((s) => s.availabilityZone))],
    launchTemplate: { id: used.id, name: used.name, version: String(used.version) },
    ...(nodegroup.instanceTypes.length > 1 ? { mixedInstanceTypes: [...nodegroup.instanceTypes] } : {}),
    instanceIds: [],
    createdTime: world.clock.now(),
    tags,
  };
  world.autoScaling.groups.set(name, group);
  reconcile(world, cluster, nodegroup, group);
  for (const id of group.instanceIds) {
    const instance = world.ec2.instances.get(id);
    if (instance) instance.bootedAt = nodegroup.createdAt;
  }
  return group;
}

/** Called when a nodegroup config update applied: the group takes the new sizes and launches or terminates to match. */
export function scaleNodegroupCapacity(world: World, cluster: Cluster, nodegroup: Nodegroup): void {
  const group = groupOf(world, nodegroup);
  if (!group) return;
  Object.assign(group, { minSize: nodegroup.scalingConfig.minSize, maxSize: nodegroup.scalingConfig.maxSize, desiredCapacity: nodegroup.scalingConfig.desiredSize });
  reconcile(world, cluster, nodegroup, group);
}

/** Called when the nodegroup starts DELETING: the group drains (its instances shut down). */
export function drainNodegroupCapacity(world: World, nodegroup: Nodegroup): void {
  const group = groupOf(world, nodegroup);
  if (!group) return;
  Object.assign(group, { status: 'Delete in progress', minSize: 0, maxSize: 0, desiredCapacity: 0 });
  for (const id of group.instanceIds) {
    const instance = world.ec2.instances.get(id);
    if (instance && instance.state !== 'terminated') instance.state = 'shutting-down';
  }
}

/** Called when the nodegroup is gone: its instances terminated, its group, EKS's template and instance profile deleted. */
export function releaseNodegroupCapacity(world: World, nodegroup: Nodegroup): void {
  const group = groupOf(world, nodegroup);
  if (group) {
    for (const id of group.instanceIds) terminateInstance(world, id);
    world.autoScaling.groups.delete(group.name);
  }
  const eksTemplate = `eks-${nodegroupUuid(nodegroup)}`;
  world.iam.instanceProfiles.delete(eksTemplate);
  for (const [id, record] of world.ec2.other) {
    if (record.type === LAUNCH_TEMPLATE_TYPE && record.properties.LaunchTemplateName === eksTemplate) world.ec2.other.delete(id);
  }
}

/** The group's live instances. */
function membersOf(world: World, group: AutoScalingGroup): Instance[] {
  return group.instanceIds.map((id) => world.ec2.instances.get(id)).filter((i): i is Instance => i !== undefined && i.state !== 'terminated');
}

/**
 * Launches or terminates until the group has desiredCapacity instances. Like Auto Scaling's zone
 * balancing, a launch goes to the subnet whose zone has the fewest of the group's instances, and
 * a scale-in takes the newest instance from the zone with the most.
 */
function reconcile(world: World, cluster: Cluster, nodegroup: Nodegroup, group: AutoScalingGroup): void {
  forgetOldTerminated(world);
  const subnets = group.subnetIds.map((id) => world.ec2.subnets.get(id)).filter((s): s is Subnet => s !== undefined);
  if (subnets.length === 0) return;
  const template = group.launchTemplate ? findLaunchTemplate(world, group.launchTemplate) : undefined;
  const data = template?.data ?? {};
  let members = membersOf(world, group);
  while (members.length < group.desiredCapacity) {
    const count = perZone(members);
    const subnet = subnets.reduce((best, s) => (count(s.availabilityZone) < count(best.availabilityZone) ? s : best));
    const types = nodegroup.instanceTypes.length ? nodegroup.instanceTypes : [String(data.InstanceType)];
    // On-Demand takes the first type (prioritized); Spot spreads over them (diversified).
    const instanceType = nodegroup.capacityType === 'SPOT' ? types[members.length % types.length]! : types[0]!;
    const instance = launchMember(world, cluster, nodegroup, group, subnet, instanceType, typeof data.ImageId === 'string' ? data.ImageId : amiFor(world, nodegroup.amiType, nodegroup.version));
    group.instanceIds.push(instance.instanceId);
    members = [...members, instance];
  }
  scaleInToDesired(world, group, members);
}

/** Launches one instance of the group into `subnet`, as the group's launch template describes it. */
function launchMember(world: World, cluster: Cluster, nodegroup: Nodegroup, group: AutoScalingGroup, subnet: Subnet, instanceType: string, imageId: string): Instance {
  const template = group.launchTemplate ? findLaunchTemplate(world, group.launchTemplate) : undefined;
  const data = template?.data ?? {};
  const securityGroupIds = Array.isArray(data.SecurityGroupIds) && data.SecurityGroupIds.length ? data.SecurityGroupIds.map(String) : [cluster.vpc.clusterSecurityGroupId];
  return launchInstance(world, {
    subnet,
    instanceType,
    imageId,
    architecture: architectureOf(nodegroup.amiType, instanceType),
    securityGroupIds,
    capacityType: nodegroup.capacityType === 'SPOT' ? 'SPOT' : 'ON_DEMAND',
    iamInstanceProfileArn: instanceProfileArn(world, nodegroup),
    launchTemplate: group.launchTemplate,
    autoScalingGroupName: group.name,
    tags: {
      ...ownershipTags(cluster, nodegroup),
      'aws:autoscaling:groupName': group.name,
      'aws:ec2launchtemplate:id': group.launchTemplate?.id ?? '',
      'aws:ec2launchtemplate:version': group.launchTemplate?.version ?? '1',
      'k8s.io/cluster-autoscaler/enabled': 'true',
      [`k8s.io/cluster-autoscaler/${cluster.name}`]: 'owned',
    },
  });
}

/** The ids of the nodegroup's running instances, oldest first: what a version update replaces. */
export function nodegroupInstanceIds(world: World, nodegroup: Nodegroup): string[] {
  const group = groupOf(world, nodegroup);
  return group ? membersOf(world, group).sort((a, b) => a.launchTime.getTime() - b.launchTime.getTime()).map((i) => i.instanceId) : [];
}

/**
 * The image a version update moves the nodegroup to: EKS's optimized AMI of `version`, unless the
 * nodegroup's own launch template names its image (a custom AMI is the template's business).
 */
export function upgradeImage(world: World, nodegroup: Nodegroup, version: string, templateVersion = nodegroup.launchTemplate?.version): string {
  const custom = nodegroup.launchTemplate ? findLaunchTemplate(world, { ...nodegroup.launchTemplate, version: templateVersion }) : undefined;
  return typeof custom?.data.ImageId === 'string' ? custom.data.ImageId : amiFor(world, nodegroup.amiType, version);
}

/**
 * The instance type a version update's replacements get: the one the nodegroup's own launch
 * template carries when CreateNodegroup was given none (a new template version may change it),
 * else the replaced node's own (CreateNodegroup's instanceTypes never change).
 */
export function upgradeInstanceType(world: World, nodegroup: Nodegroup, current: string, templateVersion = nodegroup.launchTemplate?.version): string {
  if (nodegroup.instanceTypes.length > 0) return current;
  const custom = nodegroup.launchTemplate ? findLaunchTemplate(world, { ...nodegroup.launchTemplate, version: templateVersion }) : undefined;
  return typeof custom?.data.InstanceType === 'string' ? custom.data.InstanceType : current;
}

/**
 * One batch of a managed nodegroup's version update: for each old instance, a new one from
 * `imageId` in the same subnet (EKS launches replacements in the zone of the node they replace),
 * of the type upgradeInstanceType says, then the old one is terminated once drained. Returns the
 * names of the nodes replaced.
 */
export function replaceNodegroupInstances(world: World, cluster: Cluster, nodegroup: Nodegroup, oldIds: string[], imageId: string, templateVersion = nodegroup.launchTemplate?.version): string[] {
  const group = groupOf(world, nodegroup);
  if (!group) return [];
  const replaced: string[] = [];
  for (const id of oldIds) {
    const old = world.ec2.instances.get(id);
    const subnet = old ? world.ec2.subnets.get(old.subnetId) : undefined;
    if (!old || old.state === 'terminated' || !subnet) continue;
    const instance = launchMember(world, cluster, nodegroup, group, subnet, upgradeInstanceType(world, nodegroup, old.instanceType, templateVersion), imageId);
    group.instanceIds.push(instance.instanceId);
    terminateInstance(world, id, 'Service initiated');
    group.instanceIds = group.instanceIds.filter((member) => member !== id);
    replaced.push(old.privateDnsName);
  }
  return replaced;
}

/**
 * When a version update succeeds: EKS's launch template gets a new version with the new image
 * (and the instance type of the nodegroup's own template's new version) and the group launches
 * from it, so later scale-outs start the new AMI and type too.
 */
export function retargetNodegroupTemplate(world: World, nodegroup: Nodegroup, imageId: string): void {
  const group = groupOf(world, nodegroup);
  const record = group?.launchTemplate ? world.ec2.other.get(group.launchTemplate.id) : undefined;
  if (!group?.launchTemplate || !record) return;
  const data = (record.properties.LaunchTemplateData ?? {}) as Record<string, unknown>;
  const instanceType = upgradeInstanceType(world, nodegroup, String(data.InstanceType ?? 't3.medium'));
  if (data.ImageId === imageId && data.InstanceType === instanceType) return;
  const version = addLaunchTemplateVersion(record, { ...data, ImageId: imageId, InstanceType: instanceType }, world.clock.now());
  group.launchTemplate = { ...group.launchTemplate, version: String(version) };
}

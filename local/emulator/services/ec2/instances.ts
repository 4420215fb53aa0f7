/**
 * Instances: launched into a subnet with a primary network interface and a free private address
 * of that subnet, terminated as EC2 does (state `terminated`, the interface deleted with it, the
 * record still listed a while). Auto Scaling groups (nodegroup-capacity.ts) launch through here.
 */
import { createHash } from 'node:crypto';
import type { Instance, Subnet, World } from '../../world';
import { createNetworkInterface, privateDnsNameOf, publicAddress } from './state';

export interface LaunchSpec {
  subnet: Subnet;
  instanceType: string;
  imageId: string;
  architecture: Instance['architecture'];
  securityGroupIds: string[];
  tags: Record<string, string>;
  capacityType: Instance['capacityType'];
  iamInstanceProfileArn?: string;
  launchTemplate?: Instance['launchTemplate'];
  autoScalingGroupName?: string;
}

export function launchInstance(world: World, spec: LaunchSpec): Instance {
  const instanceId = world.newId('i');
  const eni = createNetworkInterface(world, {
    subnet: spec.subnet,
    description: '',
    interfaceType: 'interface',
    securityGroupIds: spec.securityGroupIds,
    instanceId,
  });
  const publicIpAddress = spec.subnet.mapPublicIpOnLaunch ? publicAddress(world) : undefined;
  const instance: Instance = {
    instanceId,
    reservationId: world.newId('r'),
    instanceType: spec.instanceType,
    imageId: spec.imageId,
    vpcId: spec.subnet.vpcId,
    subnetId: spec.subnet.subnetId,
    availabilityZone: spec.subnet.availabilityZone,
    privateIpAddress: eni.privateIpAddress,
    privateDnsName: privateDnsNameOf(world, eni.privateIpAddress),
    ...(publicIpAddress ? { publicIpAddress } : {}),
    securityGroupIds: [...spec.securityGroupIds],
    networkInterfaceId: eni.networkInterfaceId,
    ...(spec.iamInstanceProfileArn ? { iamInstanceProfileArn: spec.iamInstanceProfileArn } : {}),
    ...(spec.launchTemplate ? { launchTemplate: { ...spec.launchTemplate } } : {}),
    ...(spec.autoScalingGroupName ? { autoScalingGroupName: spec.autoScalingGroupName } : {}),
    launchTime: world.clock.now(),
    state: 'running',
    architecture: spec.architecture,
    capacityType: spec.capacityType,
    tags: { ...spec.tags },
  };
  world.ec2.instances.set(instanceId, instance);
  return instance;
}

/** `User initiated (2026-01-02 10:00:00 GMT)`: EC2's StateTransitionReason wording. */
function transitionReason(why: string, at: Date): string {
  return `${why} (${at.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' GMT')})`;
}

/** Terminates an instance (at `at`, when it finished shutting down earlier): its primary interface goes with it (DeleteOnTermination), its record stays, `terminated`. */
export function terminateInstance(world: World, instanceId: string, why = 'User initiated', at = world.clock.now()): void {
  const instance = world.ec2.instances.get(instanceId);
  if (!instance || instance.state === 'terminated') return;
  world.ec2.networkInterfaces.delete(instance.networkInterfaceId);
  instance.state = 'terminated';
  instance.stateTransitionReason = transitionReason(why, at);
  delete instance.publicIpAddress;
}

/** How long EC2 keeps listing a terminated instance; after that it is forgotten. */
export const TERMINATED_VISIBLE_MS = 60 * 60 * 1000;

/** When a terminated instance was terminated, read back from its StateTransitionReason (to the second). */
export function terminatedAt(instance: Instance): Date | undefined {
  if (instance.state !== 'terminated') return undefined;
  const at = /\((\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) GMT\)$/.exec(instance.stateTransitionReason ?? '')?.[1];
  return at ? new Date(`${at.replace(' ', 'T')}Z`) : undefined;
}

/** Drops instances terminated more than an hour (emulated) ago, as DescribeInstances stops showing them. */
export function forgetOldTerminated(world: World): void {
  const now = world.clock.now().getTime();
  for (const [id, instance] of world.ec2.instances) {
    const at = terminatedAt(instance);
    if (at && now - at.getTime() > TERMINATED_VISIBLE_MS) world.ec2.instances.delete(id);
  }
}

/** The EKS optimized AMI of an amiType and Kubernetes version: a stable id per region, as SSM's parameters give one. */
export function amiFor(world: World, amiType: string, kubernetesVersion: string): string {
  return `ami-0${createHash('sha256').update(`${world.region}/${amiType}/${kubernetesVersion}`).digest('hex').slice(0, 16)}`;
}

export function architectureOf(amiType: string, instanceType: string): Instance['architecture'] {
  // Graviton families carry a "g" after the generation (m6g, c7gn, t4g).
  return /ARM|arm64/.test(amiType) || /^[a-z]+\d+g/.test(instanceType) ? 'arm64' : 'x86_64';
}

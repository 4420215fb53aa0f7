/**
 * What EKS emulator tests need: a World with a VPC of two private subnets in two zones and IAM
 * roles carrying the managed policies EKS checks for, before CreateCluster; and, for the suites
 * that talk to EKS over HTTP, one emulator serving EKS and STS (and whatever else a suite adds) on
 * such a World, with an SDK client for it.
 */
import { EKSClient } from '@aws-sdk/client-eks';
import { createEksService, type EksServiceModule, type EksState } from '../../local/emulator/services/eks';
import { createStsService } from '../../local/emulator/services/sts';
import { startEmulator, type RunningEmulator, type ServiceModule } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';

export const ACCOUNT = '000000000000';
export const CLUSTER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/cluster-role`;
export const NODE_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/node-role`;

/** Makes the VPC and its two subnets (us-east-1a, us-east-1b); answers the subnet ids. */
export function seedTwoZoneVpc(world: World): string[] {
  const vpcId = world.newId('vpc');
  world.ec2.vpcs.set(vpcId, { vpcId, cidrBlock: '10.0.0.0/16', tags: {} });
  return ['a', 'b'].map((zone, i) => {
    const subnetId = world.newId('subnet');
    world.ec2.subnets.set(subnetId, { subnetId, vpcId, cidrBlock: `10.0.${i * 32}.0/19`, availabilityZone: `us-east-1${zone}`, mapPublicIpOnLaunch: false, tags: {} });
    return subnetId;
  });
}

/** Roles by name with their AWS managed policies (by policy name). */
export function seedRoles(world: World, account: string, roles: Record<string, readonly string[]>): void {
  for (const [name, policies] of Object.entries(roles)) {
    world.iam.roles.set(name, { arn: `arn:aws:iam::${account}:role/${name}`, roleName: name, path: '/', assumeRolePolicyDocument: {}, managedPolicyArns: policies.map((p) => `arn:aws:iam::aws:policy/${p}`), tags: {} });
  }
}

export interface EksWorld {
  world: World;
  emulator: RunningEmulator;
  /** The EKS service's state, for what a test reads behind the API (nodes, sampled durations). */
  state: EksState;
  eks: EKSClient;
  /** The two subnets of the seeded VPC. */
  subnets: string[];
  stop(): Promise<void>;
}

export interface EksWorldOptions {
  scale: number;
  /** The SDK client's access key: each suite signs as its own caller. */
  accessKeyId: string;
  /** Services to serve beside EKS and STS, made on the same World. */
  more?: (world: World, eks: EksServiceModule) => ServiceModule[];
  /** Runs once the emulator listens, before the seeding (a CloudFormation warm-up, say). */
  ready?: (services: ServiceModule[]) => Promise<void>;
}

/**
 * EKS and STS (plus `more`) on a fresh World at this time scale, seeded with the two-zone VPC and
 * the cluster-role (AmazonEKSClusterPolicy) and node-role (worker node and ECR read-only policies).
 * The client makes one attempt per call, so a refusal shows as itself rather than as retries.
 */
export async function startEksWorld(options: EksWorldOptions): Promise<EksWorld> {
  const world = new World({ timeScale: options.scale });
  // Cluster endpoints name the emulator's URL, known once it listens (the service asks lazily).
  const eksService = createEksService(world, { baseUrl: () => emulator.url });
  const more = options.more?.(world, eksService) ?? [];
  const emulator = await startEmulator({ timeScale: options.scale, services: [eksService, createStsService(world), ...more] }, world);
  await options.ready?.(more);
  const eks = new EKSClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: options.accessKeyId, secretAccessKey: 'x' }, maxAttempts: 1 });
  const subnets = seedTwoZoneVpc(world);
  seedRoles(world, ACCOUNT, { 'cluster-role': ['AmazonEKSClusterPolicy'], 'node-role': ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly'] });
  return {
    world,
    emulator,
    state: eksService.state,
    eks,
    subnets,
    async stop() {
      eks.destroy();
      emulator.server.closeAllConnections();
      await emulator.close();
    },
  };
}

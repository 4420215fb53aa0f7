/**
 * For emulator suites about what a cluster's VPC holds besides the stack (what a load balancer
 * controller leaves, say): one emulator serving CloudFormation, EKS, EC2, STS and IAM (and what a
 * suite adds) on a seeded World set up as local mode sets it (the permissions boundary policy,
 * the kube agent's code), with the real cluster stack deployed in a VPC of its own (two zones, one
 * NAT gateway), and the calls the suites make of that stack and of the /_local controls.
 */
import { CloudFormationClient, DeleteStackCommand, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { renderClusterTemplate } from '../../functions/domain/cluster-template';
import { PERMISSIONS_BOUNDARY_DOCUMENT, POD_ROLE_BOUNDARY_DOCUMENT } from '../../functions/domain/permissions-boundary';
import { startEmulator, type RunningEmulator, type ServiceModule } from '../../local/emulator/server';
import { createCloudFormationService } from '../../local/emulator/services/cloudformation';
import { createEc2Service } from '../../local/emulator/services/ec2';
import { createEksService } from '../../local/emulator/services/eks';
import { createIamService } from '../../local/emulator/services/iam';
import { createStsService } from '../../local/emulator/services/sts';
import { World } from '../../local/emulator/world';
import { localClientConfig } from '../../local/start';
import { clusterTemplateInput } from '../unit/domain/cluster-template-inputs';
import { KUBE_AGENT_CODE, PERMISSIONS_BOUNDARY_ARN, POD_ROLE_BOUNDARY_ARN } from './fake-aws';
import { until } from './until';
import { deployStack } from './vpc-stacks';

export interface ClusterStackEmulatorOptions {
  /** The World's seed: each suite keeps its own sampled durations and ids. */
  seed: number;
  scale: number;
  cluster: string;
  /** The cluster VPC's CIDR. */
  cidr: string;
  /** Services to serve beside CloudFormation, EKS, EC2, STS and IAM, made on the same World. */
  more?: (world: World) => ServiceModule[];
}

type ClientConfig = ReturnType<typeof localClientConfig> & { maxAttempts: number };

export interface ClusterStackEmulator {
  world: World;
  emulator: RunningEmulator;
  cloudFormation: CloudFormationClient;
  stackName: string;
  /** An SDK client of the emulator (destroyed by stop()). */
  client<C extends { destroy(): void }>(Client: new (config: ClientConfig) => C): C;
  /** The stack as DescribeStacks answers it now. */
  stack(): Promise<Stack>;
  /** DeleteStack, then waits for the end: the stack as it ended (DELETE_FAILED), or undefined once it is gone. */
  deleteStack(): Promise<Stack | undefined>;
  /** POSTs a JSON body to one of the emulator's /_local controls. */
  control(path: string, body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/**
 * Starts the emulator and deploys the cluster stack, which must end CREATE_COMPLETE. SDK clients
 * sign as the `local` developer and make one attempt per call, so a refusal shows as itself
 * rather than as retries.
 */
export async function startClusterStackEmulator(options: ClusterStackEmulatorOptions): Promise<ClusterStackEmulator> {
  const world = new World({ timeScale: options.scale, seed: options.seed });
  // Cluster endpoints name the emulator's URL, known once it listens (the service asks lazily).
  const eksService = createEksService(world, { baseUrl: () => emulator.url });
  // The /_local controls find clusters through the world, as local mode wires it.
  world.eks = eksService.state;
  const services = [createCloudFormationService(world), eksService, createEc2Service(world), createStsService(world), createIamService(world), ...(options.more?.(world) ?? [])];
  const emulator = await startEmulator({ timeScale: options.scale, services }, world);
  world.iam.policies.set(PERMISSIONS_BOUNDARY_ARN, { arn: PERMISSIONS_BOUNDARY_ARN, document: PERMISSIONS_BOUNDARY_DOCUMENT });
  // Both boundaries, as local mode deploys them: a spec with Pod Identity roles renders the pod role boundary on them.
  world.iam.policies.set(POD_ROLE_BOUNDARY_ARN, { arn: POD_ROLE_BOUNDARY_ARN, document: POD_ROLE_BOUNDARY_DOCUMENT });
  // The cluster stack deploys the kube agent: its code location must stand for something.
  world.functions.registerCode(KUBE_AGENT_CODE, () => ({}));

  const config: ClientConfig = { ...localClientConfig(emulator.url), maxAttempts: 1 };
  const clients: Array<{ destroy(): void }> = [];
  const client = <C extends { destroy(): void }>(Client: new (config: ClientConfig) => C): C => {
    const made = new Client(config);
    clients.push(made);
    return made;
  };
  const stop = async () => {
    for (const made of clients) made.destroy();
    emulator.server.closeAllConnections();
    await emulator.close();
  };
  const cloudFormation = client(CloudFormationClient);
  const describe = (name: string) => cloudFormation.send(new DescribeStacksCommand({ StackName: name })).then((r) => r.Stacks![0]!);

  const input = clusterTemplateInput({ name: options.cluster, network: { vpc: { cidr: options.cidr, azCount: 2, natGateway: 'Single' } } });
  const { stackName } = input;
  const created = await deployStack(cloudFormation, stackName, renderClusterTemplate(input), 30_000, ['CAPABILITY_NAMED_IAM']);
  if (created.StackStatus !== 'CREATE_COMPLETE') {
    await stop();
    throw new Error(`the cluster stack ${stackName} ended ${created.StackStatus}: ${created.StackStatusReason ?? 'no reason given'}`);
  }

  return {
    world,
    emulator,
    cloudFormation,
    stackName,
    client,
    stack: () => describe(stackName),
    async deleteStack() {
      await cloudFormation.send(new DeleteStackCommand({ StackName: stackName }));
      // A stack gone is one DescribeStacks no longer knows.
      const gone = () => describe(stackName).catch(() => undefined);
      return until(gone, (stack) => stack?.StackStatus !== 'DELETE_IN_PROGRESS', `stack ${stackName} deleted or failed`, 30_000);
    },
    async control(path, body) {
      const response = await fetch(`${emulator.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    },
    stop,
  };
}

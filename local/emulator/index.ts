/**
 * The whole local AWS endpoint: every emulated service on one server over one World, with
 * DynamoDB from dynalite. `npm start` (local/start.ts) runs this and attaches the local runtime
 * (world.executions) so Step Functions executions run the real handlers.
 */
import { createAutoScalingService, resumeTerminations } from './services/autoscaling';
import { createCloudFormationService, type CloudFormationService } from './services/cloudformation';
import { createDynamoDbService, startDynalite, type RunningDynalite } from './services/dynamodb';
import { createEc2Service, seedDefaultNetwork, type DefaultNetwork } from './services/ec2';
import { createEksService } from './services/eks';
import { createElasticLoadBalancingService, resumeClassicInterfaceReleases } from './services/elb';
import { resumeLoadBalancerDeletions } from './services/elbv2';
import { createEventBridgeService } from './services/eventbridge';
import { createIamService } from './services/iam';
import { createKubernetesService } from './services/kubernetes';
import { createLambdaService } from './services/lambda';
import { createLocalControlService } from './services/local-control';
import { createSchedulerService, type SchedulerService } from './services/scheduler';
import { createSsmService } from './services/ssm';
import { createStepFunctionsService } from './services/stepfunctions';
import { createStsService } from './services/sts';
import { startEmulator, type RunningEmulator, type ServiceModule } from './server';
import { World } from './world';
import { restoreWorld, type WorldSnapshot } from './persistence';
import type { EksState } from './services/eks/state';

export { World } from './world';
export type { RunningEmulator, ServiceModule } from './server';
export { startDynalite, seedDefaultNetwork };

export interface ServicesOptions {
  /** The emulator's own URL once it listens: EKS gives clusters endpoints under `<baseUrl>/k8s/<cluster>`. */
  baseUrl: () => string;
  /** Where dynalite listens. */
  dynaliteUrl: string;
  /** Static access keys (id → secret) whose signatures, and presigned STS tokens, are honoured. */
  credentials?: Record<string, string>;
  /** Access key id → the IAM identity it stands for (default: the local developer user). */
  callers?: Record<string, string>;
}

/** Every service module over one World: CloudFormation, EKS, Kubernetes, STS, EC2, IAM, Auto Scaling, Elastic Load Balancing (v2 and Classic), EventBridge, EventBridge Scheduler, Lambda (Invoke, GetFunction, ListFunctions), Step Functions, DynamoDB, /_local. */
export function createServices(world: World, options: ServicesOptions): ServiceModule[] {
  return assemble(world, options).services;
}

interface Assembled {
  services: ServiceModule[];
  cloudFormation: CloudFormationService;
  scheduler: SchedulerService;
  eks: EksState;
}

function assemble(world: World, options: ServicesOptions): Assembled {
  const credentials = options.credentials ?? {};
  const eks = createEksService(world, { baseUrl: options.baseUrl });
  const cloudFormation = createCloudFormationService(world);
  const scheduler = createSchedulerService(world);
  const services = [
    cloudFormation,
    eks,
    createKubernetesService(world, { eks, credentials }),
    createStsService(world, { credentials, ...(options.callers ? { callers: options.callers } : {}) }),
    createEc2Service(world),
    createIamService(world),
    createAutoScalingService(world),
    createElasticLoadBalancingService(world),
    createSsmService(world),
    createEventBridgeService(world),
    scheduler,
    createLambdaService(world),
    createStepFunctionsService(world),
    createDynamoDbService(world, options.dynaliteUrl),
    createLocalControlService(world),
  ];
  return { services, cloudFormation, scheduler, eks: eks.state };
}

export interface LocalAwsOptions {
  /** 0 picks a free port. */
  port: number;
  timeScale: number;
  seed?: number;
  credentials?: Record<string, string>;
  callers?: Record<string, string>;
  /** A saved world to continue (local/emulator/persistence.ts): its clock, resources and work in progress. */
  restore?: WorldSnapshot;
  /** Where dynalite keeps its tables (LevelDB); in memory when absent. */
  dynamoPath?: string;
  /**
   * Runtime wiring the world needs before restored work resumes (the code of functions stacks
   * deploy: a stack resumed mid-create deploys its function at once).
   */
  wire?: (world: World) => Promise<void> | void;
}

export interface LocalAws {
  url: string;
  port: number;
  world: World;
  emulator: RunningEmulator;
  dynalite: RunningDynalite;
  /** The account's default VPC and subnets (for specs that bring `network.subnets`). */
  defaultNetwork: DefaultNetwork;
  close(): Promise<void>;
}

/** dynalite, then the emulator with every service and the default network seeded. */
export async function startLocalAws(options: LocalAwsOptions): Promise<LocalAws> {
  const world = new World({ timeScale: options.timeScale, ...(options.seed !== undefined ? { seed: options.seed } : {}), ...(options.restore ? { emulatedStart: options.restore.emulatedNow } : {}) });
  const dynalite = await startDynalite(options.dynamoPath ? { path: options.dynamoPath } : {});
  try {
    let baseUrl = '';
    const { services, cloudFormation, scheduler, eks } = assemble(world, { baseUrl: () => baseUrl, dynaliteUrl: dynalite.url, ...(options.credentials ? { credentials: options.credentials } : {}), ...(options.callers ? { callers: options.callers } : {}) });
    const emulator = await startEmulator({ port: options.port, timeScale: options.timeScale, ...(options.seed !== undefined ? { seed: options.seed } : {}), services }, world);
    baseUrl = emulator.url;
    // The resource specification takes ~0.6 s of busy event loop to load: at a time scale of 0.003
    // that would be minutes of emulated time stolen from the first stack's timeline.
    await cloudFormation.engine.warmUp();
    await options.wire?.(world);
    if (options.restore) {
      restoreWorld(world, options.restore);
      // What was in progress goes on from where the clock stood: EKS first (stacks wait for its clusters).
      eks.resume();
      cloudFormation.engine.resume();
      scheduler.resume();
      resumeLoadBalancerDeletions(world);
      resumeClassicInterfaceReleases(world);
      resumeTerminations(world);
    }
    const defaultNetwork = seedDefaultNetwork(world);
    return {
      url: emulator.url,
      port: emulator.port,
      world,
      emulator,
      dynalite,
      defaultNetwork,
      close: async () => {
        emulator.server.closeAllConnections();
        await emulator.close();
        await dynalite.close();
      },
    };
  } catch (error) {
    await dynalite.close();
    throw error;
  }
}

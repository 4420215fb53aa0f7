/**
 * The IAM roles the CDK stack gives the service, made in the emulated account so local mode acts
 * as AWS would: every Lambda function runs as its own execution role (trusting
 * lambda.amazonaws.com, infra/constructs/service-function.ts), and cluster stacks run under the
 * CloudFormation execution role (infra/constructs/cluster-stack-role.ts), which CloudFormation
 * and the steps that reach the Kubernetes API as the cluster creator may assume; the Kubernetes
 * groups role the VPC sweepers assume (infra/constructs/kubernetes-groups-role.ts); and the role
 * EventBridge Scheduler invokes the API function with (infra/constructs/schedules.ts).
 *
 * CDK generates role names; locally they are deterministic: `<function name>-role` and
 * `eksp-cluster-stack-role`. Only trust policies are put in the world: the emulator does not
 * evaluate permission policies (docs/local-mode.md), so the roles carry none.
 */
import type { Role, World } from '../emulator/world';
import { stsIdentities, type ServiceSession } from '../emulator/services/sts';
import type { FunctionIdentity } from './deps';
import { TASK_FUNCTIONS, type StepModule } from '../../statemachines/task-functions';

/** The API function (REST, operation-request events, expiry schedules). */
export const API_FUNCTION = 'eksp-api';
/** The backstop reporting operations whose execution ended without (functions/listeners). */
export const EXECUTION_ENDED_FUNCTION = 'eksp-execution-ended';
/** The scheduled reconciler (functions/listeners/reconciler.ts). */
export const RECONCILER_FUNCTION = 'eksp-reconciler';
/** The daily version support check (functions/listeners/version-support-check.ts). */
export const VERSION_SUPPORT_CHECK_FUNCTION = 'eksp-version-support-check';
/** The role EventBridge Scheduler invokes the API function with (a cluster's ttl expiry, its unattended upgrade). */
export const SCHEDULER_ROLE = 'eksp-scheduler';
/** The CloudFormation execution role of cluster stacks. */
export const CLUSTER_STACK_ROLE = 'eksp-cluster-stack-role';
/** The role the VPC sweep assumes, scoped to one cluster per session, for Kubernetes' own security groups (infra/constructs/kubernetes-groups-role.ts). */
export const KUBERNETES_GROUPS_ROLE = 'eksp-kubernetes-groups-role';

/** The local Lambda function serving a step module's Task states. */
export function stepFunctionName(module: StepModule): string {
  return `eksp-${module}`;
}

/** A function's execution role name. */
export function functionRoleName(functionName: string): string {
  return `${functionName}-role`;
}

/**
 * How a step uses the CloudFormation execution role, as infra/constructs/step-lambdas.ts declares
 * it (test/unit/local/service-roles.test.ts holds the two tables equal): `pass` steps get
 * CLOUDFORMATION_ROLE_ARN; `assume` and `pass-and-assume` steps get KUBERNETES_ACCESS_ROLE_ARN and
 * CLOUDFORMATION_ROLE_ARN and are trusted by the role.
 */
export const CLUSTER_STACK_ROLE_USE: Partial<Record<StepModule, 'pass' | 'assume' | 'pass-and-assume'>> = {
  'create-cluster-stack': 'pass',
  'create-self-managed-nodegroup': 'pass',
  'roll-back': 'pass',
  'delete-compute': 'pass',
  'check-compute-deletion': 'pass',
  'delete-cluster-stack': 'pass',
  'check-cluster-stack-deletion': 'pass',
  'change-nodegroup': 'pass',
  'change-self-managed-nodegroup': 'pass-and-assume',
  'upgrade-self-managed-nodegroup': 'pass-and-assume',
  'change-fargate-profile': 'pass',
  'change-settings': 'pass',
  'change-pod-identity': 'pass',
  'map-identities': 'assume',
  'change-access': 'assume',
  'check-self-managed-nodegroup': 'assume',
  'check-nodes-ready': 'assume',
};

/** The steps infra/constructs/step-lambdas.ts declares `sweepsKubernetesGroups` (the same test holds them equal). */
export const SWEEPS_KUBERNETES_GROUPS: readonly StepModule[] = ['delete-controller-resources', 'roll-back'];

/** Every Lambda function of the service that local mode runs. */
export function serviceFunctionNames(): string[] {
  const steps = [...new Set(Object.values(TASK_FUNCTIONS))].map(stepFunctionName);
  return [API_FUNCTION, EXECUTION_ENDED_FUNCTION, RECONCILER_FUNCTION, VERSION_SUPPORT_CHECK_FUNCTION, ...steps];
}

/** What one function is wired with, as the CDK stack wires it. */
export interface FunctionWiring {
  functionName: string;
  roleArn: string;
  /** CLOUDFORMATION_ROLE_ARN, for the steps that pass or assume the execution role. */
  cloudFormationRoleArn?: string;
  /** KUBERNETES_ACCESS_ROLE_ARN, for the steps that assume it. */
  kubernetesAccessRoleArn?: string;
  /** KUBERNETES_GROUPS_ROLE_ARN, for the steps that sweep a cluster's VPC. */
  kubernetesGroupsRoleArn?: string;
}

const roleArn = (world: World, name: string) => `arn:aws:iam::${world.account}:role/${name}`;

function stepModuleOf(functionName: string): StepModule | undefined {
  return Object.values(TASK_FUNCTIONS).find((module) => stepFunctionName(module) === functionName);
}

export function functionWiring(world: World, functionName: string): FunctionWiring {
  const module = stepModuleOf(functionName);
  const use = module && CLUSTER_STACK_ROLE_USE[module];
  const clusterStackRole = roleArn(world, CLUSTER_STACK_ROLE);
  // The execution-ended listener knows the role as the service's principal in clusters (a stopped execution's temporary admin entry), without using it.
  const knowsRole = use || functionName === EXECUTION_ENDED_FUNCTION;
  return {
    functionName,
    roleArn: roleArn(world, functionRoleName(functionName)),
    ...(knowsRole ? { cloudFormationRoleArn: clusterStackRole } : {}),
    ...(use === 'assume' || use === 'pass-and-assume' ? { kubernetesAccessRoleArn: clusterStackRole } : {}),
    ...(module && SWEEPS_KUBERNETES_GROUPS.includes(module) ? { kubernetesGroupsRoleArn: roleArn(world, KUBERNETES_GROUPS_ROLE) } : {}),
  };
}

function role(world: World, name: string, trust: Record<string, unknown>): Role {
  return {
    arn: roleArn(world, name),
    roleName: name,
    path: '/',
    // As CDK renders a role's AssumeRolePolicyDocument.
    assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: trust }] },
    managedPolicyArns: [],
    tags: {},
  };
}

/** Puts every function's role and the CloudFormation execution role into the account (replacing earlier copies). */
export function createServiceRoles(world: World): { clusterStackRoleArn: string; schedulerRoleArn: string } {
  const functions = serviceFunctionNames();
  for (const functionName of functions) {
    const name = functionRoleName(functionName);
    world.iam.roles.set(name, role(world, name, { Service: 'lambda.amazonaws.com' }));
  }
  const assumers = functions.map((fn) => functionWiring(world, fn)).filter((w) => w.kubernetesAccessRoleArn).map((w) => w.roleArn);
  world.iam.roles.set(
    CLUSTER_STACK_ROLE,
    role(world, CLUSTER_STACK_ROLE, { Service: 'cloudformation.amazonaws.com', AWS: assumers }),
  );
  const sweepers = functions.map((fn) => functionWiring(world, fn)).filter((w) => w.kubernetesGroupsRoleArn).map((w) => w.roleArn);
  world.iam.roles.set(KUBERNETES_GROUPS_ROLE, role(world, KUBERNETES_GROUPS_ROLE, { AWS: sweepers }));
  world.iam.roles.set(SCHEDULER_ROLE, role(world, SCHEDULER_ROLE, { Service: 'scheduler.amazonaws.com' }));
  return { clusterStackRoleArn: roleArn(world, CLUSTER_STACK_ROLE), schedulerRoleArn: roleArn(world, SCHEDULER_ROLE) };
}

/** How long the credentials Lambda hands a function last (it renews them before they lapse). */
const FUNCTION_SESSION_SECONDS = 3600;

/**
 * A function's identity as Lambda gives it: credentials for its execution role, session named
 * after the function (arn:aws:sts::<account>:assumed-role/<function>-role/<function>), issued by
 * the emulated STS on Lambda's behalf (the role trusts lambda.amazonaws.com, not a caller) and
 * renewed five minutes before they expire; and the execution role wiring CDK gives it.
 */
export function functionIdentity(world: World, functionName: string): FunctionIdentity {
  const wiring = functionWiring(world, functionName);
  let session: ServiceSession | undefined;
  const credentials = async () => {
    if (!session || session.expiration.getTime() - Date.now() < 5 * 60_000) {
      session = stsIdentities(world).issueForService('lambda.amazonaws.com', wiring.roleArn, functionName, FUNCTION_SESSION_SECONDS);
    }
    return session;
  };
  return {
    credentials,
    ...(wiring.cloudFormationRoleArn ? { cloudFormationRoleArn: wiring.cloudFormationRoleArn } : {}),
    ...(wiring.kubernetesAccessRoleArn ? { kubernetesAccessRoleArn: wiring.kubernetesAccessRoleArn } : {}),
    ...(wiring.kubernetesGroupsRoleArn ? { kubernetesGroupsRoleArn: wiring.kubernetesGroupsRoleArn } : {}),
  };
}

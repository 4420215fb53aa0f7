/**
 * The ports every handler uses in local mode: the same SDK adapters the Lambda functions deploy
 * with (functions/ports), unchanged SDK clients reaching the emulator through AWS_ENDPOINT_URL,
 * and the emulated clock, so a step's elapsed-time maths sees AWS-like durations.
 *
 * Each function gets its own ports (SDK clients signing as its role, settings as CDK wires it),
 * as each Lambda function has its own container; functionScopedDeps picks them per invocation.
 *
 * Built here rather than through the ports' `once` factories: those keep their first client for
 * the life of the process (a Lambda container), and a process may start the local cloud more
 * than once (tests, the benchmark), each time on another port. Same adapters, same composition.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EKSClient } from '@aws-sdk/client-eks';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SdkAutoScaling } from '../../functions/ports/autoscaling';
import { SdkCloudFormation } from '../../functions/ports/cloudformation';
import { QueryEc2 } from '../../functions/ports/ec2';
import { SdkElb } from '../../functions/ports/elb';
import { SdkElbv2 } from '../../functions/ports/elbv2';
import { SdkEks } from '../../functions/ports/eks';
import { KubeAgentKubernetes } from '../../functions/ports/kubernetes';
import { AssumedKubernetesGroups } from '../../functions/ports/kubernetes-groups';
import { kubernetesCredentials, kubernetesPrincipal, kubernetesToken } from '../../functions/ports/kubernetes-token';
import { DynamoRegistry } from '../../functions/ports/registry';
import { EventBridgeStatusEvents } from '../../functions/ports/status-events';
import { scheduleSettingsFromConfig, SdkSchedules } from '../../functions/ports/schedules';
import { SdkSsm } from '../../functions/ports/ssm';
import { SdkWorkflows } from '../../functions/ports/workflows';
import { config, ConfigError } from '../../functions/shared/config';
import { settings, type Deps } from '../../functions/shared/deps';
import { once } from '../../functions/shared/once';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { currentFunction } from './function-scope';

/** Who a function's ports act as: its role's credentials and the execution role it is wired with. */
export interface FunctionIdentity {
  credentials: AwsCredentialIdentityProvider;
  /** CLOUDFORMATION_ROLE_ARN as CDK sets it for this function. */
  cloudFormationRoleArn?: string;
  /** KUBERNETES_ACCESS_ROLE_ARN as CDK sets it for this function. */
  kubernetesAccessRoleArn?: string;
  /** KUBERNETES_GROUPS_ROLE_ARN as CDK sets it for the functions that sweep a cluster's VPC. */
  kubernetesGroupsRoleArn?: string;
}

/** Every port over the SDK for one function, read from the environment start.ts sets (AWS_ENDPOINT_URL, TABLE_NAME...). */
export function localDeps(clock: () => Date, identity: FunctionIdentity, wait: (ms: number) => Promise<void>): Deps {
  const { credentials } = identity;
  const sts = once(() => new STSClient({ credentials }));
  // Without an access role the Kubernetes API sees the function's own role, as in Lambda.
  const kubernetesAuth = identity.kubernetesAccessRoleArn ? kubernetesCredentials(sts, identity.kubernetesAccessRoleArn) : credentials;
  return {
    autoScaling: new SdkAutoScaling(once(() => new AutoScalingClient({ credentials }))),
    cloudFormation: new SdkCloudFormation(once(() => new CloudFormationClient({ credentials }))),
    eks: new SdkEks(once(() => new EKSClient({ credentials }))),
    ec2: new QueryEc2({ region: config.region, credentials }),
    elbv2: new SdkElbv2(once(() => new ElasticLoadBalancingV2Client({ credentials }))),
    elb: new SdkElb(once(() => new ElasticLoadBalancingClient({ credentials }))),
    events: new EventBridgeStatusEvents(once(() => new EventBridgeClient({ credentials })), config.eventBusName),
    registry: new DynamoRegistry(once(() => DynamoDBDocumentClient.from(new DynamoDBClient({ credentials }), { marshallOptions: { removeUndefinedValues: true } })), config.tableName),
    kubernetesGroups: new AssumedKubernetesGroups({ region: config.region, sts, roleArn: () => wired(identity.kubernetesGroupsRoleArn, 'KUBERNETES_GROUPS_ROLE_ARN') }),
    kubernetes: new KubeAgentKubernetes(
      once(() => new LambdaClient({ credentials })),
      (cluster) => kubernetesToken(cluster, config.region(), kubernetesAuth),
      kubernetesPrincipal(sts, identity.kubernetesAccessRoleArn),
    ),
    workflows: new SdkWorkflows(once(() => new SFNClient({ credentials }))),
    schedules: new SdkSchedules(once(() => new SchedulerClient({ credentials })), scheduleSettingsFromConfig),
    ssm: new SdkSsm(once(() => new SSMClient({ credentials }))),
    clock,
    wait,
    settings: { ...settings, cloudFormationRoleArn: () => identity.cloudFormationRoleArn },
  };
}

/** A role ARN the function's wiring holds, or the ConfigError its Lambda would fail with. */
function wired(roleArn: string | undefined, variable: string): string {
  if (!roleArn) throw new ConfigError(`environment variable ${variable} is required`);
  return roleArn;
}

/**
 * The Deps to install for every handler of the process: each property resolves to the ports of
 * the function whose invocation is running (function-scope.ts), built on its first invocation
 * as a Lambda container builds them, with that function's identity. Code outside any invocation
 * has no function, hence no credentials: it is a wiring mistake, and it fails by name.
 */
export function functionScopedDeps(clock: () => Date, identityOf: (functionName: string) => FunctionIdentity, wait: (ms: number) => Promise<void>): Deps {
  const containers = new Map<string, Deps>();
  const current = (): Deps => {
    const functionName = currentFunction();
    if (!functionName) throw new Error('local mode: a handler used its ports outside a Lambda invocation (runAsFunction), so it has no function role to act as');
    let deps = containers.get(functionName);
    if (!deps) containers.set(functionName, (deps = localDeps(clock, identityOf(functionName), wait)));
    return deps;
  };
  return new Proxy({} as Deps, { get: (_target, port) => current()[port as keyof Deps] });
}

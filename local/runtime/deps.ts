/**
 * The ports every handler uses in local mode: the same SDK adapters the Lambda functions deploy
 * with (functions/ports), unchanged SDK clients reaching the emulator through AWS_ENDPOINT_URL,
 * and the emulated clock, so a step's elapsed-time maths sees AWS-like durations.
 *
 * Built here rather than through the ports' `once` factories: those keep their first client for
 * the life of the process (a Lambda container), and a process may start the local cloud more
 * than once (tests, the benchmark), each time on another port. Same adapters, same composition.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SdkCloudFormation } from '../../functions/ports/cloudformation';
import { QueryEc2 } from '../../functions/ports/ec2';
import { SdkEks } from '../../functions/ports/eks';
import { HttpKubernetes } from '../../functions/ports/kubernetes';
import { kubernetesCredentials, kubernetesPrincipal, kubernetesToken } from '../../functions/ports/kubernetes-token';
import { DynamoRegistry } from '../../functions/ports/registry';
import { EventBridgeStatusEvents } from '../../functions/ports/status-events';
import { expirySettingsFromConfig, SdkSchedules } from '../../functions/ports/schedules';
import { SdkWorkflows } from '../../functions/ports/workflows';
import { config } from '../../functions/shared/config';
import { settings, type Deps } from '../../functions/shared/deps';
import { once } from '../../functions/shared/once';

/** Every port over the SDK, read from the environment start.ts sets (AWS_ENDPOINT_URL, TABLE_NAME...). */
export function localDeps(clock: () => Date): Deps {
  const sts = once(() => new STSClient({}));
  const kubernetesRole = process.env.KUBERNETES_ACCESS_ROLE_ARN || undefined;
  const kubernetesAuth = kubernetesCredentials(sts, kubernetesRole);
  return {
    cloudFormation: new SdkCloudFormation(once(() => new CloudFormationClient({}))),
    eks: new SdkEks(once(() => new EKSClient({}))),
    ec2: new QueryEc2({ region: config.region, credentials: defaultProvider() }),
    events: new EventBridgeStatusEvents(once(() => new EventBridgeClient({})), config.eventBusName),
    registry: new DynamoRegistry(once(() => DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } })), config.tableName),
    kubernetes: new HttpKubernetes((cluster) => kubernetesToken(cluster, config.region(), kubernetesAuth), kubernetesPrincipal(sts, kubernetesRole)),
    workflows: new SdkWorkflows(once(() => new SFNClient({}))),
    schedules: new SdkSchedules(once(() => new SchedulerClient({})), expirySettingsFromConfig),
    clock,
    settings,
  };
}

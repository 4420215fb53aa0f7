/**
 * SDK clients, each built once per container on first use. Endpoints and credentials come from
 * the standard SDK configuration, so AWS_ENDPOINT_URL(_<SERVICE>) reaches a local emulator with
 * no code change. The SDK's own retries (3 attempts, adaptive backoff) absorb brief throttling;
 * what remains is classified and retried by the state machine.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

function once<T>(create: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= create());
}

export const clients = {
  cloudFormation: once(() => new CloudFormationClient({})),
  eks: once(() => new EKSClient({})),
  ec2: once(() => new EC2Client({})),
  eventBridge: once(() => new EventBridgeClient({})),
  sfn: once(() => new SFNClient({})),
  sts: once(() => new STSClient({})),
  dynamo: once(() => DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } })),
};

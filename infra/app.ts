/**
 * CDK entry (cdk.json: `npx tsx infra/app.ts`). Needs no AWS credentials: bound to an account and
 * region only when the CLI provides them (CDK_DEFAULT_ACCOUNT/REGION), environment-agnostic
 * otherwise. cdk-nag's AwsSolutions pack runs on every synth; an unacknowledged finding fails it.
 *
 * Guardrails (docs/guardrails.md) and admins come from context, on the command line or in cdk.json, e.g.
 *   npx cdk deploy -c guardrails='{"kubernetesVersions":["1.32","1.33"],"maxNodesPerCluster":20}' \
 *     -c adminPrincipalArns=arn:aws:iam::111122223333:role/PlatformAdmin \
 *     -c eventSources='{"com.example.portal":"arn:aws:iam::111122223333:role/Portal"}'
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Guardrails } from '../functions/domain/guardrails';
import { ProvisionerStack } from './provisioner-stack';

const app = new App();

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined || value === '' ? undefined : String(value);
};

const list = (key: string): string[] | undefined =>
  context(key)
    ?.split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/** An object in cdk.json, a JSON string with -c; the stack checks its content. */
function jsonContext<T>(key: string, what: string): T | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') return value as T;
  try {
    return JSON.parse(value) as T;
  } catch (error) {
    throw new Error(`context ${key} must be ${what}: ${(error as Error).message}`, { cause: error });
  }
}

new ProvisionerStack(app, 'EksProvisioner', {
  env: account && region ? { account, region } : undefined,
  description: 'eks-provisioner: Amazon EKS clusters on request (API Gateway, Step Functions, Lambda, EventBridge)',
  guardrails: jsonContext<Guardrails>('guardrails', 'a JSON object (see docs/guardrails.md)'),
  adminPrincipalArns: list('adminPrincipalArns'),
  eventSources: jsonContext<Record<string, string>>('eventSources', 'a JSON object of event source → IAM principal ARN (see docs/events.md)'),
  manageApiGatewayAccountLoggingRole: context('manageApiGatewayAccountLoggingRole') !== 'false',
});

// cdk-nag 3 is a policy-validation plugin (no longer an Aspect): findings fail `cdk synth`.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

app.synth();

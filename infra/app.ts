/**
 * CDK entry (cdk.json: `npx tsx infra/app.ts`). Needs no AWS credentials: bound to an account and
 * region only when the CLI provides them (CDK_DEFAULT_ACCOUNT/REGION), environment-agnostic
 * otherwise. cdk-nag's AwsSolutions pack runs on every synth; an unacknowledged finding fails it.
 *
 * Guardrails come from context, e.g.
 *   npx cdk deploy -c allowedKubernetesVersions=1.32,1.33 -c defaultKubernetesVersion=1.33 \
 *     -c adminPrincipalArns=arn:aws:iam::111122223333:role/PlatformAdmin
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_GUARDRAILS, ProvisionerStack } from './provisioner-stack';

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

new ProvisionerStack(app, 'EksProvisioner', {
  env: account && region ? { account, region } : undefined,
  description: 'eks-provisioner: Amazon EKS clusters on request (API Gateway, Step Functions, Lambda, EventBridge)',
  guardrails: {
    allowedKubernetesVersions: list('allowedKubernetesVersions') ?? DEFAULT_GUARDRAILS.allowedKubernetesVersions,
    defaultKubernetesVersion: context('defaultKubernetesVersion') ?? DEFAULT_GUARDRAILS.defaultKubernetesVersion,
  },
  adminPrincipalArns: list('adminPrincipalArns'),
  manageApiGatewayAccountLoggingRole: context('manageApiGatewayAccountLoggingRole') !== 'false',
});

// cdk-nag 3 is a policy-validation plugin (no longer an Aspect): findings fail `cdk synth`.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

app.synth();

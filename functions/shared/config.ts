/**
 * Service configuration: read once at cold start, typed, failing fast when something is missing.
 * Only the variables a function actually reads are required of it.
 */
import { resolveGuardrails, type ResolvedGuardrails } from '../domain/guardrails';
import { eventSourcesFrom } from '../domain/operation-request';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A required variable holding a managed policy ARN of the account. */
function managedPolicyArn(name: string): string {
  const arn = required(name);
  if (!/^arn:aws[a-z-]*:iam::\d{12}:policy\/.+$/.test(arn)) throw new ConfigError(`${name} must be a managed policy ARN of the account, got ${arn}`);
  return arn;
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new ConfigError(`environment variable ${name} is required`);
  return value;
}

function optional(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

function list(name: string, fallback: string[]): string[] {
  const value = process.env[name];
  return value ? value.split(',').map((v) => v.trim()).filter(Boolean) : fallback;
}

/** Parsed and checked once per value of GUARDRAILS (so once per cold start in Lambda). */
let guardrailsCache: { raw: string | undefined; guardrails: ResolvedGuardrails } | undefined;

/**
 * GUARDRAILS: JSON per schemas/config/guardrails.schema.json; absent, the defaults (versions
 * 1.31-1.33, default 1.33, nothing else restricted). Anything wrong is a ConfigError naming the field.
 */
function guardrails(): ResolvedGuardrails {
  const raw = process.env.GUARDRAILS;
  if (guardrailsCache && guardrailsCache.raw === raw) return guardrailsCache.guardrails;
  let parsed: unknown = {};
  if (raw !== undefined && raw.trim() !== '') {
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      throw new ConfigError(`GUARDRAILS is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  const result = resolveGuardrails(parsed);
  if (result.problems) throw new ConfigError(result.problems.map((p) => `GUARDRAILS ${p.pointer ? `${p.pointer} ` : ''}${p.message}`).join('; '));
  guardrailsCache = { raw, guardrails: result.guardrails };
  return result.guardrails;
}

export const config = {
  region: () => optional('AWS_REGION', 'us-east-1'),
  eventBusName: () => required('EVENT_BUS_NAME'),
  tableName: () => required('TABLE_NAME'),
  provisionStateMachineArn: () => required('PROVISION_STATE_MACHINE_ARN'),
  /** Role CloudFormation assumes for the cluster stack, so no Lambda needs iam:CreateRole. */
  cloudFormationRoleArn: () => process.env.CLOUDFORMATION_ROLE_ARN || undefined,
  /**
   * The managed policy every role the stacks create is bounded by (functions/domain/permissions-boundary.ts):
   * the CloudFormation execution role creates no role without it, so a stack rendered without it fails.
   */
  permissionsBoundaryArn: (): string => managedPolicyArn('PERMISSIONS_BOUNDARY_ARN'),
  /** The managed policy the roles made for Pod Identity associations are bounded by (POD_ROLE_BOUNDARY_DOCUMENT). */
  podRoleBoundaryArn: (): string => managedPolicyArn('POD_ROLE_BOUNDARY_ARN'),
  /** Where the kube agent's code is (the CDK stack's asset): every cluster stack's agent function is made from it. */
  kubeAgentCode: () => ({ s3Bucket: required('KUBE_AGENT_CODE_BUCKET'), s3Key: required('KUBE_AGENT_CODE_KEY') }),
  /** The service's own name, used in ownership tags. */
  serviceName: () => optional('SERVICE_NAME', 'eks-provisioner'),
  /** The role the VPC sweep assumes, one cluster at a time, to delete Kubernetes' own security groups (ports/kubernetes-groups.ts). */
  kubernetesGroupsRoleArn: () => required('KUBERNETES_GROUPS_ROLE_ARN'),
  deleteStateMachineArn: () => required('DELETE_STATE_MACHINE_ARN'),
  updateStateMachineArn: () => required('UPDATE_STATE_MACHINE_ARN'),
  upgradeStateMachineArn: () => required('UPGRADE_STATE_MACHINE_ARN'),
  /** Principals that may act on every cluster, besides each cluster's owner. */
  adminPrincipalArns: () => list('ADMIN_PRINCIPAL_ARNS', []),
  /**
   * Event sources allowed to request operations on the bus, each acting as one IAM principal
   * (it owns what it creates): EVENT_SOURCES='{"com.example.portal":"arn:aws:iam::…:role/portal"}'.
   */
  eventSources: (): Record<string, string> => {
    const text = process.env.EVENT_SOURCES;
    if (!text) return {};
    try {
      return eventSourcesFrom(JSON.parse(text));
    } catch (error) {
      throw new ConfigError(`EVENT_SOURCES: ${(error as Error).message}`);
    }
  },
  /** EventBridge Scheduler group that holds the clusters' expiry (`ttl`) schedules. */
  scheduleGroupName: () => optional('SCHEDULE_GROUP_NAME', 'default'),
  /** The function an expiry schedule invokes: the API function, which deletes the cluster. */
  expiryTargetArn: () => required('EXPIRY_TARGET_ARN'),
  /** The role EventBridge Scheduler assumes to invoke the expiry target. */
  schedulerRoleArn: () => required('SCHEDULER_ROLE_ARN'),
  /** The account expiry events name: the target function's own (arn:aws:lambda:region:ACCOUNT:function:name). */
  expiryAccount: (): string => {
    const account = config.expiryTargetArn().split(':')[4] ?? '';
    if (!/^\d{12}$/.test(account)) throw new ConfigError(`EXPIRY_TARGET_ARN must be a Lambda function ARN with an account, got ${config.expiryTargetArn()}`);
    return account;
  },
  /** The limits every cluster spec must respect (docs/guardrails.md). */
  guardrails,
};

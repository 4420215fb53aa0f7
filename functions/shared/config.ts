/**
 * Service configuration: read once at cold start, typed, failing fast when something is missing.
 * Only the variables a function actually reads are required of it.
 */

export class ConfigError extends Error {
  override name = 'ConfigError';
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

export interface Guardrails {
  kubernetesVersions: string[];
  defaultKubernetesVersion: string;
}

export const config = {
  region: () => optional('AWS_REGION', 'us-east-1'),
  eventBusName: () => required('EVENT_BUS_NAME'),
  tableName: () => required('TABLE_NAME'),
  provisionStateMachineArn: () => required('PROVISION_STATE_MACHINE_ARN'),
  /** Role CloudFormation assumes for the cluster stack, so no Lambda needs iam:CreateRole. */
  cloudFormationRoleArn: () => process.env.CLOUDFORMATION_ROLE_ARN || undefined,
  /** The service's own name, used in ownership tags. */
  serviceName: () => optional('SERVICE_NAME', 'eks-provisioner'),
  /** Principals that may act on every cluster, besides each cluster's owner. */
  adminPrincipalArns: () => list('ADMIN_PRINCIPAL_ARNS', []),
  guardrails: (): Guardrails => {
    const kubernetesVersions = list('ALLOWED_KUBERNETES_VERSIONS', ['1.31', '1.32', '1.33']);
    const defaultKubernetesVersion = optional('DEFAULT_KUBERNETES_VERSION', kubernetesVersions[kubernetesVersions.length - 1] ?? '1.33');
    if (!kubernetesVersions.includes(defaultKubernetesVersion)) {
      throw new ConfigError(`DEFAULT_KUBERNETES_VERSION ${defaultKubernetesVersion} is not in ALLOWED_KUBERNETES_VERSIONS (${kubernetesVersions.join(', ')})`);
    }
    return { kubernetesVersions, defaultKubernetesVersion };
  },
};

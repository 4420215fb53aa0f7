/**
 * Add-on configuration values: DescribeAddonConfiguration's JSON schema per add-on, and the check
 * CreateAddon and UpdateAddon make against it. EKS takes the values as JSON or YAML text, parses
 * them, and refuses what the add-on's schema does not allow with InvalidParameterException
 * "ConfigurationValue provided in request is not supported: Json schema validation failed with
 * error: […]". The schemas here are a small slice of the real ones (the fields users set most).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { load } from 'js-yaml';
import { invalidParameter } from './validation';

const resources = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limits: { type: 'object', additionalProperties: false, properties: { cpu: { type: ['string', 'number'] }, memory: { type: 'string' } } },
    requests: { type: 'object', additionalProperties: false, properties: { cpu: { type: ['string', 'number'] }, memory: { type: 'string' } } },
  },
};
const placement = {
  nodeSelector: { type: 'object', additionalProperties: { type: 'string' } },
  tolerations: { type: 'array', items: { type: 'object' } },
  affinity: { type: ['object', 'null'] },
  podAnnotations: { type: 'object', additionalProperties: { type: 'string' } },
  podLabels: { type: 'object', additionalProperties: { type: 'string' } },
  resources,
};
const schema = (properties: Record<string, unknown>) => ({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', additionalProperties: false, properties });

/** Each add-on's configuration schema (the same for every version listed). */
export const ADDON_CONFIGURATION_SCHEMAS: Record<string, Record<string, unknown>> = {
  coredns: schema({ ...placement, replicaCount: { type: 'integer', minimum: 1 }, corefile: { type: 'string' }, autoScaling: { type: 'object', properties: { enabled: { type: 'boolean' }, minReplicas: { type: 'integer' }, maxReplicas: { type: 'integer' } }, additionalProperties: false } }),
  'vpc-cni': schema({ ...placement, env: { type: 'object', additionalProperties: { type: 'string' } }, enableNetworkPolicy: { type: 'string', enum: ['true', 'false'] }, init: { type: 'object' } }),
  'kube-proxy': schema({ ...placement, mode: { type: 'string', enum: ['iptables', 'ipvs', 'nftables'] }, ipvs: { type: 'object', properties: { scheduler: { type: 'string' } } } }),
  'metrics-server': schema({ ...placement, replicas: { type: 'integer', minimum: 1 }, args: { type: 'array', items: { type: 'string' } } }),
  'eks-pod-identity-agent': schema({ ...placement, agent: { type: 'object', properties: { additionalArgs: { type: 'object', additionalProperties: { type: 'string' } } } } }),
  'aws-ebs-csi-driver': schema({ controller: { type: 'object', properties: { replicaCount: { type: 'integer', minimum: 1 }, ...placement } }, node: { type: 'object', properties: placement }, defaultStorageClass: { type: 'object', properties: { enabled: { type: 'boolean' } } } }),
};

const ajv = new Ajv({ allErrors: true, strict: false });
// Compiled once: the schemas are constants of the catalog, not emulator state.
const VALIDATORS: Record<string, ValidateFunction> = Object.fromEntries(Object.entries(ADDON_CONFIGURATION_SCHEMAS).map(([name, s]) => [name, ajv.compile(s)]));

/** DescribeAddonConfiguration: the schema as a JSON string, as EKS gives it. */
export function describeAddonConfiguration(name: string, version: string) {
  const configurationSchema = ADDON_CONFIGURATION_SCHEMAS[name];
  if (!configurationSchema) throw invalidParameter(`Addon ${name} specified is not supported`);
  return { addonName: name, addonVersion: version, configurationSchema: JSON.stringify(configurationSchema), podIdentityConfiguration: [] };
}

/** configurationValues must be a JSON or YAML object (or empty) that the add-on's schema allows. */
export function checkConfigurationValues(addon: string, values: string): void {
  let parsed: unknown;
  try {
    parsed = load(values);
  } catch (error) {
    throw unsupported(`Json schema validation failed with error: [${(error as Error).message.split('\n')[0]}]`);
  }
  if (!values.trim()) return;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw unsupported('Json schema validation failed with error: [$: must be an object]');
  const validate = VALIDATORS[addon];
  if (validate && !validate(parsed)) throw unsupported(`Json schema validation failed with error: [${(validate.errors ?? []).map(describe).join(', ')}]`);
}

const unsupported = (detail: string) => invalidParameter(`ConfigurationValue provided in request is not supported: ${detail}`);

/** One Ajv error in the JSONPath words EKS's validator uses: "$.replicaCount: must be integer". */
function describe(error: ErrorObject): string {
  const path = `$${error.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('')}`;
  if (error.keyword === 'additionalProperties') return `${path}.${(error.params as { additionalProperty: string }).additionalProperty}: is not defined in the schema and the schema does not allow additional properties`;
  return `${path}: ${error.message ?? 'is invalid'}`;
}

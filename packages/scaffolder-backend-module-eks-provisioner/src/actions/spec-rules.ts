/**
 * The form's rules for the fields a template asks for, read from the cluster spec's own schema
 * (schemas/cluster-spec.schema.json), so a template refuses a bad name before anything is sent and
 * with the API's rule. Everything else is left to the API, which checks the whole spec.
 */
// The scaffolder hands schema callbacks zod's v3 API (its own zod dependency), whatever zod an app has.
import type { z as zod } from 'zod/v3';
import clusterSpecSchema from '../../../../schemas/cluster-spec.schema.json';

interface StringRule {
  description?: string;
  pattern: string;
  minLength?: number;
  maxLength?: number;
}
interface IntegerRule {
  description?: string;
  minimum: number;
  maximum: number;
}

const nodegroup = clusterSpecSchema.definitions.ManagedNodeGroup.properties;

function specString(z: typeof zod, rule: StringRule) {
  let field = z.string().regex(new RegExp(rule.pattern), `must match ${rule.pattern}`);
  if (rule.minLength !== undefined) field = field.min(rule.minLength);
  if (rule.maxLength !== undefined) field = field.max(rule.maxLength);
  return rule.description ? field.describe(rule.description) : field;
}

function specInteger(z: typeof zod, rule: IntegerRule) {
  const field = z.number().int().min(rule.minimum).max(rule.maximum);
  return rule.description ? field.describe(rule.description) : field;
}

export const clusterName = (z: typeof zod) => specString(z, clusterSpecSchema.properties.name);
export const kubernetesVersion = (z: typeof zod) => specString(z, clusterSpecSchema.properties.version);

export const managedNodeGroups = (z: typeof zod) =>
  z
    .array(
      z.object({
        name: specString(z, nodegroup.name),
        instanceTypes: z.array(specString(z, nodegroup.instanceTypes.items)).min(nodegroup.instanceTypes.minItems).max(nodegroup.instanceTypes.maxItems).optional(),
        desiredSize: specInteger(z, nodegroup.desiredSize).optional(),
        minSize: specInteger(z, nodegroup.minSize).optional(),
        maxSize: specInteger(z, nodegroup.maxSize).optional(),
      }),
    )
    .describe(clusterSpecSchema.properties.managedNodeGroups.description);

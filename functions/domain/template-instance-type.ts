/**
 * A nodegroup's instance type in its stack's current template, for PATCH
 * /clusters/{name}/nodegroups/{nodegroup} instanceTypes: the type lives in the launch template's
 * `LaunchTemplateData.InstanceType` (cluster-template.ts renderLaunchTemplate), and a change there
 * is a new launch template version that UpdateNodegroupVersion then rolls the nodes to. Everything
 * else in the template is left exactly as it was. Pure: no AWS, no clock.
 */

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

function launchTemplateData(template: JsonObject, logicalId: string): JsonObject | undefined {
  const resource = isObject(template.Resources) ? template.Resources[logicalId] : undefined;
  if (!isObject(resource) || resource.Type !== 'AWS::EC2::LaunchTemplate' || !isObject(resource.Properties)) return undefined;
  return isObject(resource.Properties.LaunchTemplateData) ? resource.Properties.LaunchTemplateData : undefined;
}

/** Whether the template declares the launch template `logicalId`. */
export function hasLaunchTemplate(template: JsonObject, logicalId: string): boolean {
  return launchTemplateData(template, logicalId) !== undefined;
}

/** The instance type the launch template `logicalId` carries; undefined when it carries none (or is not there). */
export function launchTemplateInstanceTypeIn(template: JsonObject, logicalId: string): string | undefined {
  const type = launchTemplateData(template, logicalId)?.InstanceType;
  return typeof type === 'string' ? type : undefined;
}

/** A copy of `template` whose launch template `logicalId` carries `instanceType`; the input is not modified. */
export function withLaunchTemplateInstanceType(template: JsonObject, logicalId: string, instanceType: string): JsonObject {
  const copy = structuredClone(template);
  const data = launchTemplateData(copy, logicalId);
  if (!data) throw new Error(`the template declares no launch template ${logicalId}`);
  data.InstanceType = instanceType;
  return copy;
}

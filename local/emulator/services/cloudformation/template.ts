/**
 * What CloudFormation checks before it accepts a template (CreateStack and ValidateTemplate answer
 * these with a synchronous ValidationError): the body parses (JSON, or YAML with the short-form
 * `!Ref` tags), the sections and references are sound, parameters get valid values, conditions
 * evaluate, the needed IAM capabilities were acknowledged and the resources form no cycle.
 * Resource types and properties are checked later, per resource (resource-spec.ts), because AWS
 * fails the resource, not the call.
 */
import yaml from 'js-yaml';
import { evaluateCondition, isObject, references, TemplateError, type EvaluationContext } from './intrinsics';
import { PSEUDO_PARAMETERS } from './resource-spec';
import type { World } from '../../world';

export type Json = Record<string, unknown>;

export interface ResourceDeclaration {
  Type: string;
  Properties?: Json;
  DependsOn?: string | string[];
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: unknown;
  CreationPolicy?: unknown;
  UpdatePolicy?: unknown;
}

export interface OutputDeclaration {
  Description?: string;
  Value: unknown;
  Export?: { Name: unknown };
  Condition?: string;
}

export interface ParameterDeclaration {
  Type: string;
  Default?: unknown;
  NoEcho?: boolean | string;
  Description?: string;
  AllowedValues?: unknown[];
  AllowedPattern?: string;
  MinLength?: number | string;
  MaxLength?: number | string;
  MinValue?: number | string;
  MaxValue?: number | string;
  ConstraintDescription?: string;
}

export interface Template {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Metadata?: unknown;
  Parameters: Record<string, ParameterDeclaration>;
  Mappings: Record<string, Record<string, Record<string, unknown>>>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, ResourceDeclaration>;
  Outputs: Record<string, OutputDeclaration>;
}

const SECTIONS = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Transform', 'Resources', 'Outputs']);
const RESOURCE_KEYS = new Set(['Type', 'Properties', 'DependsOn', 'Condition', 'DeletionPolicy', 'UpdateReplacePolicy', 'UpdatePolicy', 'CreationPolicy', 'Metadata']);
const ALPHANUMERIC = /^[A-Za-z0-9]+$/;
export const MAX_TEMPLATE_BODY = 51_200;

// ── Parsing ──────────────────────────────────────────────────────────────────────────────────

/** YAML short forms: `!Ref X` is `{Ref: X}`, `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`, `!Sub ...` is `{"Fn::Sub": ...}`. */
const SHORT_FORMS = ['Ref', 'Condition', 'GetAtt', 'Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or', 'GetAZs', 'ImportValue', 'Base64', 'Cidr', 'FindInMap'];
const YAML_SCHEMA = yaml.DEFAULT_SCHEMA.extend(
  SHORT_FORMS.flatMap((name) => {
    const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
    return (['scalar', 'sequence', 'mapping'] as const).map(
      (kind) =>
        new yaml.Type(`!${name}`, {
          kind,
          construct: (data: unknown) => ({ [key]: name === 'GetAtt' && typeof data === 'string' ? splitGetAtt(data) : (data ?? '') }),
        }),
    );
  }),
);

function splitGetAtt(text: string): string[] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}

export function parseTemplateBody(body: string): Template {
  let parsed: unknown;
  if (/^\s*\{/.test(body)) {
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new TemplateError('Template format error: JSON not well-formed.');
    }
  } else {
    try {
      parsed = yaml.load(body, { schema: YAML_SCHEMA });
    } catch (error) {
      const mark = (error as { mark?: { line: number; column: number } }).mark;
      throw new TemplateError(`Template format error: YAML not well-formed.${mark ? ` (line ${mark.line + 1}, column ${mark.column + 1})` : ''}`);
    }
  }
  if (!isObject(parsed)) throw new TemplateError('Template format error: unsupported structure.');
  return checkStructure(parsed);
}

// ── Structure and references ─────────────────────────────────────────────────────────────────

function checkStructure(raw: Json): Template {
  const unknown = Object.keys(raw).filter((section) => !SECTIONS.has(section));
  if (unknown.length > 0) throw new TemplateError(`Template format error: Invalid template property or properties [${unknown.join(', ')}]`);
  if (raw.Transform !== undefined) throw new TemplateError('Template format error: Transform is not supported by the local emulator (deploy the processed template).');
  if (raw.AWSTemplateFormatVersion !== undefined && raw.AWSTemplateFormatVersion !== '2010-09-09' && String(raw.AWSTemplateFormatVersion) !== '2010-09-09') {
    throw new TemplateError(`Template format error: Unsupported template version: ${String(raw.AWSTemplateFormatVersion)}`);
  }
  for (const section of ['Parameters', 'Mappings', 'Conditions', 'Resources', 'Outputs']) {
    if (raw[section] !== undefined && !isObject(raw[section])) throw new TemplateError(`Template format error: ${section} must be an object`);
  }
  const template: Template = {
    ...(raw.AWSTemplateFormatVersion !== undefined ? { AWSTemplateFormatVersion: String(raw.AWSTemplateFormatVersion) } : {}),
    ...(typeof raw.Description === 'string' ? { Description: raw.Description } : {}),
    Parameters: (raw.Parameters ?? {}) as Template['Parameters'],
    Mappings: (raw.Mappings ?? {}) as Template['Mappings'],
    Conditions: (raw.Conditions ?? {}) as Template['Conditions'],
    Resources: (raw.Resources ?? {}) as Template['Resources'],
    Outputs: (raw.Outputs ?? {}) as Template['Outputs'],
  };
  if (Object.keys(template.Resources).length === 0) throw new TemplateError('Template format error: At least one Resources member must be defined.');
  if (Object.keys(template.Resources).length > 500) throw new TemplateError(`Template format error: Number of resources, ${Object.keys(template.Resources).length}, is greater than maximum allowed, 500`);

  for (const [name, parameter] of Object.entries(template.Parameters)) {
    if (!ALPHANUMERIC.test(name)) throw new TemplateError(`Template format error: Parameter name ${name} is non alphanumeric.`);
    if (!isObject(parameter) || typeof parameter.Type !== 'string') throw new TemplateError('Template format error: Every Parameters object must contain a Type member.');
    if (!parameterKind(parameter.Type)) throw new TemplateError(`Template format error: Unrecognized parameter type: ${parameter.Type}`);
  }
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (!ALPHANUMERIC.test(logicalId)) throw new TemplateError(`Template format error: Resource name ${logicalId} is non alphanumeric.`);
    if (!isObject(resource) || typeof resource.Type !== 'string') throw new TemplateError(`Template format error: [/Resources/${logicalId}] Every Resources object must contain a Type member.`);
    const badKeys = Object.keys(resource).filter((key) => !RESOURCE_KEYS.has(key));
    if (badKeys.length > 0) throw new TemplateError(`Template format error: Unrecognized resource attribute(s) [${badKeys.join(', ')}] in resource ${logicalId}`);
    if (resource.Properties !== undefined && !isObject(resource.Properties)) throw new TemplateError(`Template format error: [/Resources/${logicalId}/Properties] Properties must be an object`);
  }
  for (const [name, output] of Object.entries(template.Outputs)) {
    if (!ALPHANUMERIC.test(name)) throw new TemplateError(`Template format error: Output name ${name} is non alphanumeric.`);
    if (!isObject(output) || output.Value === undefined) throw new TemplateError('Template format error: Every Outputs member must contain a Value object');
  }
  checkReferences(template);
  dependencyOrder(template, Object.keys(template.Resources));
  return template;
}

function checkReferences(template: Template): void {
  const known = (name: string) => name in template.Resources || name in template.Parameters || PSEUDO_PARAMETERS.has(name);
  const conditionKnown = (name: string) => name in template.Conditions;
  const check = (value: unknown, block: string) => {
    const found = references(value);
    const unresolved = [...found.refs].filter((name) => !known(name));
    if (unresolved.length > 0) throw new TemplateError(`Template format error: Unresolved resource dependencies [${unresolved.join(', ')}] in the ${block} block of the template`);
    for (const [logicalId] of found.getAtts) {
      if (!(logicalId in template.Resources)) throw new TemplateError(`Template error: instance of Fn::GetAtt references undefined resource ${logicalId}`);
    }
    const conditions = [...found.conditions].filter((name) => !conditionKnown(name));
    if (conditions.length > 0) throw new TemplateError(`Template error: unresolved condition dependency ${conditions[0]} in Fn::If`);
  };
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    check(resource.Properties, 'Resources');
    for (const target of dependsOnList(resource)) {
      if (!(target in template.Resources)) throw new TemplateError(`Template format error: Unresolved resource dependencies [${target}] in the Resources block of the template`);
    }
    if (resource.Condition !== undefined && (typeof resource.Condition !== 'string' || !conditionKnown(resource.Condition))) {
      throw new TemplateError(`Template format error: Unresolved condition dependency ${String(resource.Condition)} in resource ${logicalId}`);
    }
  }
  for (const [name, output] of Object.entries(template.Outputs)) {
    check(output.Value, 'Outputs');
    check(output.Export, 'Outputs');
    if (output.Condition !== undefined && !conditionKnown(output.Condition)) throw new TemplateError(`Template format error: Unresolved condition dependency ${output.Condition} in output ${name}`);
  }
  for (const [name, expression] of Object.entries(template.Conditions)) {
    const found = references(expression);
    const bad = [...found.refs].filter((ref) => !(ref in template.Parameters) && !PSEUDO_PARAMETERS.has(ref));
    if (bad.length > 0 || found.getAtts.length > 0) throw new TemplateError(`Template error: Condition ${name} can only refer to parameters and pseudo parameters, not [${[...bad, ...found.getAtts.map(([id]) => id)].join(', ')}]`);
  }
}

export function dependsOnList(resource: ResourceDeclaration): string[] {
  const value = resource.DependsOn;
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** The resources a resource waits for: DependsOn plus every Ref, Fn::GetAtt and Fn::Sub reference. */
export function dependenciesOf(template: Template, logicalId: string): Set<string> {
  const resource = template.Resources[logicalId];
  if (!resource) return new Set();
  const found = references(resource.Properties);
  const all = [...dependsOnList(resource), ...found.refs, ...found.getAtts.map(([id]) => id)];
  return new Set(all.filter((name) => name in template.Resources && name !== logicalId));
}

/** A creation order (dependencies first); throws CloudFormation's error on a cycle. */
export function dependencyOrder(template: Template, logicalIds: string[]): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = path.slice(path.indexOf(id));
      throw new TemplateError(`Circular dependency between resources: [${[...new Set(cycle)].sort().join(', ')}]`);
    }
    state.set(id, 'visiting');
    for (const dependency of dependenciesOf(template, id)) visit(dependency, [...path, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of logicalIds) visit(id, []);
  return order;
}

// ── Parameters ───────────────────────────────────────────────────────────────────────────────

type ParameterKind = 'string' | 'number' | 'list' | 'number-list';

function parameterKind(type: string): ParameterKind | undefined {
  if (type === 'String') return 'string';
  if (type === 'Number') return 'number';
  if (type === 'CommaDelimitedList') return 'list';
  if (type === 'List<Number>') return 'number-list';
  if (/^List<AWS::[A-Za-z0-9:]+>$/.test(type)) return 'list';
  if (/^AWS::SSM::Parameter::/.test(type)) return undefined;
  if (/^AWS::[A-Za-z0-9]+::[A-Za-z0-9:]+$/.test(type)) return 'string';
  return undefined;
}

export interface ResolvedParameter {
  key: string;
  value: string | string[];
  /** As given (before list splitting): what DescribeStacks shows. */
  raw: string;
  noEcho: boolean;
  type: string;
}

/** Values for every template parameter from the request and defaults, checked as CloudFormation does. */
export function resolveParameters(template: Template, given: Array<{ key: string; value?: string }>, world: World): ResolvedParameter[] {
  const unknown = given.filter((p) => !(p.key in template.Parameters)).map((p) => p.key);
  if (unknown.length > 0) throw new TemplateError(`Parameters: [${unknown.join(', ')}] do not exist in the template`);
  const values = new Map(given.filter((p) => p.value !== undefined).map((p) => [p.key, p.value as string]));
  const missing = Object.entries(template.Parameters)
    .filter(([key, declaration]) => !values.has(key) && declaration.Default === undefined)
    .map(([key]) => key);
  if (missing.length > 0) throw new TemplateError(`Parameters: [${missing.join(', ')}] must have values`);

  return Object.entries(template.Parameters).map(([key, declaration]) => {
    const raw = values.get(key) ?? (Array.isArray(declaration.Default) ? declaration.Default.join(',') : String(declaration.Default));
    const kind = parameterKind(declaration.Type) as ParameterKind;
    checkConstraints(key, declaration, raw, kind);
    const value = kind === 'list' || kind === 'number-list' ? (raw === '' ? [] : raw.split(',')) : raw;
    checkAwsType(key, declaration.Type, value, world);
    return { key, value, raw, noEcho: declaration.NoEcho === true || declaration.NoEcho === 'true', type: declaration.Type };
  });
}

function checkConstraints(key: string, declaration: ParameterDeclaration, raw: string, kind: ParameterKind): void {
  const fail = (message: string) => {
    throw new TemplateError(declaration.ConstraintDescription ? `Parameter '${key}' failed to satisfy constraint: ${declaration.ConstraintDescription}` : message);
  };
  const items = kind === 'list' || kind === 'number-list' ? raw.split(',') : [raw];
  for (const item of items) {
    if (declaration.AllowedValues && !declaration.AllowedValues.map(String).includes(item)) fail(`Parameter '${key}' must be one of AllowedValues`);
    if (declaration.AllowedPattern !== undefined && !new RegExp(`^(?:${declaration.AllowedPattern})$`).test(item)) fail(`Parameter '${key}' must match pattern ${declaration.AllowedPattern}`);
    if (declaration.MinLength !== undefined && item.length < Number(declaration.MinLength)) fail(`Parameter '${key}' must contain at least ${declaration.MinLength} characters`);
    if (declaration.MaxLength !== undefined && item.length > Number(declaration.MaxLength)) fail(`Parameter '${key}' must contain at most ${declaration.MaxLength} characters`);
    if (kind === 'number' || kind === 'number-list') {
      if (item.trim() === '' || Number.isNaN(Number(item))) fail(`Parameter '${key}' must be a number`);
      if (declaration.MinValue !== undefined && Number(item) < Number(declaration.MinValue)) fail(`Parameter '${key}' must be a number not less than ${declaration.MinValue}`);
      if (declaration.MaxValue !== undefined && Number(item) > Number(declaration.MaxValue)) fail(`Parameter '${key}' must be a number not greater than ${declaration.MaxValue}`);
    }
  }
}

/** AWS-specific parameter types name things that must exist in the account (as CloudFormation checks). */
function checkAwsType(key: string, type: string, value: string | string[], world: World): void {
  const element = /^List<(.+)>$/.exec(type)?.[1] ?? type;
  const exists: Record<string, (id: string) => boolean> = {
    'AWS::EC2::VPC::Id': (id) => world.ec2.vpcs.has(id),
    'AWS::EC2::Subnet::Id': (id) => world.ec2.subnets.has(id),
    'AWS::EC2::SecurityGroup::Id': (id) => world.ec2.securityGroups.has(id),
    'AWS::EC2::AvailabilityZone::Name': (id) => world.availabilityZones().includes(id),
  };
  const check = exists[element];
  if (!check) return;
  for (const id of Array.isArray(value) ? value : [value]) {
    if (!check(id)) throw new TemplateError(`Parameter validation failed: parameter value ${id} for parameter name ${key} does not exist`);
  }
}

// ── Conditions ───────────────────────────────────────────────────────────────────────────────

/** Every condition's value; conditions see only parameters and pseudo parameters. */
export function evaluateConditions(template: Template, context: Omit<EvaluationContext, 'condition'>): Map<string, boolean> {
  const values = new Map<string, boolean>();
  const evaluating = new Set<string>();
  const condition = (name: string): boolean => {
    const known = values.get(name);
    if (known !== undefined) return known;
    if (!(name in template.Conditions)) throw new TemplateError(`Template error: unresolved condition dependency ${name}`);
    if (evaluating.has(name)) throw new TemplateError(`Template error: circular condition dependency ${name}`);
    evaluating.add(name);
    const value = evaluateCondition(template.Conditions[name], { ...context, condition });
    evaluating.delete(name);
    values.set(name, value);
    return value;
  };
  for (const name of Object.keys(template.Conditions)) condition(name);
  return values;
}

// ── Capabilities ─────────────────────────────────────────────────────────────────────────────

const IAM_TYPES: Record<string, string | undefined> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::IAM::Policy': undefined,
  'AWS::IAM::AccessKey': undefined,
  'AWS::IAM::UserToGroupAddition': undefined,
  'AWS::IAM::RolePolicy': undefined,
  'AWS::IAM::UserPolicy': undefined,
  'AWS::IAM::GroupPolicy': undefined,
};

/** CAPABILITY_IAM for IAM resources, CAPABILITY_NAMED_IAM when any of them has a custom name. */
export function requiredCapabilities(template: Template): { capability?: 'CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM'; types: string[] } {
  const iam = Object.values(template.Resources).filter((r) => r.Type in IAM_TYPES);
  if (iam.length === 0) return { types: [] };
  const named = iam.some((r) => {
    const nameProperty = IAM_TYPES[r.Type];
    return nameProperty !== undefined && r.Properties?.[nameProperty] !== undefined;
  });
  return { capability: named ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM', types: [...new Set(iam.map((r) => r.Type))].sort() };
}


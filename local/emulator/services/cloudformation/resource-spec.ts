/**
 * Checks a CloudFormation template against the offline resource specification the CDK ships
 * (@aws-cdk/aws-service-spec): resource types, property names and shapes (nested types too),
 * required properties, GetAtt attributes, and that every Ref / GetAtt / Sub / DependsOn names
 * something in the template. Catches what a deploy would reject, without an AWS account.
 *
 * Used by the template tests and by the local CloudFormation emulator, which fails a resource the
 * way AWS would when it breaks these rules (see `resourceValidation` below).
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { loadAwsServiceSpec, loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import { emptyDatabase, type Property, type PropertyType, type Resource, type SpecDatabase } from '@aws-cdk/service-spec-types';

export interface TemplateLike {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Parameters?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
}

export const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

const TEMPLATE_SECTIONS = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Transform', 'Resources', 'Outputs']);
const RESOURCE_KEYS = new Set(['Type', 'Properties', 'DependsOn', 'Condition', 'DeletionPolicy', 'UpdateReplacePolicy', 'UpdatePolicy', 'CreationPolicy', 'Metadata']);
const OUTPUT_KEYS = new Set(['Description', 'Value', 'Export', 'Condition']);

let cached: SpecDatabase | undefined;
let validationSpec: SpecDatabase | undefined;
let loading: Promise<SpecDatabase> | undefined;

/** The spec database (~1 s to load); loaded once per process and shared. */
export function loadResourceSpec(): SpecDatabase {
  cached ??= loadAwsServiceSpecSync();
  return cached;
}

/** The tables validation reads: resource types (properties, attributes) and the nested property types. */
const VALIDATION_TABLES = ['resource', 'typeDefinition', 'service', 'hasResource', 'usesType'];

/**
 * The database the emulator validates with, loaded once per process on first use (not at server
 * start). Reading and unzipping run off the event loop; only the tables validation needs are
 * indexed, which halves the time the loop is busy (~0.6 s instead of ~1.1 s).
 */
export function resourceSpec(): Promise<SpecDatabase> {
  const ready = validationSpec ?? cached;
  if (ready) return Promise.resolve(ready);
  loading ??= loadValidationSpec().then(
    (db) => (validationSpec = db),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

async function loadValidationSpec(): Promise<SpecDatabase> {
  try {
    const compressed = await readFile(require.resolve('@aws-cdk/aws-service-spec/db.json.gz'));
    const json = JSON.parse((await promisify(gunzip)(compressed)).toString('utf8')) as { schema: Record<string, unknown> };
    const db = emptyDatabase();
    db.load({ ...json, schema: Object.fromEntries(Object.entries(json.schema).filter(([table]) => VALIDATION_TABLES.includes(table))) } as Parameters<SpecDatabase['load']>[0]);
    return db;
  } catch {
    // A layout this loader does not know: the package's own loader always works.
    return loadAwsServiceSpec();
  }
}

export function resourceTypeSpec(db: SpecDatabase, type: string): Resource | undefined {
  return db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
}

/**
 * Why CloudFormation would fail one resource with these (resolved) properties, in AWS's words, or
 * undefined when it is fine: an unknown type, an unsupported top-level property, a missing
 * required property, or a nested value that does not fit the type.
 */
export function resourceValidation(db: SpecDatabase, logicalId: string, type: string, properties: Record<string, unknown>): string | undefined {
  const spec = resourceTypeSpec(db, type);
  if (!spec) return `Template format error: Unrecognized resource types: [${type}]`;
  const unsupported = Object.keys(properties).filter((name) => !(name in spec.properties));
  if (unsupported.length > 0) return unsupported.map((name) => `Encountered unsupported property ${name}`).join('; ');
  const missing = Object.entries(spec.properties)
    .filter(([name, property]) => property.required && properties[name] === undefined)
    .map(([name]) => name);
  if (missing.length > 0) return `Properties validation failed for resource ${logicalId} with message: [${missing.map((name) => `#: required key [${name}] not found`).join(', ')}]`;
  const problems = propertiesProblems(db, '#', type, spec.properties, properties);
  if (problems.length > 0) return `Properties validation failed for resource ${logicalId} with message: [${problems.join(', ')}]`;
  return undefined;
}

/** The attributes Fn::GetAtt may read from a type; undefined for an unknown type. */
export function resourceAttributes(db: SpecDatabase, type: string): string[] | undefined {
  const spec = resourceTypeSpec(db, type);
  return spec && Object.keys(spec.attributes);
}

/** Whether the type has a Tags property: CloudFormation puts stack tags on exactly those resources. */
export function takesTags(db: SpecDatabase, type: string): boolean {
  const spec = resourceTypeSpec(db, type);
  return spec !== undefined && 'Tags' in spec.properties;
}

/** Every problem found, as `<path>: <what is wrong>`; empty when the template passes. */
export function specProblems(template: TemplateLike, db: SpecDatabase = loadResourceSpec()): string[] {
  const checker = new Checker(template, db);
  checker.check();
  return checker.problems;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{ "Ref": ... }` or `{ "Fn::X": ... }`: its type is only known once deployed. */
function intrinsicName(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  const [key] = keys;
  return keys.length === 1 && key !== undefined && (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::')) ? key : undefined;
}

class Checker {
  readonly problems: string[] = [];
  private readonly resources: Record<string, Json>;

  constructor(
    private readonly template: TemplateLike,
    private readonly db: SpecDatabase,
  ) {
    this.resources = Object.fromEntries(Object.entries(template.Resources ?? {}).filter((entry): entry is [string, Json] => isObject(entry[1])));
  }

  check(): void {
    for (const section of Object.keys(this.template)) if (!TEMPLATE_SECTIONS.has(section)) this.problem(section, 'is not a template section');
    if (!isObject(this.template.Resources) || Object.keys(this.template.Resources).length === 0) this.problem('Resources', 'must hold at least one resource');
    for (const [logicalId, resource] of Object.entries(this.template.Resources ?? {})) this.checkResource(logicalId, resource);
    for (const [name, output] of Object.entries(this.template.Outputs ?? {})) this.checkOutput(name, output);
  }

  private problem(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  private resourceType(type: string): Resource | undefined {
    return this.db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
  }

  private checkResource(logicalId: string, resource: unknown): void {
    const at = `Resources.${logicalId}`;
    if (!/^[A-Za-z0-9]+$/.test(logicalId)) this.problem(at, 'logical ids must be alphanumeric');
    if (!isObject(resource)) return this.problem(at, 'must be an object');
    for (const key of Object.keys(resource)) if (!RESOURCE_KEYS.has(key)) this.problem(`${at}.${key}`, 'is not a resource attribute');
    this.checkDependsOn(at, resource.DependsOn);
    this.checkCondition(at, resource.Condition);
    this.checkReferences(`${at}.Properties`, resource.Properties);

    const type = resource.Type;
    if (typeof type !== 'string') return this.problem(`${at}.Type`, 'is missing');
    const spec = this.resourceType(type);
    if (!spec) return this.problem(`${at}.Type`, `${type} is not a CloudFormation resource type`);
    if (resource.Properties !== undefined && !isObject(resource.Properties)) return this.problem(`${at}.Properties`, 'must be an object');
    this.problems.push(...propertiesProblems(this.db, `${at}.Properties`, type, spec.properties, resource.Properties ?? {}));
  }

  private checkOutput(name: string, output: unknown): void {
    const at = `Outputs.${name}`;
    if (!/^[A-Za-z0-9]+$/.test(name)) this.problem(at, 'output names must be alphanumeric');
    if (!isObject(output)) return this.problem(at, 'must be an object');
    for (const key of Object.keys(output)) if (!OUTPUT_KEYS.has(key)) this.problem(`${at}.${key}`, 'is not an output field');
    if (output.Value === undefined) this.problem(`${at}.Value`, 'is required');
    this.checkCondition(at, output.Condition);
    this.checkReferences(at, output);
  }

  private checkDependsOn(at: string, dependsOn: unknown): void {
    if (dependsOn === undefined) return;
    for (const target of Array.isArray(dependsOn) ? dependsOn : [dependsOn]) {
      if (typeof target !== 'string' || !(target in this.resources)) this.problem(`${at}.DependsOn`, `${JSON.stringify(target)} is not a resource in the template`);
    }
  }

  private checkCondition(at: string, condition: unknown): void {
    if (condition === undefined) return;
    if (typeof condition !== 'string' || !isObject(this.template.Conditions) || !(condition in this.template.Conditions)) {
      this.problem(`${at}.Condition`, `${JSON.stringify(condition)} is not a condition in the template`);
    }
  }

  // ── References: Ref, Fn::GetAtt, Fn::Sub ───────────────────────────────────────────────────

  private checkReferences(at: string, value: unknown, subVariables: ReadonlySet<string> = new Set()): void {
    if (Array.isArray(value)) return value.forEach((item, i) => this.checkReferences(`${at}[${i}]`, item, subVariables));
    if (!isObject(value)) return;
    const intrinsic = intrinsicName(value);
    const argument = intrinsic ? value[intrinsic] : undefined;
    if (intrinsic === 'Ref') return this.checkRef(at, argument, subVariables);
    if (intrinsic === 'Fn::GetAtt') return this.checkGetAtt(at, argument);
    if (intrinsic === 'Fn::Sub') return this.checkSub(at, argument);
    for (const [key, item] of Object.entries(value)) this.checkReferences(`${at}.${key}`, item, subVariables);
  }

  private checkRef(at: string, target: unknown, subVariables: ReadonlySet<string> = new Set()): void {
    if (typeof target !== 'string') return this.problem(at, `Ref needs a logical id, got ${JSON.stringify(target)}`);
    const known = target in this.resources || PSEUDO_PARAMETERS.has(target) || subVariables.has(target) || (isObject(this.template.Parameters) && target in this.template.Parameters);
    if (!known) this.problem(at, `Ref ${target} is not a resource, parameter or pseudo parameter`);
  }

  private checkGetAtt(at: string, argument: unknown): void {
    const parts = typeof argument === 'string' ? splitOnce(argument) : argument;
    if (!Array.isArray(parts) || parts.length !== 2 || typeof parts[0] !== 'string') return this.problem(at, `Fn::GetAtt needs [logicalId, attribute], got ${JSON.stringify(argument)}`);
    const [logicalId, attribute] = parts as [string, unknown];
    const resource = this.resources[logicalId];
    if (!resource) return this.problem(at, `Fn::GetAtt ${logicalId}: not a resource in the template`);
    if (typeof attribute !== 'string') return this.checkReferences(`${at}.Fn::GetAtt[1]`, attribute);
    const spec = typeof resource.Type === 'string' ? this.resourceType(resource.Type) : undefined;
    if (spec && !(attribute in spec.attributes)) {
      this.problem(at, `Fn::GetAtt ${logicalId}.${attribute}: ${String(resource.Type)} has no attribute ${attribute} (it has ${Object.keys(spec.attributes).sort().join(', ')})`);
    }
  }

  private checkSub(at: string, argument: unknown): void {
    const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
    if (typeof text !== 'string' || !isObject(variables)) return this.problem(at, `Fn::Sub needs a string or [string, variables], got ${JSON.stringify(argument)}`);
    const names = new Set(Object.keys(variables));
    this.checkReferences(`${at}.Fn::Sub[1]`, variables);
    // ${!Literal} is an escape, not a reference.
    for (const [, expression] of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
      const name = (expression ?? '').trim();
      if (name.includes('.') && !names.has(name)) this.checkGetAtt(at, name);
      else this.checkRef(at, name, names);
    }
  }
}

// ── Property values against the resource specification ───────────────────────────────────────

const TAG_PROPERTIES: Record<string, Property> = { Key: { type: { type: 'string' }, required: true }, Value: { type: { type: 'string' }, required: true } };

function propertiesProblems(db: SpecDatabase, at: string, owner: string, properties: Record<string, Property>, value: Json): string[] {
  const problems: string[] = [];
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && value[name] === undefined) problems.push(`${at}.${name}: is required by ${owner}`);
  }
  for (const [name, item] of Object.entries(value)) {
    const property = properties[name];
    if (!property) problems.push(`${at}.${name}: is not a property of ${owner}`);
    else problems.push(...valueProblems(db, `${at}.${name}`, item, [property.type, ...(property.previousTypes ?? [])]));
  }
  return problems;
}

/** None when one of the candidate types fits (an intrinsic fits all); otherwise the closest fit's problems. */
function valueProblems(db: SpecDatabase, at: string, value: unknown, candidates: PropertyType[]): string[] {
  if (intrinsicName(value)) return [];
  let best: string[] | undefined;
  for (const type of candidates.flatMap((t) => (t.type === 'union' ? t.types : [t]))) {
    const problems = typeProblems(db, at, value, type);
    if (problems.length === 0) return [];
    if (!best || problems.length < best.length) best = problems;
  }
  return best ?? [`${at}: has no type in the specification`];
}

function typeProblems(db: SpecDatabase, at: string, value: unknown, type: PropertyType): string[] {
  const mismatch = (expected: string) => [`${at}: expected ${expected}, got ${JSON.stringify(value)}`];
  switch (type.type) {
    case 'json':
      return [];
    case 'string':
    case 'date-time':
      // CloudFormation turns numbers into strings where a string is expected.
      if (typeof value !== 'string' && typeof value !== 'number') return mismatch('a string');
      if (type.type === 'string' && type.allowedValues && !type.allowedValues.includes(String(value))) return [`${at}: ${JSON.stringify(value)} is not one of ${type.allowedValues.join(', ')}`];
      return [];
    case 'number':
    case 'integer':
      return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) ? [] : mismatch('a number');
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? [] : mismatch('a boolean');
    case 'null':
      return value === null ? [] : mismatch('null');
    case 'tag':
      return isObject(value) ? propertiesProblems(db, at, 'Tag', TAG_PROPERTIES, value) : mismatch('a tag {Key, Value}');
    case 'array':
      return Array.isArray(value) ? value.flatMap((item, i) => valueProblems(db, `${at}[${i}]`, item, [type.element])) : mismatch('a list');
    case 'map':
      return isObject(value) ? Object.entries(value).flatMap(([key, item]) => valueProblems(db, `${at}.${key}`, item, [type.element])) : mismatch('a map');
    case 'ref': {
      if (!isObject(value)) return mismatch('an object');
      const definition = db.get('typeDefinition', type.reference);
      return propertiesProblems(db, at, definition.name, definition.properties, value);
    }
    case 'union':
      return valueProblems(db, at, value, type.types);
  }
}

function splitOnce(text: string): string[] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}

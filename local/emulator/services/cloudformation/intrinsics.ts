/**
 * CloudFormation's intrinsic functions and condition functions, evaluated the way the service
 * does: Ref, Fn::GetAtt, Fn::Sub (both forms), Fn::Join, Fn::Select, Fn::Split, Fn::If,
 * Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition, Fn::GetAZs, Fn::ImportValue, Fn::Base64,
 * Fn::Cidr (real CIDR carving) and Fn::FindInMap. `Ref: AWS::NoValue` removes the property or
 * list item it stands in.
 *
 * Errors are TemplateErrors whose message is the reason CloudFormation reports.
 */
import { carveCidr } from '../../ipv4';

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Stands for `Ref: AWS::NoValue` until the enclosing object or list drops it. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface EvaluationContext {
  /** A parameter, pseudo parameter or resource (its physical id). */
  ref(name: string): unknown;
  getAtt(logicalId: string, attribute: string): unknown;
  condition(name: string): boolean;
  importValue(exportName: string): string;
  availabilityZones(region: string): string[];
  findInMap(map: string, topKey: string, secondKey: string): unknown;
  region: string;
}

type Json = Record<string, unknown>;
export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const FUNCTIONS = ['Ref', 'Fn::GetAtt', 'Fn::Sub', 'Fn::Join', 'Fn::Select', 'Fn::Split', 'Fn::If', 'Fn::GetAZs', 'Fn::ImportValue', 'Fn::Base64', 'Fn::Cidr', 'Fn::FindInMap', 'Fn::Equals', 'Fn::Not', 'Fn::And', 'Fn::Or'];

/** The function name when `value` is a one-key `{Ref | Fn::*}` object. */
export function intrinsicOf(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  const [key] = keys;
  return keys.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::')) ? key : undefined;
}

/** Resolves every intrinsic in a value; the result may be NO_VALUE (the whole value is absent). */
export function evaluate(value: unknown, context: EvaluationContext): unknown {
  if (Array.isArray(value)) return value.map((item) => evaluate(item, context)).filter((item) => item !== NO_VALUE);
  if (!isObject(value)) return value;
  const fn = intrinsicOf(value);
  if (fn) return evaluateFunction(fn, value[fn], context);
  const result: Json = {};
  for (const [key, item] of Object.entries(value)) {
    const resolved = evaluate(item, context);
    if (resolved !== NO_VALUE) result[key] = resolved;
  }
  return result;
}

function asString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError(`Template error: ${where} must resolve to a string, got ${JSON.stringify(value)}`);
}

function asList(value: unknown, where: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new TemplateError(`Template error: ${where} must resolve to a list, got ${JSON.stringify(value)}`);
}

function args(value: unknown, fn: string, count: number | [number, number]): unknown[] {
  const [min, max] = typeof count === 'number' ? [count, count] : count;
  if (!Array.isArray(value) || value.length < min || value.length > max) {
    throw new TemplateError(`Template error: every ${fn} object requires ${min === max ? min : `${min} to ${max}`} parameters`);
  }
  return value;
}

function evaluateFunction(fn: string, argument: unknown, context: EvaluationContext): unknown {
  switch (fn) {
    case 'Ref': {
      if (typeof argument !== 'string') throw new TemplateError('Template format error: Every Ref object must have a single String value.');
      return argument === 'AWS::NoValue' ? NO_VALUE : context.ref(argument);
    }
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = getAttTarget(argument);
      return context.getAtt(logicalId, asString(evaluate(attribute, context), 'the attribute name of Fn::GetAtt'));
    }
    case 'Fn::Sub':
      return substitute(argument, context);
    case 'Fn::Join': {
      const [delimiter, list] = args(argument, 'Fn::Join', 2);
      if (typeof delimiter !== 'string') throw new TemplateError('Template error: Fn::Join requires a string delimiter');
      return asList(evaluate(list, context), 'the list of Fn::Join')
        .map((item) => asString(item, 'every item joined by Fn::Join'))
        .join(delimiter);
    }
    case 'Fn::Select': {
      const [indexValue, listValue] = args(argument, 'Fn::Select', 2);
      const index = Number(evaluate(indexValue, context));
      const list = asList(evaluate(listValue, context), 'the list of Fn::Select');
      if (!Number.isInteger(index) || index < 0 || index >= list.length) throw new TemplateError(`Template error: Fn::Select cannot select nonexistent value at index ${String(evaluate(indexValue, context))}`);
      return list[index];
    }
    case 'Fn::Split': {
      const [delimiter, source] = args(argument, 'Fn::Split', 2);
      if (typeof delimiter !== 'string') throw new TemplateError('Template error: Fn::Split requires a string delimiter');
      return asString(evaluate(source, context), 'the source of Fn::Split').split(delimiter);
    }
    case 'Fn::If': {
      const [name, whenTrue, whenFalse] = args(argument, 'Fn::If', 3);
      if (typeof name !== 'string') throw new TemplateError('Template error: Fn::If requires a condition name');
      return evaluate(context.condition(name) ? whenTrue : whenFalse, context);
    }
    case 'Fn::GetAZs': {
      const region = evaluate(argument, context);
      return context.availabilityZones(region === '' || region === undefined || region === null ? context.region : asString(region, 'the region of Fn::GetAZs'));
    }
    case 'Fn::ImportValue':
      return context.importValue(asString(evaluate(argument, context), 'the export name of Fn::ImportValue'));
    case 'Fn::Base64':
      return Buffer.from(asString(evaluate(argument, context), 'the value of Fn::Base64'), 'utf8').toString('base64');
    case 'Fn::Cidr': {
      const [block, count, bits] = args(argument, 'Fn::Cidr', 3).map((item) => evaluate(item, context));
      return cidrSubnets(asString(block, 'the ipBlock of Fn::Cidr'), Number(count), Number(bits));
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = args(argument, 'Fn::FindInMap', 3).map((item, i) => asString(evaluate(item, context), `parameter ${i + 1} of Fn::FindInMap`));
      return context.findInMap(map as string, top as string, second as string);
    }
    case 'Fn::Equals':
    case 'Fn::Not':
    case 'Fn::And':
    case 'Fn::Or':
      return evaluateCondition({ [fn]: argument }, context);
    default:
      throw new TemplateError(`Template format error: Encountered unsupported function: ${fn} Supported functions are: [${FUNCTIONS.join(', ')}]`);
  }
}

/** `["Res", "Attr"]` or `"Res.Attr"` (the attribute may itself hold dots: "CertificateAuthority.Data"). */
export function getAttTarget(argument: unknown): [string, unknown] {
  if (typeof argument === 'string') {
    const dot = argument.indexOf('.');
    if (dot > 0) return [argument.slice(0, dot), argument.slice(dot + 1)];
  } else if (Array.isArray(argument) && argument.length === 2 && typeof argument[0] === 'string') {
    return [argument[0], argument[1]];
  }
  throw new TemplateError('Template error: every Fn::GetAtt object requires two non-empty parameters.');
}

/** Condition functions (Conditions section, Fn::If names): Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition. */
export function evaluateCondition(expression: unknown, context: EvaluationContext): boolean {
  if (isObject(expression) && Object.keys(expression).length === 1) {
    if (typeof expression.Condition === 'string') return context.condition(expression.Condition);
    if ('Fn::Equals' in expression) {
      const [a, b] = args(expression['Fn::Equals'], 'Fn::Equals', 2).map((item) => evaluate(item, context));
      return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
    }
    if ('Fn::Not' in expression) return !evaluateCondition(args(expression['Fn::Not'], 'Fn::Not', 1)[0], context);
    if ('Fn::And' in expression) return args(expression['Fn::And'], 'Fn::And', [2, 10]).every((item) => evaluateCondition(item, context));
    if ('Fn::Or' in expression) return args(expression['Fn::Or'], 'Fn::Or', [2, 10]).some((item) => evaluateCondition(item, context));
  }
  const value = evaluate(expression, context);
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new TemplateError(`Template format error: Conditions can only be boolean operations on parameters and other conditions, got ${JSON.stringify(expression)}`);
}

/** CloudFormation compares scalars as strings ("1" equals 1). */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

// ── Fn::Sub ──────────────────────────────────────────────────────────────────────────────────

const SUB_VARIABLE = /\$\{([^}]*)\}/g;

function substitute(argument: unknown, context: EvaluationContext): string {
  const [text, variablesValue] = Array.isArray(argument) ? args(argument, 'Fn::Sub', 2) : [argument, {}];
  if (typeof text !== 'string' || !isObject(variablesValue)) throw new TemplateError('Template error: Fn::Sub needs a string or [string, {variables}]');
  const variables = evaluate(variablesValue, context) as Json;
  return text.replace(SUB_VARIABLE, (whole, expression: string) => {
    if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
    const name = expression.trim();
    let value: unknown;
    if (name in variables) value = variables[name];
    else if (name.includes('.') && !name.startsWith('AWS::')) {
      const [logicalId, attribute] = getAttTarget(name);
      value = context.getAtt(logicalId, attribute as string);
    } else value = context.ref(name);
    if (Array.isArray(value) || isObject(value) || value === NO_VALUE) throw new TemplateError(`Template error: variable ${name} in Fn::Sub expression does not resolve to a string`);
    return String(value ?? whole);
  });
}

/** The names `${...}` in a Fn::Sub string refers to, minus escapes and its own variables. */
export function subReferences(argument: unknown): string[] {
  const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
  if (typeof text !== 'string') return [];
  const own = isObject(variables) ? new Set(Object.keys(variables)) : new Set<string>();
  return [...text.matchAll(SUB_VARIABLE)]
    .map((match) => (match[1] ?? '').trim())
    .filter((name) => name !== '' && !name.startsWith('!') && !own.has(name));
}

// ── What a value refers to (dependencies, template checks) ──────────────────────────────────────

export interface References {
  /** Names used with Ref or as a plain Fn::Sub variable (parameters, pseudo parameters, resources). */
  refs: Set<string>;
  /** [logicalId, attribute] read with Fn::GetAtt or `${Res.Attr}`. */
  getAtts: Array<[string, string]>;
  /** Condition names used by Fn::If. */
  conditions: Set<string>;
}

export function references(value: unknown, into: References = { refs: new Set(), getAtts: [], conditions: new Set() }): References {
  if (Array.isArray(value)) {
    for (const item of value) references(item, into);
    return into;
  }
  if (!isObject(value)) return into;
  const fn = intrinsicOf(value);
  const argument = fn ? value[fn] : undefined;
  if (fn === 'Ref' && typeof argument === 'string') into.refs.add(argument);
  else if (fn === 'Fn::GetAtt') {
    try {
      const [logicalId, attribute] = getAttTarget(argument);
      into.getAtts.push([logicalId, typeof attribute === 'string' ? attribute : '']);
      if (typeof attribute !== 'string') references(attribute, into);
    } catch {
      // Malformed: reported when evaluated.
    }
  } else if (fn === 'Fn::Sub') {
    for (const name of subReferences(argument)) {
      if (name.includes('.') && !name.startsWith('AWS::')) {
        const [logicalId, attribute] = getAttTarget(name);
        into.getAtts.push([logicalId, attribute as string]);
      } else into.refs.add(name);
    }
    if (Array.isArray(argument)) references(argument[1], into);
  } else if (fn === 'Fn::If' && Array.isArray(argument)) {
    if (typeof argument[0] === 'string') into.conditions.add(argument[0]);
    references(argument.slice(1), into);
  } else {
    for (const item of Object.values(value)) references(item, into);
  }
  return into;
}

// ── Fn::Cidr ─────────────────────────────────────────────────────────────────────────────────

/** `count` consecutive blocks of 2^cidrBits addresses from the start of `block`, as CloudFormation carves them. */
export function cidrSubnets(block: string, count: number, cidrBits: number): string[] {
  const carved = carveCidr(block, count, cidrBits);
  if (!Array.isArray(carved)) throw new TemplateError(`Template error: Fn::Cidr ${carved.problem}`);
  return carved;
}

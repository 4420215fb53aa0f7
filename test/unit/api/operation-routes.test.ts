/**
 * One place per operation: every operation an "EKS Cluster Operation Requested" event may name
 * (the enum of schemas/events/operation-requested.schema.json, read from the schema itself) is
 * served by exactly one REST route in ROUTES, the one whose `operation` names it; no route names
 * an operation the schema does not allow. operation-requests.ts finds the route that way, so an
 * operation without a route, or with two, would be a request nobody or anybody could serve.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROUTES } from '../../../functions/api/routes';
import { validateOperationRequest } from '../../../functions/generated/validators';

const SCHEMA = join(__dirname, '..', '..', '..', 'schemas', 'events', 'operation-requested.schema.json');

type SchemaNode = { enum?: string[]; $ref?: string; anyOf?: SchemaNode[]; oneOf?: SchemaNode[] };

/** The values a schema node allows: its enum, its branches' values, or those of what it refers to (another file, a JSON pointer). */
function allowedValues(node: SchemaNode, file: string): string[] {
  if (node.enum) return node.enum;
  const branches = node.anyOf ?? node.oneOf;
  if (branches) return branches.flatMap((branch) => allowedValues(branch, file));
  if (node.$ref) {
    const [path, pointer = ''] = node.$ref.split('#');
    const target = path ? join(dirname(file), path) : file;
    const document = JSON.parse(readFileSync(target, 'utf8')) as Record<string, unknown>;
    const referred = pointer.split('/').filter(Boolean).reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], document);
    return allowedValues(referred as SchemaNode, target);
  }
  throw new Error(`cannot tell which values ${JSON.stringify(node)} allows in ${file}`);
}

const schema = JSON.parse(readFileSync(SCHEMA, 'utf8')) as { properties: { operation: SchemaNode } };
const OPERATIONS = allowedValues(schema.properties.operation, SCHEMA);

describe('requested operations and their routes', () => {
  it('reads the operations as the event validator allows them', () => {
    expect(OPERATIONS).toEqual(expect.arrayContaining(['CREATE_CLUSTER', 'DELETE_CLUSTER', 'ADD_NODEGROUP', 'SET_ENDPOINT_ACCESS']));
    for (const operation of OPERATIONS) expect(validateOperationRequest({ operation, cluster: 'demo' })).toBe(true);
    expect(validateOperationRequest({ operation: 'RESIZE_CONTROL_PLANE', cluster: 'demo' })).toBe(false);
    expect(new Set(OPERATIONS).size).toBe(OPERATIONS.length);
  });

  it.each(OPERATIONS)('%s has exactly one route, one that starts an operation', (operation) => {
    const routes = ROUTES.filter((route) => route.operation === operation);

    expect(routes.map((route) => `${route.method} ${route.path}`)).toHaveLength(1);
    expect(routes[0]!.startsOperation).toBe(true);
  });

  it('no route names an operation the event schema does not allow', () => {
    const named = ROUTES.flatMap((route) => (route.operation ? [route.operation] : []));

    expect(named.filter((operation) => !OPERATIONS.includes(operation))).toEqual([]);
  });
});

/** The create form's model from the real cluster spec schema, and the draft spec it edits. */
import schema from '../../../schemas/cluster-spec.schema.json';
import { concrete, defaultHint, fieldPointers, formModel, formatValue, getAt, parseInput, setAt, type FieldModel, type JsonSchema } from '../../../console/src/form/schema-form';

const model = formModel(schema as JsonSchema);
const field = (pointer: string): FieldModel => {
  const find = (f: FieldModel): FieldModel | undefined =>
    f.pointer === pointer ? f : f.kind === 'object' ? f.fields.map(find).find(Boolean) : f.kind === 'array' ? find(f.item) : undefined;
  const found = find(model);
  if (!found) throw new Error(`no field ${pointer}`);
  return found;
};

describe('formModel', () => {
  it('has a field for every top-level property, in the schema order, name required', () => {
    expect(model.fields.map((f) => f.label)).toEqual(Object.keys((schema as JsonSchema).properties!));
    expect(field('/name')).toMatchObject({ kind: 'text', required: true, pattern: expect.any(String) });
    expect(field('/version')).toMatchObject({ kind: 'text', required: false });
  });

  it('makes enums selects with their default, and booleans tri-state', () => {
    expect(field('/authenticationMode')).toMatchObject({ kind: 'select', options: ['API', 'API_AND_CONFIG_MAP', 'CONFIG_MAP'], default: 'API_AND_CONFIG_MAP' });
    expect(field('/onFailure')).toMatchObject({ kind: 'select', options: ['rollback', 'retain'], default: 'rollback' });
    expect(field('/deletionProtection')).toMatchObject({ kind: 'boolean', default: false });
  });

  it('follows $ref and allOf into nested objects', () => {
    expect(field('/network')).toMatchObject({ kind: 'object' });
    expect(field('/network/vpc/azCount')).toMatchObject({ kind: 'integer', minimum: 2, maximum: 3, default: 2 });
    expect(field('/network/vpc/natGateway')).toMatchObject({ kind: 'select', options: ['Single', 'HighlyAvailable', 'Disable'] });
    // cidr is allOf [$ref Cidr] with a description of its own.
    expect(field('/network/vpc/cidr')).toMatchObject({ kind: 'text', description: expect.stringContaining('192.168.0.0/16') });
    expect(field('/endpointAccess/public')).toMatchObject({ kind: 'boolean' });
  });

  it('makes arrays of objects repeatable groups whose item fields carry *', () => {
    const nodegroups = field('/managedNodeGroups');
    expect(nodegroups.kind).toBe('array');
    expect(field('/managedNodeGroups/*/name')).toMatchObject({ kind: 'text', required: true });
    expect(field('/managedNodeGroups/*/desiredSize')).toMatchObject({ kind: 'integer', default: 2 });
    expect(field('/managedNodeGroups/*/instanceTypes')).toMatchObject({ kind: 'list', default: ['m5.large'] });
    expect(field('/managedNodeGroups/*/labels')).toMatchObject({ kind: 'map' });
    expect(field('/managedNodeGroups/*/taints')).toMatchObject({ kind: 'array' });
  });

  it('offers string maps as key=value text, enum lists as choices, and a oneOf as JSON', () => {
    expect(field('/tags')).toMatchObject({ kind: 'map' });
    expect(field('/logging')).toMatchObject({ kind: 'list', options: expect.arrayContaining(['api', 'audit']) });
    expect(field('/ownerAccess')).toMatchObject({ kind: 'json', default: { policy: 'AmazonEKSClusterAdminPolicy', scope: 'cluster' } });
  });

  it('models every property of the schema: a small schema of each shape', () => {
    const small: JsonSchema = {
      type: 'object',
      required: ['a'],
      properties: { a: { type: 'string' }, b: { type: 'array', items: { type: 'integer' } }, c: { type: 'object', additionalProperties: { type: 'integer' } } },
    };
    expect(formModel(small).fields.map((f) => [f.label, f.kind, f.required])).toEqual([
      ['a', 'text', true],
      ['b', 'json', false],
      ['c', 'json', false],
    ]);
  });
});

describe('the draft spec', () => {
  it('sets and removes values by pointer, dropping objects left empty', () => {
    let draft = setAt(undefined, '/name', 'demo');
    draft = setAt(draft, '/network/vpc/azCount', 3);
    expect(draft).toEqual({ name: 'demo', network: { vpc: { azCount: 3 } } });
    draft = setAt(draft, '/network/vpc/azCount', undefined);
    expect(draft).toEqual({ name: 'demo' });
  });

  it('keeps array items, empty or not, at their index', () => {
    let draft = setAt({ name: 'demo' }, '/managedNodeGroups', [{}, {}]);
    draft = setAt(draft, '/managedNodeGroups/1/name', 'ng-b');
    expect(getAt(draft, '/managedNodeGroups')).toEqual([{}, { name: 'ng-b' }]);
    draft = setAt(draft, '/managedNodeGroups/1/name', undefined);
    expect(getAt(draft, '/managedNodeGroups')).toEqual([{}, {}]);
  });

  it('parses what is typed by the field kind, and formats it back', () => {
    expect(parseInput(field('/managedNodeGroups/*/desiredSize'), '3')).toEqual({ value: 3 });
    expect(parseInput(field('/managedNodeGroups/*/desiredSize'), '2.5')).toEqual({ error: 'must be a whole number' });
    expect(parseInput(field('/managedNodeGroups/*/desiredSize'), '  ')).toEqual({});
    const types = field('/managedNodeGroups/*/instanceTypes');
    expect(parseInput(types, 'm5.large, t3.large,')).toEqual({ value: ['m5.large', 't3.large'] });
    expect(formatValue(types, ['m5.large', 't3.large'])).toBe('m5.large, t3.large');
    expect(parseInput(field('/tags'), 'team=platform\n cost = 42 ')).toEqual({ value: { team: 'platform', cost: '42' } });
    expect(parseInput(field('/tags'), 'team')).toEqual({ error: '"team" is not key=value' });
    expect(parseInput(field('/ownerAccess'), '"none"')).toEqual({ value: 'none' });
    expect(parseInput(field('/ownerAccess'), '{')).toEqual({ error: 'must be JSON' });
    expect(parseInput(field('/deletionProtection'), 'false')).toEqual({ value: false });
  });

  it('shows defaults as hints', () => {
    expect(defaultHint(field('/managedNodeGroups/*/instanceTypes'))).toBe('m5.large');
    expect(defaultHint(field('/accessEntries'))).toBe('none');
    expect(defaultHint(field('/name'))).toBeUndefined();
  });

  it('lists the concrete pointers the form shows, items expanded', () => {
    expect(concrete('/managedNodeGroups/*/taints/*/key', [1, 0])).toBe('/managedNodeGroups/1/taints/0/key');
    const pointers = fieldPointers(model, { name: 'demo', managedNodeGroups: [{ name: 'a' }, { name: 'b' }] });
    expect(pointers).toEqual(expect.arrayContaining(['/name', '/managedNodeGroups', '/managedNodeGroups/0/name', '/managedNodeGroups/1/desiredSize', '/network/vpc/cidr']));
    expect(pointers).not.toContain('/managedNodeGroups/2/name');
    expect(pointers.filter((p) => p.startsWith('/fargateProfiles/'))).toEqual([]);
  });
});

/** The API's problems as inline errors: each at its field, or the nearest enclosing one, or the form. */
import { nearestField, placeErrors, problemSummary } from '../../../console/src/form/problems';

const FIELDS = ['', '/name', '/managedNodeGroups', '/managedNodeGroups/0/name', '/managedNodeGroups/0/desiredSize', '/managedNodeGroups/0/labels', '/endpointAccess', '/endpointAccess/public'];

describe('placeErrors', () => {
  it('puts each error at the field its pointer names', () => {
    const placed = placeErrors(
      {
        status: 422,
        title: 'Invalid cluster spec',
        errors: [
          { pointer: '/endpointAccess', message: 'public and private cannot both be false' },
          { pointer: '/managedNodeGroups/0/desiredSize', message: 'sizes must satisfy minSize ≤ desiredSize ≤ maxSize' },
          { pointer: '/name', message: 'must match pattern' },
        ],
      },
      FIELDS,
    );
    expect(placed).toEqual({
      byField: {
        '/endpointAccess': ['public and private cannot both be false'],
        '/managedNodeGroups/0/desiredSize': ['sizes must satisfy minSize ≤ desiredSize ≤ maxSize'],
        '/name': ['must match pattern'],
      },
      general: [],
    });
  });

  it('puts an error below a field at that field, saying which part it means', () => {
    const placed = placeErrors({ status: 422, title: 'Invalid cluster spec', errors: [{ pointer: '/managedNodeGroups/0/labels/team', message: 'must match pattern' }, { pointer: '/managedNodeGroups/3/name', message: 'duplicate' }] }, FIELDS);
    expect(placed.byField).toEqual({ '/managedNodeGroups/0/labels': ['team: must match pattern'], '/managedNodeGroups': ['3/name: duplicate'] });
  });

  it('keeps the whole body, query parameters and problems without errors for the form', () => {
    expect(placeErrors({ status: 422, title: 'Invalid cluster spec', errors: [{ pointer: '', message: 'must be object' }, { pointer: '/query/dryRun', message: 'must be true or false' }] }, FIELDS).general).toEqual([
      'must be object',
      '/query/dryRun: must be true or false',
    ]);
    expect(placeErrors({ status: 409, title: 'Cluster exists', detail: 'the name demo is taken; choose another' }, FIELDS)).toEqual({ byField: {}, general: ['409 Cluster exists: the name demo is taken; choose another'] });
  });

  it('never takes a field whose name merely starts the same', () => {
    expect(nearestField('/nameSuffix', ['/name'])).toBeUndefined();
    expect(nearestField('/name', ['', '/name'])).toBe('/name');
  });

  it('sums a problem up in one line', () => {
    expect(problemSummary({ status: 404, title: 'Cluster not found', detail: 'no cluster demo' })).toBe('404 Cluster not found: no cluster demo');
    expect(problemSummary({ title: 'API unreachable' })).toBe('API unreachable');
  });
});

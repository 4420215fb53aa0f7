/**
 * The PATCH content types of the emulated Kubernetes API (local/emulator/services/kubernetes/patch.ts):
 * JSON merge patch, strategic merge patch (with its directives and list strategies) and JSON patch.
 */
import { dump, load } from 'js-yaml';
import { OBJECT_META_PATCH, applyPatch, jsonPatch, mergePatch, strategicMergePatch } from '../../local/emulator/services/kubernetes/patch';
import { StatusError } from '../../local/emulator/services/kubernetes/status';

const NODE_ROLE = { rolearn: 'arn:aws:iam::111122223333:role/node', username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] };
const awsAuth = () => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'aws-auth', namespace: 'kube-system', uid: 'u-1', resourceVersion: '7', labels: { team: 'platform' }, finalizers: ['a', 'b'], ownerReferences: [{ uid: 'o-1', kind: 'Thing', name: 'one' }] },
  data: { mapRoles: dump([NODE_ROLE]), mapUsers: '[]\n' },
});
const META = { fields: { metadata: OBJECT_META_PATCH } };

describe('JSON merge patch (RFC 7386)', () => {
  it('merges maps, deletes keys set to null and replaces lists', () => {
    const patched = mergePatch(awsAuth(), { metadata: { labels: { team: null, reviewed: 'yes' }, finalizers: ['c'] }, data: { mapUsers: null } }) as ReturnType<typeof awsAuth>;

    expect(patched.metadata.labels).toEqual({ reviewed: 'yes' });
    expect(patched.metadata.finalizers).toEqual(['c']);
    expect(patched.data).toEqual({ mapRoles: dump([NODE_ROLE]) });
  });
});

describe('strategic merge patch', () => {
  it("replaces aws-auth's mapRoles string as kubectl apply's three-way patch sends it, keeping every other key", () => {
    const added = { rolearn: 'arn:aws:iam::111122223333:role/ops', username: 'ops', groups: ['system:masters'] };
    const patch = { data: { mapRoles: dump([NODE_ROLE, added]) }, metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } } };

    const patched = strategicMergePatch(awsAuth(), patch, META) as ReturnType<typeof awsAuth> & { metadata: { annotations: object } };

    expect(load(patched.data.mapRoles)).toEqual([NODE_ROLE, added]);
    expect(patched.data.mapUsers).toBe('[]\n');
    expect(patched.metadata).toMatchObject({ labels: { team: 'platform' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' }, uid: 'u-1' });
  });

  it('merges the lists the schema marks mergeable: finalizers as a set, ownerReferences by uid (with $patch: delete)', () => {
    const patch = {
      metadata: {
        finalizers: ['b', 'c'],
        ownerReferences: [{ uid: 'o-2', kind: 'Thing', name: 'two' }, { uid: 'o-1', $patch: 'delete' }],
        '$setElementOrder/finalizers': ['a', 'b', 'c'],
      },
    };

    const patched = strategicMergePatch(awsAuth(), patch, META) as { metadata: { finalizers: string[]; ownerReferences: object[] } };

    expect(patched.metadata.finalizers).toEqual(['a', 'b', 'c']);
    expect(patched.metadata.ownerReferences).toEqual([{ uid: 'o-2', kind: 'Thing', name: 'two' }]);
  });

  it('honours $deleteFromPrimitiveList, $patch: replace, $patch: delete and $retainKeys', () => {
    const fromList = strategicMergePatch(awsAuth(), { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, META) as { metadata: { finalizers: string[] } };
    const replaced = strategicMergePatch(awsAuth(), { data: { $patch: 'replace', only: 'this' } }, META) as { data: object };
    const deleted = strategicMergePatch(awsAuth(), { metadata: { labels: { $patch: 'delete' } } }, META) as { metadata: object };
    const retained = strategicMergePatch(awsAuth(), { data: { $retainKeys: ['mapUsers', 'extra'], extra: 'x' } }, META) as { data: object };

    expect(fromList.metadata.finalizers).toEqual(['b']);
    expect(replaced.data).toEqual({ only: 'this' });
    expect(deleted.metadata).not.toHaveProperty('labels');
    expect(retained.data).toEqual({ mapUsers: '[]\n', extra: 'x' });
  });

  it('replaces lists the schema does not mark mergeable, and refuses a mergeable item without its key', () => {
    const replaced = strategicMergePatch({ spec: { items: [1, 2] } }, { spec: { items: [3] } }) as { spec: { items: number[] } };

    expect(replaced.spec.items).toEqual([3]);
    expect(() => strategicMergePatch(awsAuth(), { metadata: { ownerReferences: [{ name: 'no-uid' }] } }, META)).toThrow(/does not contain declared merge key: uid/);
  });
});

describe('JSON patch (RFC 6902)', () => {
  it('adds, replaces, removes, moves, copies and tests', () => {
    const patched = jsonPatch(awsAuth(), [
      { op: 'test', path: '/metadata/name', value: 'aws-auth' },
      { op: 'add', path: '/data/extra', value: 'x' },
      { op: 'replace', path: '/data/mapUsers', value: '- userarn: u\n' },
      { op: 'copy', from: '/data/extra', path: '/data/copy' },
      { op: 'move', from: '/data/copy', path: '/data/moved' },
      { op: 'remove', path: '/metadata/finalizers/0' },
      { op: 'add', path: '/metadata/finalizers/-', value: 'z' },
      { op: 'add', path: '/metadata/labels/a~1b', value: 'slash' },
    ]) as ReturnType<typeof awsAuth>;

    expect(patched.data).toEqual({ mapRoles: dump([NODE_ROLE]), mapUsers: '- userarn: u\n', extra: 'x', moved: 'x' });
    expect(patched.metadata.finalizers).toEqual(['b', 'z']);
    expect(patched.metadata.labels).toEqual({ team: 'platform', 'a/b': 'slash' });
  });

  it('fails (422) a failed test, a missing path and an unknown op, leaving the target untouched', () => {
    const target = awsAuth();
    for (const operations of [[{ op: 'test', path: '/metadata/name', value: 'other' }], [{ op: 'remove', path: '/data/absent' }], [{ op: 'replace', path: '/nope/deeper', value: 1 }], [{ op: 'frobnicate', path: '/data' }]]) {
      const error = (() => {
        try {
          jsonPatch(target, operations);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(StatusError);
      expect((error as StatusError).status).toBe(422);
    }
    expect(target).toEqual(awsAuth());
  });
});

describe('applyPatch', () => {
  it('chooses by content type and refuses others with 415', () => {
    expect(applyPatch('application/merge-patch+json', { a: 1 }, { b: 2 }, {})).toEqual({ a: 1, b: 2 });
    expect(applyPatch('application/json-patch+json', { a: 1 }, [{ op: 'remove', path: '/a' }], {})).toEqual({});
    expect(() => applyPatch('application/apply-patch+yaml', { a: 1 }, {}, {})).toThrow(expect.objectContaining({ status: 415, code: 'UnsupportedMediaType' }));
    expect(() => applyPatch('application/merge-patch+json', { a: 1 }, [1], {})).toThrow(expect.objectContaining({ status: 400 }));
  });
});

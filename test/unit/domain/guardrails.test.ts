import { guardrailProblems, instanceTypeAllowed, resolveGuardrails, type Guardrails, type ResolvedGuardrails } from '../../../functions/domain/guardrails';
import { normaliseSpec, type Spec } from '../../../functions/domain/spec';
import { InvalidSpecError, type SpecProblem } from '../../../functions/shared/errors';
import { referenceSpec } from '../../support/provision-run';

const VERSIONS = { kubernetesVersions: ['1.31', '1.32', '1.33'], defaultKubernetesVersion: '1.33' };
/** A spec as the steps see it, built without guardrails beyond the versions. */
const spec = (request: Record<string, unknown>): Spec => normaliseSpec({ name: 'demo', ...request }, VERSIONS);
const under = (guardrails: Guardrails): ResolvedGuardrails => ({ ...VERSIONS, ...guardrails });
const nodegroup = (name: string, fields: Record<string, unknown> = {}) => ({ name, ...fields });

/** normaliseSpec's problems, or none when it accepts the spec. */
function problemsOf(request: Record<string, unknown>, guardrails: Guardrails): SpecProblem[] {
  try {
    normaliseSpec({ name: 'demo', ...request }, under(guardrails));
    return [];
  } catch (error) {
    if (error instanceof InvalidSpecError) return error.problems;
    throw error;
  }
}

describe('guardrailProblems', () => {
  it('finds nothing in the reference cluster under the default guardrails', () => {
    expect(guardrailProblems(normaliseSpec(referenceSpec(), VERSIONS), VERSIONS)).toEqual([]);
  });

  describe('kubernetesVersions', () => {
    it('refuses a version outside the list, naming the allowed ones', () => {
      const problems = guardrailProblems(spec({ version: '1.31' }), under({ kubernetesVersions: ['1.32', '1.33'] }));

      expect(problems).toEqual([{ pointer: '/version', message: 'Kubernetes 1.31 is not an allowed version (guardrail kubernetesVersions: 1.32, 1.33)' }]);
    });

    it('accepts a listed version', () => {
      expect(guardrailProblems(spec({ version: '1.32' }), under({ kubernetesVersions: ['1.32', '1.33'] }))).toEqual([]);
    });

    it('gives a spec without a version the configured default', () => {
      expect(normaliseSpec({ name: 'demo' }, { kubernetesVersions: ['1.32', '1.33'], defaultKubernetesVersion: '1.32' }).version).toBe('1.32');
    });
  });

  describe('instanceTypes', () => {
    it('refuses each type outside the allow-list, pointing at it and naming the list', () => {
      const request = { managedNodeGroups: [nodegroup('ng-1', { instanceTypes: ['m5.large'] }), nodegroup('ng-gpu', { instanceTypes: ['m5.xlarge', 'p4d.24xlarge', 'c5.large'] })] };

      const problems = guardrailProblems(spec(request), under({ instanceTypes: ['m5.*', 't3.large'] }));

      expect(problems).toEqual([
        { pointer: '/managedNodeGroups/1/instanceTypes/1', message: 'p4d.24xlarge is not an allowed instance type (guardrail instanceTypes: m5.*, t3.large)' },
        { pointer: '/managedNodeGroups/1/instanceTypes/2', message: 'c5.large is not an allowed instance type (guardrail instanceTypes: m5.*, t3.large)' },
      ]);
    });

    it('checks the default instance type (m5.large) of a nodegroup that names none', () => {
      const problems = guardrailProblems(spec({ managedNodeGroups: [nodegroup('ng-1')] }), under({ instanceTypes: ['t3.*'] }));

      expect(problems).toEqual([expect.objectContaining({ pointer: '/managedNodeGroups/0/instanceTypes/0', message: expect.stringMatching(/^m5\.large is not an allowed instance type/) })]);
    });

    it('allows any type when the guardrail is absent', () => {
      expect(guardrailProblems(spec({ managedNodeGroups: [nodegroup('ng-1', { instanceTypes: ['p4d.24xlarge'] })] }), VERSIONS)).toEqual([]);
    });
  });

  describe('maxNodesPerNodegroup', () => {
    it('refuses a nodegroup whose maxSize is above the limit, pointing at its maxSize', () => {
      const request = { managedNodeGroups: [nodegroup('ng-small', { maxSize: 5 }), nodegroup('ng-big', { minSize: 1, desiredSize: 1, maxSize: 6 })] };

      const problems = guardrailProblems(spec(request), under({ maxNodesPerNodegroup: 5 }));

      expect(problems).toEqual([{ pointer: '/managedNodeGroups/1/maxSize', message: 'maxSize 6 is above the nodegroup limit (guardrail maxNodesPerNodegroup: 5)' }]);
    });

    it('accepts a maxSize equal to the limit', () => {
      expect(guardrailProblems(spec({ managedNodeGroups: [nodegroup('ng-1', { maxSize: 5 })] }), under({ maxNodesPerNodegroup: 5 }))).toEqual([]);
    });
  });

  describe('maxNodesPerCluster', () => {
    it('refuses nodegroups whose maxSize adds up to more than the limit, naming the total', () => {
      const request = { managedNodeGroups: [nodegroup('ng-1', { maxSize: 4 }), nodegroup('ng-2', { maxSize: 4 }), nodegroup('ng-3', { maxSize: 3 })] };

      const problems = guardrailProblems(spec(request), under({ maxNodesPerCluster: 10 }));

      expect(problems).toEqual([{ pointer: '/managedNodeGroups', message: "the nodegroups' maxSize adds up to 11 nodes, above the cluster limit (guardrail maxNodesPerCluster: 10)" }]);
    });

    it('accepts a total equal to the limit, counting the default maxSize (2) of a nodegroup that names none', () => {
      const request = { managedNodeGroups: [nodegroup('ng-1', { maxSize: 8 }), nodegroup('ng-2')] };

      expect(guardrailProblems(spec(request), under({ maxNodesPerCluster: 10 }))).toEqual([]);
    });

    it('counts maxSize, not desiredSize: the autoscaler may grow every nodegroup to its maximum', () => {
      const request = { managedNodeGroups: [nodegroup('ng-1', { minSize: 1, desiredSize: 1, maxSize: 20 })] };

      expect(guardrailProblems(spec(request), under({ maxNodesPerCluster: 10 }))).toEqual([expect.objectContaining({ pointer: '/managedNodeGroups' })]);
    });

    it('reports a nodegroup over its own limit and the cluster over its total, each once', () => {
      const request = { managedNodeGroups: [nodegroup('ng-1', { maxSize: 8 }), nodegroup('ng-2', { maxSize: 8 })] };

      const problems = guardrailProblems(spec(request), under({ maxNodesPerNodegroup: 6, maxNodesPerCluster: 12 }));

      expect(problems.map((p) => p.pointer)).toEqual(['/managedNodeGroups/0/maxSize', '/managedNodeGroups/1/maxSize', '/managedNodeGroups']);
    });
  });

  describe('publicAccessCidrs', () => {
    const allowed = under({ publicAccessCidrs: ['203.0.113.0/24', '10.0.0.0/8'] });

    it('accepts requested blocks that lie inside an allowed one, or equal it', () => {
      const request = { endpointAccess: { public: true, publicAccessCidrs: ['203.0.113.0/24', '10.20.0.0/16', '203.0.113.9/32'] } };

      expect(guardrailProblems(spec(request), allowed)).toEqual([]);
    });

    it('refuses each block outside every allowed one, including one that only overlaps', () => {
      const request = { endpointAccess: { public: true, publicAccessCidrs: ['10.1.0.0/16', '198.51.100.0/24', '203.0.112.0/23'] } };

      const problems = guardrailProblems(spec(request), allowed);

      expect(problems).toEqual([
        { pointer: '/endpointAccess/publicAccessCidrs/1', message: '198.51.100.0/24 is not inside the allowed public access CIDRs (guardrail publicAccessCidrs: 203.0.113.0/24, 10.0.0.0/8)' },
        { pointer: '/endpointAccess/publicAccessCidrs/2', message: '203.0.112.0/23 is not inside the allowed public access CIDRs (guardrail publicAccessCidrs: 203.0.113.0/24, 10.0.0.0/8)' },
      ]);
    });

    it('refuses 0.0.0.0/0 unless it is listed itself', () => {
      const request = { endpointAccess: { public: true, publicAccessCidrs: ['0.0.0.0/0'] } };

      expect(guardrailProblems(spec(request), allowed)).toEqual([{ pointer: '/endpointAccess/publicAccessCidrs/0', message: expect.stringMatching(/^0\.0\.0\.0\/0 \(the whole internet.*\) is not inside the allowed public access CIDRs/) }]);
      expect(guardrailProblems(spec(request), under({ publicAccessCidrs: ['0.0.0.0/0'] }))).toEqual([]);
    });

    it("judges a public endpoint without CIDRs as EKS's default 0.0.0.0/0, pointing at the list to add", () => {
      const problems = problemsOf({ endpointAccess: { public: true } }, { publicAccessCidrs: ['203.0.113.0/24'] });

      expect(problems).toEqual([{ pointer: '/endpointAccess/publicAccessCidrs', message: expect.stringMatching(/^0\.0\.0\.0\/0 .* is not inside the allowed public access CIDRs \(guardrail publicAccessCidrs: 203\.0\.113\.0\/24\)$/) }]);
    });

    it('has nothing to say about a private-only endpoint', () => {
      expect(problemsOf({ endpointAccess: { public: false, private: true } }, { publicAccessCidrs: ['203.0.113.0/24'] })).toEqual([]);
    });

    it('leaves a malformed block to the spec rules, reporting it once', () => {
      const problems = problemsOf({ endpointAccess: { public: true, publicAccessCidrs: ['203.0.113.7/24'] } }, { publicAccessCidrs: ['203.0.113.0/24'] });

      expect(problems).toEqual([{ pointer: '/endpointAccess/publicAccessCidrs/0', message: '"203.0.113.7/24" has host bits set; did you mean "203.0.113.0/24"?' }]);
    });

    it('allows any block when the guardrail is absent', () => {
      expect(guardrailProblems(spec({ endpointAccess: { public: true } }), VERSIONS)).toEqual([]);
    });
  });

  describe('requiredTags', () => {
    const required = under({ requiredTags: ['team', 'cost-center'] });

    it('accepts a spec carrying every required tag with a value', () => {
      expect(guardrailProblems(spec({ tags: { team: 'platform', 'cost-center': '1234', extra: '' } }), required)).toEqual([]);
    });

    it('refuses each missing tag at /tags, naming the required ones', () => {
      const problems = guardrailProblems(spec({ tags: { team: 'platform' } }), required);

      expect(problems).toEqual([{ pointer: '/tags', message: 'tag cost-center is required (guardrail requiredTags: team, cost-center)' }]);
    });

    it('refuses a spec without tags once per required tag', () => {
      expect(guardrailProblems(spec({}), required).map((p) => p.message)).toEqual([expect.stringContaining('tag team is required'), expect.stringContaining('tag cost-center is required')]);
    });

    it.each([
      ['empty', ''],
      ['blank', '   '],
    ])('refuses a required tag whose value is %s, pointing at the tag', (_, value) => {
      const problems = guardrailProblems(spec({ tags: { team: value, 'cost-center': '1234' } }), required);

      expect(problems).toEqual([{ pointer: '/tags/team', message: 'tag team must have a non-empty value (guardrail requiredTags: team, cost-center)' }]);
    });

    it('escapes a tag key with a slash in the pointer (RFC 6901)', () => {
      const problems = guardrailProblems(spec({ tags: { 'example.com/team': '' } }), under({ requiredTags: ['example.com/team'] }));

      expect(problems).toEqual([expect.objectContaining({ pointer: '/tags/example.com~1team' })]);
    });

    it('matches tag keys exactly (case matters, as in AWS)', () => {
      expect(guardrailProblems(spec({ tags: { Team: 'platform' } }), under({ requiredTags: ['team'] }))).toEqual([expect.objectContaining({ pointer: '/tags' })]);
    });
  });
});

describe('allowedNodePolicyArns', () => {
  const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
  const CNI = 'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy';
  const SSM = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
  const defaults = (): string[] => {
    const list = resolvedDefaults().allowedNodePolicyArns;
    if (!list?.length) throw new Error('the default guardrails must allow the policies nodes commonly need');
    return list;
  };
  const withPolicies = (...arns: string[]) => spec({ managedNodeGroups: [nodegroup('ng-1'), nodegroup('ng-2', { iam: { additionalPolicyArns: arns } })] });

  it('refuses AdministratorAccess under the default list, pointing at the policy in the nodegroup', () => {
    const problems = guardrailProblems(withPolicies(SSM, ADMIN), under({ allowedNodePolicyArns: defaults() }));

    expect(problems).toEqual([{ pointer: '/managedNodeGroups/1/iam/additionalPolicyArns/1', message: expect.stringMatching(/^arn:aws:iam::aws:policy\/AdministratorAccess is not a policy nodes may have \(guardrail allowedNodePolicyArns: arn:aws:iam::aws:policy\/AmazonEKSWorkerNodePolicy, /) }]);
  });

  it('accepts every policy of the default list', () => {
    expect(guardrailProblems(withPolicies(...defaults()), under({ allowedNodePolicyArns: defaults() }))).toEqual([]);
  });

  it('holds nodegroups to a custom list, including a policy of the account', () => {
    const own = 'arn:aws:iam::111122223333:policy/nodes-read-artifacts';

    const problems = guardrailProblems(withPolicies(own, CNI), under({ allowedNodePolicyArns: [own] }));

    expect(problems).toEqual([{ pointer: '/managedNodeGroups/1/iam/additionalPolicyArns/1', message: `${CNI} is not a policy nodes may have (guardrail allowedNodePolicyArns: ${own})` }]);
  });

  it('refuses every extra policy when the list is empty', () => {
    expect(guardrailProblems(withPolicies(CNI), under({ allowedNodePolicyArns: [] }))).toEqual([{ pointer: '/managedNodeGroups/1/iam/additionalPolicyArns/0', message: `${CNI} is not a policy nodes may have (guardrail allowedNodePolicyArns allows none)` }]);
  });

  it('is in force by default: a configuration that does not name it still refuses AdministratorAccess', () => {
    expect(problemsOf({ managedNodeGroups: [nodegroup('ng-1', { iam: { additionalPolicyArns: [ADMIN] } })] }, resolvedDefaults())).toEqual([expect.objectContaining({ pointer: '/managedNodeGroups/0/iam/additionalPolicyArns/0' })]);
  });

  it('cannot be configured to allow a policy that administers IAM, the organization or the account', () => {
    const result = resolveGuardrails({ allowedNodePolicyArns: [SSM, ADMIN, 'arn:aws-us-gov:iam::aws:policy/IAMFullAccess'] });

    expect(result.problems).toEqual([
      { pointer: '/allowedNodePolicyArns/1', message: expect.stringMatching(/^AdministratorAccess cannot be allowed on node roles/) },
      { pointer: '/allowedNodePolicyArns/2', message: expect.stringMatching(/^IAMFullAccess cannot be allowed on node roles/) },
    ]);
  });

  it('refuses an entry that is not a policy ARN', () => {
    expect(resolveGuardrails({ allowedNodePolicyArns: ['AdministratorAccess'] }).problems).toEqual([{ pointer: '/allowedNodePolicyArns/0', message: expect.stringContaining('must match pattern') }]);
  });
});

/** The guardrails a deployment gets when it configures none. */
function resolvedDefaults(): ResolvedGuardrails {
  const { guardrails } = resolveGuardrails({});
  if (!guardrails) throw new Error('the default guardrails must resolve');
  return guardrails;
}

describe('instanceTypeAllowed', () => {
  it.each<[boolean, string, string]>([
    [true, 'm5.large', 'm5.large'],
    [false, 'm5.xlarge', 'm5.large'],
    [true, 'm5.24xlarge', 'm5.*'],
    [false, 'm5a.large', 'm5.*'],
    [false, 'm5d.large', 'm5.*'],
    [true, 't3.large', 't3*'],
    [true, 't3a.micro', 't3*'],
    [false, 't4g.small', 't3*'],
    [false, 'xm5.large', 'm5.*'],
  ])('is %s for %s under %s', (expected, type, pattern) => {
    expect(instanceTypeAllowed(type, [pattern])).toBe(expected);
  });

  it('allows a type matching any entry of the list', () => {
    expect(instanceTypeAllowed('c6i.large', ['m5.*', 'c6i.large'])).toBe(true);
  });
});

describe('resolveGuardrails', () => {
  it('applies the defaults without changing its input', () => {
    const input = { maxNodesPerCluster: 10 };

    const result = resolveGuardrails(input);

    expect(result).toEqual({ guardrails: { kubernetesVersions: ['1.31', '1.32', '1.33'], defaultKubernetesVersion: '1.33', maxNodesPerCluster: 10, allowedNodePolicyArns: expect.arrayContaining(['arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy']), allowedPodPolicyArns: [] } });
    expect(input).toEqual({ maxNodesPerCluster: 10 });
  });

  it('names every problem as a pointer into the configuration', () => {
    const result = resolveGuardrails({ maxNodesPerCluster: 'ten', kubernetesVersions: ['1.33'], defaultKubernetesVersion: '1.33', unknown: true });

    expect(result.problems).toEqual([
      { pointer: '/unknown', message: 'is not a known guardrail (see schemas/config/guardrails.schema.json)' },
      { pointer: '/maxNodesPerCluster', message: 'must be integer' },
    ]);
  });
});

describe('normaliseSpec with guardrails', () => {
  it('lists guardrail problems together with the EKS rule problems in one InvalidSpecError', () => {
    const request = {
      tags: {},
      endpointAccess: { public: true, publicAccessCidrs: ['0.0.0.0/0'] },
      managedNodeGroups: [nodegroup('ng-1', { instanceTypes: ['p4d.24xlarge'], minSize: 5, desiredSize: 1, maxSize: 50 })],
    };

    const problems = problemsOf(request, { instanceTypes: ['m5.*'], maxNodesPerNodegroup: 10, maxNodesPerCluster: 20, publicAccessCidrs: ['203.0.113.0/24'], requiredTags: ['team'] });

    expect(problems.map((p) => p.pointer)).toEqual([
      '/managedNodeGroups/0/desiredSize',
      '/managedNodeGroups/0/instanceTypes/0',
      '/managedNodeGroups/0/maxSize',
      '/managedNodeGroups',
      '/endpointAccess/publicAccessCidrs/0',
      '/tags',
    ]);
  });

  it('accepts the reference cluster under guardrails it meets', () => {
    const guardrails = under({ instanceTypes: ['m5.*', 't3*'], maxNodesPerNodegroup: 3, maxNodesPerCluster: 5, publicAccessCidrs: ['203.0.113.0/24'], requiredTags: ['team', 'cost-center'] });

    expect(() => normaliseSpec(referenceSpec(), guardrails)).not.toThrow();
  });
});

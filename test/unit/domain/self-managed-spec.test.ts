import { normaliseSpec } from '../../../functions/domain/spec';
import { InvalidSpecError, type SpecProblem } from '../../../functions/shared/errors';

const SPEC_DEFAULTS = { kubernetesVersions: ['1.32', '1.33'], defaultKubernetesVersion: '1.33' };

function problemsOf(spec: Record<string, unknown>, guardrails: Record<string, unknown> = {}): SpecProblem[] {
  try {
    normaliseSpec(spec, { ...SPEC_DEFAULTS, ...guardrails });
  } catch (error) {
    if (error instanceof InvalidSpecError) return error.problems;
    throw error;
  }
  return [];
}

const withSelfManaged = (...nodegroups: Array<Record<string, unknown>>) => ({ name: 'demo', selfManagedNodeGroups: nodegroups });

describe('selfManagedNodeGroups defaults', () => {
  it("gives a self-managed nodegroup the managed ones' defaults, On-Demand, AL2023 and no AMI (resolved from SSM when made)", () => {
    const spec = normaliseSpec(withSelfManaged({ name: 'self' }), SPEC_DEFAULTS);

    expect(spec.selfManagedNodeGroups).toEqual([{ name: 'self', instanceTypes: ['m5.large'], desiredSize: 2, minSize: 2, maxSize: 2, volumeSize: 80, volumeType: 'gp3', amiFamily: 'AmazonLinux2023', spot: false, labels: {}, taints: [], privateNetworking: true }]);
  });

  it('asks for compute itself: no default managed nodegroup is added', () => {
    expect(normaliseSpec(withSelfManaged({ name: 'self' }), SPEC_DEFAULTS).managedNodeGroups).toEqual([]);
  });

  it('is an empty list when absent, and a normalised spec normalises again unchanged', () => {
    const spec = normaliseSpec({ name: 'demo' }, SPEC_DEFAULTS);
    expect(spec.selfManagedNodeGroups).toEqual([]);

    const withOne = normaliseSpec(withSelfManaged({ name: 'self', spot: true, instanceTypes: ['m5.large', 'm5a.large'] }), SPEC_DEFAULTS);
    expect(normaliseSpec(withOne, SPEC_DEFAULTS)).toEqual(withOne);
  });

  it("fills an instancesDistribution's omitted fields with eksctl's defaults", () => {
    const spec = normaliseSpec(withSelfManaged({ name: 'mixed', instancesDistribution: { onDemandBaseCapacity: 1 } }), SPEC_DEFAULTS);

    expect(spec.selfManagedNodeGroups[0]!.instancesDistribution).toEqual({ onDemandBaseCapacity: 1, onDemandPercentageAboveBaseCapacity: 100, spotAllocationStrategy: 'capacity-optimized' });
  });
});

describe('selfManagedNodeGroups rules (422 with pointers)', () => {
  it('refuses a name already used by a managed nodegroup, and duplicates among self-managed ones', () => {
    expect(problemsOf({ name: 'demo', managedNodeGroups: [{ name: 'ng' }], selfManagedNodeGroups: [{ name: 'ng' }, { name: 'b' }, { name: 'b' }] })).toEqual([
      { pointer: '/selfManagedNodeGroups/0/name', message: 'nodegroup name "ng" is already a managed nodegroup\'s (names are unique across managedNodeGroups and selfManagedNodeGroups)' },
      { pointer: '/selfManagedNodeGroups/2/name', message: 'duplicate nodegroup name "b" (first at /selfManagedNodeGroups/1)' },
    ]);
  });

  it('holds them to the managed ones’ rules where the fields mean the same', () => {
    const problems = problemsOf(withSelfManaged({ name: 'self', minSize: 3, desiredSize: 2, maxSize: 4, labels: { 'kubernetes.io/role': 'x' }, taints: [{ key: 'k8s.io/x', effect: 'NoSchedule' }], subnets: ['subnet-0aaaaaaaaaaaaaaa1'] }));

    expect(problems.map((p) => p.pointer)).toEqual(['/selfManagedNodeGroups/0/desiredSize', '/selfManagedNodeGroups/0/labels/kubernetes.io~1role', '/selfManagedNodeGroups/0/taints/0/key', '/selfManagedNodeGroups/0/subnets/0']);
  });

  it('refuses instance types of two architectures (one AMI serves them all), and spot together with an instancesDistribution', () => {
    const problems = problemsOf(withSelfManaged({ name: 'self', instanceTypes: ['m5.large', 'm6g.large'], spot: true, instancesDistribution: {} }));

    expect(problems).toEqual([
      { pointer: '/selfManagedNodeGroups/0/instanceTypes/1', message: 'm6g.large is an Arm (Graviton) instance type but m5.large is not: one AMI serves every type of a nodegroup, so they must share an architecture' },
      { pointer: '/selfManagedNodeGroups/0/spot', message: 'give spot or instancesDistribution, not both (spot is instancesDistribution with onDemandPercentageAboveBaseCapacity 0)' },
    ]);
  });

  it('refuses an On-Demand base above maxSize, and a malformed AMI id', () => {
    expect(problemsOf(withSelfManaged({ name: 'self', ami: 'ubuntu', instancesDistribution: { onDemandBaseCapacity: 5 } })).map((p) => p.pointer)).toEqual(['/selfManagedNodeGroups/0/ami']);
    expect(problemsOf(withSelfManaged({ name: 'self', instancesDistribution: { onDemandBaseCapacity: 5 } }))).toEqual([{ pointer: '/selfManagedNodeGroups/0/instancesDistribution/onDemandBaseCapacity', message: 'the On-Demand base capacity 5 is above maxSize 2' }]);
  });

  it('refuses public nodes of a public-only endpoint restricted to CIDRs, as for managed nodegroups', () => {
    const problems = problemsOf({ ...withSelfManaged({ name: 'self', privateNetworking: false }), endpointAccess: { public: true, publicAccessCidrs: ['198.51.100.0/24'] } });

    expect(problems.map((p) => p.pointer)).toEqual(['/selfManagedNodeGroups/0/privateNetworking']);
  });

  it("applies the guardrails on nodes to them: instance types, per-nodegroup and per-cluster sizes, node policies", () => {
    const problems = problemsOf(
      { name: 'demo', managedNodeGroups: [{ name: 'ng', maxSize: 4, desiredSize: 2 }], selfManagedNodeGroups: [{ name: 'self', instanceTypes: ['p4d.24xlarge'], maxSize: 8, iam: { additionalPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] } }] },
      { instanceTypes: ['m5.*', 't3*'], maxNodesPerNodegroup: 6, maxNodesPerCluster: 10, allowedNodePolicyArns: [] },
    );

    expect(problems.map((p) => p.pointer)).toEqual([
      '/selfManagedNodeGroups/0/instanceTypes/0',
      '/selfManagedNodeGroups/0/maxSize',
      '/managedNodeGroups',
      '/selfManagedNodeGroups/0/iam/additionalPolicyArns/0',
    ]);
  });
});

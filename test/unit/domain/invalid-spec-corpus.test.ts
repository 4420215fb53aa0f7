/**
 * The invalid-spec corpus (test/fixtures/invalid-specs): one file per rule, each a spec the service
 * must refuse before any AWS call, with the JSON pointers and reasons the caller gets back.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normaliseSpec } from '../../../functions/domain/spec';
import { InvalidSpecError, type SpecProblem } from '../../../functions/shared/errors';

const SPEC_DEFAULTS = { kubernetesVersions: ['1.31', '1.32', '1.33'], defaultKubernetesVersion: '1.33' };
const CORPUS_DIR = join(__dirname, '../../fixtures/invalid-specs');
const REFERENCE_SPEC = join(__dirname, '../../fixtures/reference-cluster.json');

interface InvalidSpecCase {
  description: string;
  spec: unknown;
  expect: SpecProblem[];
}

const corpus: Array<[string, InvalidSpecCase]> = readdirSync(CORPUS_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => [file.replace(/\.json$/, ''), JSON.parse(readFileSync(join(CORPUS_DIR, file), 'utf8')) as InvalidSpecCase]);

function problemsOf(spec: unknown): SpecProblem[] {
  try {
    normaliseSpec(spec, SPEC_DEFAULTS);
  } catch (error) {
    if (error instanceof InvalidSpecError) return error.problems;
    throw error;
  }
  throw new Error('normaliseSpec accepted the spec');
}

describe('the invalid-spec corpus', () => {
  it('holds at least 45 cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(45);
  });

  it.each(corpus)('%s: describes the rule it breaks and expects at least one problem', (_, testCase) => {
    expect(testCase.description.trim()).not.toBe('');
    expect(testCase.expect.length).toBeGreaterThan(0);
  });

  it.each(corpus)('%s: is refused with an InvalidSpecError', (_, testCase) => {
    const act = () => normaliseSpec(testCase.spec, SPEC_DEFAULTS);

    expect(act).toThrow(InvalidSpecError);
  });

  it.each(corpus)('%s: names each expected field and reason', (_, testCase) => {
    const problems = problemsOf(testCase.spec);

    for (const expected of testCase.expect) {
      expect(problems).toContainEqual({ pointer: expected.pointer, message: expect.stringContaining(expected.message) });
    }
  });

  it.each(corpus)('%s: gives every problem as a JSON pointer and a non-empty reason', (_, testCase) => {
    const problems = problemsOf(testCase.spec);

    for (const problem of problems) {
      expect(problem.pointer).toMatch(/^(\/([^~/]|~[01])*)*$/);
      expect(problem.message.trim()).not.toBe('');
    }
  });
});

describe('valid specs the corpus must not be confused with', () => {
  const reference = JSON.parse(readFileSync(REFERENCE_SPEC, 'utf8')) as Record<string, unknown>;

  it.each<[string, unknown]>([
    ['only a name', { name: 'demo' }],
    ['existing subnets, private and public', { name: 'demo', network: { subnets: { private: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'], public: ['subnet-0bbbbbbbbbbbbbbb1'] } } }],
    ['existing private subnets with nodegroup and Fargate subnets chosen among them', {
      name: 'demo',
      network: { subnets: { private: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'] } },
      managedNodeGroups: [{ name: 'ng-1', subnets: ['subnet-0aaaaaaaaaaaaaaa2'] }],
      fargateProfiles: [{ name: 'fp-apps', selectors: [{ namespace: 'apps' }], subnets: ['subnet-0aaaaaaaaaaaaaaa1'] }],
    }],
    ['a private-only endpoint', { name: 'demo', endpointAccess: { public: false, private: true } }],
    ['public nodes without a NAT gateway', { name: 'demo', network: { vpc: { natGateway: 'Disable' } }, managedNodeGroups: [{ name: 'ng-1', privateNetworking: false }] }],
    ['a fully private cluster (no NAT gateway, private-only endpoint: VPC endpoints) with private nodes and Fargate', { name: 'demo', network: { vpc: { natGateway: 'Disable' } }, endpointAccess: { public: false, private: true }, managedNodeGroups: [{ name: 'ng-1' }], fargate: true }],
    ['a label under a non-reserved domain', { name: 'demo', managedNodeGroups: [{ name: 'ng-1', labels: { 'example.com/team': 'platform' } }] }],
    ['the reference cluster (test/fixtures/reference-cluster.json)', reference],
  ])('normalises %s without error', (_, spec) => {
    const act = () => normaliseSpec(spec, SPEC_DEFAULTS);

    expect(act).not.toThrow();
  });

  it('keeps what the reference cluster asks for', () => {
    const spec = normaliseSpec(reference, SPEC_DEFAULTS);

    expect(spec.network).toEqual({ vpc: { cidr: '192.168.0.0/16', azCount: 2, natGateway: 'Single', endpoints: false } });
    expect(spec.managedNodeGroups.map((ng) => [ng.name, ng.instanceTypes, ng.capacityType, ng.minSize, ng.desiredSize, ng.maxSize])).toEqual([
      ['ng-general', ['m5.large'], 'ON_DEMAND', 2, 2, 2],
      ['ng-spot', ['t3.medium'], 'SPOT', 1, 1, 3],
    ]);
    expect(spec.fargateProfiles.map((p) => p.name)).toEqual(['fp-default']);
    expect(spec.accessEntries).toHaveLength(3);
    expect(spec.identityMappings).toHaveLength(1);
    expect(spec.addons.map((a) => a.name)).toEqual(['vpc-cni', 'coredns', 'kube-proxy']);
    expect(spec.endpointAccess).toEqual({ public: true, private: true, publicAccessCidrs: ['203.0.113.0/24'] });
  });
});

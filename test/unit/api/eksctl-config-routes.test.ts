/**
 * POST /clusters with YAML bodies and eksctl ClusterConfigs: the spec as YAML, a ClusterConfig as
 * YAML or JSON (dry run and real), every unsupported field named in one 422, YAML syntax errors
 * named by line and column, and hostile YAML refused before any port is called.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { routeRequest } from '../../../functions/api/handler';
import { apiEvent as event, responseBody as body, watched } from '../../support/api-event';
import { FakeAws } from '../../support/fake-aws';

const EXAMPLE = readFileSync(join(__dirname, '..', '..', '..', 'examples', 'eksctl-cluster.yaml'), 'utf8');
const YAML = 'application/yaml';
const clusterConfig = (rest: Record<string, unknown> = {}) => ({ apiVersion: 'eksctl.io/v1alpha5', kind: 'ClusterConfig', metadata: { name: 'demo', region: 'us-east-1', version: '1.33' }, ...rest });

describe('POST /clusters with an eksctl ClusterConfig', () => {
  it('answers the dry run of examples/eksctl-cluster.yaml, sent as YAML, with the translated spec and its plan', async () => {
    const aws = new FakeAws();

    const response = await routeRequest(event('POST', '/clusters', { body: EXAMPLE, contentType: YAML, query: { dryRun: 'true' } }), aws.deps());

    expect(response.statusCode).toBe(200);
    const plan = body(response);
    expect(plan.stackName).toBe('eksp-payments-prod-cluster');
    expect(plan.spec).toMatchObject({
      name: 'payments-prod',
      network: { vpc: { cidr: '10.40.0.0/16', natGateway: 'HighlyAvailable', azCount: 3 } },
      managedNodeGroups: [{ name: 'general', instanceTypes: ['m6i.large'], desiredSize: 3 }],
      selfManagedNodeGroups: [{ name: 'batch' }, { name: 'batch-spot', instancesDistribution: { onDemandPercentageAboveBaseCapacity: 0 } }],
      fargateProfiles: [{ name: 'fp-jobs' }],
      identityMappings: [{ arn: 'arn:aws:iam::111122223333:role/payments-ci' }],
      logging: ['api', 'audit', 'authenticator'],
    });
    expect(plan.steps).toEqual(expect.arrayContaining([expect.stringContaining('general'), expect.stringContaining('batch-spot'), expect.stringContaining('fp-jobs')]));
    expect(plan.template.Resources.ControlPlane.Type).toBe('AWS::EKS::Cluster');
    expect(aws.calls).toEqual([]);
  });

  it.each(['application/x-yaml', 'text/yaml', 'application/yaml; charset=utf-8'])('reads %s as YAML', async (contentType) => {
    const response = await routeRequest(event('POST', '/clusters', { body: EXAMPLE, contentType, query: { dryRun: 'true' } }), new FakeAws().deps());
    expect(response.statusCode).toBe(200);
  });

  it('takes a ClusterConfig as JSON too, and starts the creation', async () => {
    const aws = new FakeAws();

    const response = await routeRequest(event('POST', '/clusters', { body: clusterConfig({ managedNodeGroups: [{ name: 'ng', privateNetworking: true }] }) }), aws.deps());

    expect(response.statusCode).toBe(202);
    expect(aws.executions).toHaveLength(1);
    expect(aws.executions[0]!.input).toMatchObject({ spec: { name: 'demo', managedNodeGroups: [{ name: 'ng', privateNetworking: true }], network: { vpc: { azCount: 3 } } } });
  });

  it('names every field it cannot honour in one 422, before any port is called', async () => {
    const { deps, touched } = watched(new FakeAws().deps());
    const config = clusterConfig({
      managedNodeGroups: [{ name: 'ng', efaEnabled: true }],
      cloudWatch: { clusterLogging: { enableTypes: ['api'], logRetentionInDays: 7 } },
      iam: { serviceRoleARN: 'arn:aws:iam::111122223333:role/eks' },
      karpenter: { version: '1.0.0' },
    });

    const response = await routeRequest(event('POST', '/clusters', { body: stringify(config), contentType: YAML }), deps);

    expect(response.statusCode).toBe(422);
    expect(response.headers!['content-type']).toBe('application/problem+json');
    expect(body(response)).toMatchObject({
      title: 'Unsupported ClusterConfig fields',
      status: 422,
      detail: '4 field(s) of the eksctl ClusterConfig cannot be honoured (docs/eksctl-config.md lists what is)',
      errors: [
        { pointer: '/managedNodeGroups/0/efaEnabled', message: 'Elastic Fabric Adapter is not offered' },
        { pointer: '/cloudWatch/clusterLogging/logRetentionInDays', message: expect.stringContaining('log retention is not offered') },
        { pointer: '/iam/serviceRoleARN', message: expect.stringContaining('the service makes the cluster role') },
        { pointer: '/karpenter', message: expect.stringContaining('Karpenter') },
      ],
    });
    expect(touched).toEqual([]);
  });

  it("points the spec's own validation problems at the ClusterConfig's fields", async () => {
    const config = clusterConfig({ managedNodeGroups: [{ name: 'ng', privateNetworking: true, desiredCapacity: 'lots' }], accessConfig: { accessEntries: [{ principalARN: 'not-an-arn' }] } });

    const response = await routeRequest(event('POST', '/clusters', { body: config, query: { dryRun: 'true' } }), new FakeAws().deps());

    expect(response.statusCode).toBe(422);
    const problem = body(response);
    expect(problem.title).toBe('Invalid cluster spec');
    expect(problem.detail).toMatch(/translated from the ClusterConfig \(pointers are into the ClusterConfig\)/);
    expect(problem.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/accessConfig/accessEntries/0/principalARN', '/managedNodeGroups/0/desiredCapacity']);
  });
});

describe('POST /clusters with the cluster spec as YAML', () => {
  it('reads it as the JSON spec', async () => {
    const aws = new FakeAws();
    const yaml = 'name: demo\nversion: "1.33"\nmanagedNodeGroups:\n  - name: ng\n    desiredSize: 1\n    minSize: 1\n';

    const response = await routeRequest(event('POST', '/clusters', { body: yaml, contentType: YAML, query: { dryRun: 'true' } }), aws.deps());

    expect(response.statusCode).toBe(200);
    expect(body(response).spec).toMatchObject({ name: 'demo', version: '1.33', managedNodeGroups: [{ name: 'ng', desiredSize: 1, minSize: 1, maxSize: 2 }] });
  });
});

describe('broken and hostile YAML', () => {
  const post = async (yaml: string) => {
    const { deps, touched } = watched(new FakeAws().deps());
    const response = await routeRequest(event('POST', '/clusters', { body: yaml, contentType: YAML }), deps);
    return { response, problem: body(response), touched };
  };

  it('names a syntax error by line and column', async () => {
    const { response, problem, touched } = await post('name: demo\nmanagedNodeGroups:\n  - name: ng\n   desiredSize: 2\n');

    expect(response.statusCode).toBe(400);
    expect(problem.title).toBe('Malformed request');
    expect(problem.errors[0]).toMatchObject({ pointer: '', line: 4, column: expect.any(Number), message: expect.stringMatching(/^line 4, column \d+: /) });
    expect(problem.detail).toMatch(/^the body is not valid YAML \(line 4, column \d+: .*\); it must be a cluster spec/);
    expect(touched).toEqual([]);
  });

  it('refuses duplicate keys and several documents', async () => {
    expect((await post('name: a\nname: b\n')).problem.errors[0].message).toBe('line 2, column 1: Map keys must be unique');
    expect((await post('name: a\n---\nname: b\n')).problem.errors[0].message).toMatch(/^line 2, column 1: Source contains multiple documents/);
  });

  it('refuses aliases that expand without bound (a billion laughs)', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const { response, problem, touched } = await post(`${lines.join('\n')}\n`);

    expect(response.statusCode).toBe(400);
    expect(problem.detail).toMatch(/^the body is not usable YAML/);
    expect(touched).toEqual([]);
  });

  it('refuses block nesting deeper than the limit, which has no brackets to count', async () => {
    const deep = Array.from({ length: 20 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' x\n';
    const { response, problem } = await post(deep);

    expect(response.statusCode).toBe(400);
    expect(problem.errors).toEqual([{ pointer: '', message: 'must nest at most 16 levels deep' }]);
  });

  it('is still 415 on routes that read JSON only', async () => {
    const response = await routeRequest(event('POST', '/clusters/demo/nodegroups', { body: 'name: ng\n', contentType: YAML }), new FakeAws().deps());
    expect(response.statusCode).toBe(415);
  });
});

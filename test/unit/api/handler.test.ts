import { routeRequest } from '../../../functions/api/handler';
import { resolveGuardrails } from '../../../functions/domain/guardrails';
import { apiEvent, OWNER, responseBody, STRANGER } from '../../support/api-event';
import { FakeAws } from '../../support/fake-aws';
import { referenceSpec } from '../../support/provision-run';

const event = apiEvent;
const body = responseBody;

describe('POST /clusters', () => {
  it('accepts a valid spec: locks the name, records the operation, starts the execution named by it and announces ACCEPTED', async () => {
    const aws = new FakeAws();

    const response = await routeRequest(event('POST', '/clusters', { body: referenceSpec() }), aws.deps());

    expect(response.statusCode).toBe(202);
    const { operationId, status } = body(response);
    expect(status).toBe('ACCEPTED');
    expect(response.headers?.location).toBe(`/operations/${operationId}`);
    expect(aws.executions).toEqual([{ name: operationId, input: expect.objectContaining({ operation: expect.objectContaining({ id: operationId, type: 'CREATE', requestedBy: OWNER }) }) }]);
    expect(aws.clusterRecords.get('reference')).toMatchObject({ lockedBy: operationId });
    expect(aws.events.map((e) => e.status)).toEqual(['ACCEPTED']);
  });

  it('answers 422 with a JSON pointer and rule for each problem, and calls no AWS API', async () => {
    const aws = new FakeAws();
    const spec = { name: 'Bad_Name', endpointAccess: { public: false, private: false }, managedNodeGroups: [{ name: 'ng', minSize: 3, desiredSize: 1 }] };

    const response = await routeRequest(event('POST', '/clusters', { body: spec }), aws.deps());

    expect(response.statusCode).toBe(422);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(body(response).errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '/name' })]));
    expect(aws.calls).toEqual([]);
  });

  it('answers 422 as problem+json listing each guardrail the spec breaks, with no AWS call', async () => {
    const aws = new FakeAws();
    const deps = aws.deps({ guardrails: () => ({ kubernetesVersions: ['1.33'], defaultKubernetesVersion: '1.33', instanceTypes: ['m5.*'], maxNodesPerCluster: 4, requiredTags: ['team'] }) });
    const spec = { ...referenceSpec(), tags: { 'cost-center': '1234' } };

    const response = await routeRequest(event('POST', '/clusters', { body: spec }), deps);

    expect(response.statusCode).toBe(422);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(body(response)).toMatchObject({ status: 422, title: 'Invalid cluster spec' });
    expect(body(response).errors).toEqual([
      { pointer: '/managedNodeGroups/1/instanceTypes/0', message: 't3.medium is not an allowed instance type (guardrail instanceTypes: m5.*)' },
      { pointer: '/managedNodeGroups', message: "the nodegroups' maxSize adds up to 5 nodes, above the cluster limit (guardrail maxNodesPerCluster: 4)" },
      { pointer: '/tags', message: 'tag team is required (guardrail requiredTags: team)' },
    ]);
    expect(aws.calls).toEqual([]);
  });

  it('answers 422 at the policy to a nodegroup asking for AdministratorAccess under the default guardrails, with no AWS call', async () => {
    const aws = new FakeAws();
    const deps = aws.deps({ guardrails: () => resolveGuardrails({}).guardrails! });
    const spec = { name: 'escalate', managedNodeGroups: [{ name: 'ng-1', iam: { additionalPolicyArns: ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore', 'arn:aws:iam::aws:policy/AdministratorAccess'] } }] };

    const response = await routeRequest(event('POST', '/clusters', { body: spec }), deps);

    expect(response.statusCode).toBe(422);
    expect(body(response).errors).toEqual([{ pointer: '/managedNodeGroups/0/iam/additionalPolicyArns/1', message: expect.stringContaining('AdministratorAccess is not a policy nodes may have (guardrail allowedNodePolicyArns:') }]);
    expect(aws.calls).toEqual([]);
  });

  it('answers 400 to a body that is not JSON', async () => {
    const response = await routeRequest(event('POST', '/clusters', { body: '{not json' }), new FakeAws().deps());

    expect(response.statusCode).toBe(400);
    expect(body(response).title).toBe('Malformed request');
  });

  it('answers 409 naming the running operation when the cluster already has one', async () => {
    const aws = new FakeAws();
    const first = body(await routeRequest(event('POST', '/clusters', { body: referenceSpec() }), aws.deps()));

    const second = await routeRequest(event('POST', '/clusters', { body: referenceSpec() }), aws.deps());

    expect(second.statusCode).toBe(409);
    expect(body(second).runningOperationId).toBe(first.operationId);
    expect(aws.executions).toHaveLength(1);
  });

  it('replays the same operation for the same Idempotency-Key and body, and refuses the key with another body', async () => {
    const aws = new FakeAws();
    const headers = { 'Idempotency-Key': 'ticket-4711' };
    const first = await routeRequest(event('POST', '/clusters', { body: referenceSpec(), headers }), aws.deps());

    const replay = await routeRequest(event('POST', '/clusters', { body: referenceSpec(), headers }), aws.deps());
    const misuse = await routeRequest(event('POST', '/clusters', { body: { ...referenceSpec(), version: '1.32' }, headers }), aws.deps());

    expect(replay.statusCode).toBe(202);
    expect(body(replay).operationId).toBe(body(first).operationId);
    expect(misuse.statusCode).toBe(422);
    expect(aws.executions).toHaveLength(1);
  });

  it('returns the plan and the rendered template for ?dryRun=true without touching AWS', async () => {
    const aws = new FakeAws();

    const response = await routeRequest(event('POST', '/clusters', { body: referenceSpec(), query: { dryRun: 'true' } }), aws.deps());

    expect(response.statusCode).toBe(200);
    const plan = body(response);
    expect(plan.stackName).toBe('eksp-reference-cluster');
    expect(plan.steps).toEqual(expect.arrayContaining([expect.stringContaining('ng-spot'), expect.stringContaining('endpoint public (203.0.113.0/24) + private')]));
    expect(plan.template.Resources.KubeAgentFunction.Type).toBe('AWS::Lambda::Function');
    expect(plan.template.Resources.ControlPlane.Type).toBe('AWS::EKS::Cluster');
    expect(aws.calls).toEqual([]);
  });

  it("shows eksctl's defaults in the dry run of a spec with just a name: the nodegroup, the add-ons and the owner's access", async () => {
    const aws = new FakeAws();

    const response = await routeRequest(event('POST', '/clusters', { body: { name: 'demo' }, query: { dryRun: 'true' }, caller: 'arn:aws:sts::111122223333:assumed-role/platform-portal/s1' }), aws.deps());

    expect(response.statusCode).toBe(200);
    const plan = body(response);
    expect(plan.spec).toMatchObject({
      managedNodeGroups: [{ name: 'ng-2a97516c', instanceTypes: ['m5.large'], desiredSize: 2, amiType: 'AL2023_x86_64_STANDARD' }],
      addons: [{ name: 'vpc-cni' }, { name: 'kube-proxy' }, { name: 'coredns' }, { name: 'metrics-server' }],
      ownerAccess: { policy: 'AmazonEKSClusterAdminPolicy', scope: 'cluster' },
    });
    expect(plan.steps).toEqual(
      expect.arrayContaining([
        'Create nodegroup ng-2a97516c (m5.large ON_DEMAND, 2/2/2)',
        'Create add-on metrics-server',
        'Create access entry arn:aws:iam::111122223333:role/platform-portal for the owner (AmazonEKSClusterAdminPolicy, cluster-wide)',
      ]),
    );
    expect(plan.template.Resources.ControlPlane.Properties.AccessConfig).toEqual({ AuthenticationMode: 'API_AND_CONFIG_MAP', BootstrapClusterCreatorAdminPermissions: false });
  });

  it('plans a fully private cluster (no NAT gateway, private-only endpoint) with its VPC endpoints, in the steps and the template', async () => {
    const aws = new FakeAws();
    const spec = { name: 'sealed', network: { vpc: { natGateway: 'Disable' } }, endpointAccess: { public: false, private: true }, fargate: true };

    const response = await routeRequest(event('POST', '/clusters', { body: spec, query: { dryRun: 'true' } }), aws.deps());

    expect(response.statusCode).toBe(200);
    const plan = body(response);
    expect(plan.steps[0]).toMatch(/^Create cluster stack eksp-sealed-cluster \(Kubernetes [\d.]+, endpoint private, VPC endpoints for ec2, ecr\.api, .* and s3 \(gateway\)\)$/);
    expect(plan.template.Resources.VPCEndpointECRDKR.Properties).toMatchObject({ VpcEndpointType: 'Interface', PrivateDnsEnabled: true });
    expect(plan.template.Resources.VPCEndpointS3.Properties.VpcEndpointType).toBe('Gateway');
    expect(aws.calls).toEqual([]);
  });

  it('refuses private nodes without a NAT gateway behind a public endpoint with a 422 naming both fixes', async () => {
    const aws = new FakeAws();

    const response = await routeRequest(event('POST', '/clusters', { body: { name: 'demo', network: { vpc: { natGateway: 'Disable' } }, endpointAccess: { public: true, private: true } } }), aws.deps());

    expect(response.statusCode).toBe(422);
    expect(body(response).errors).toEqual([{ pointer: '/managedNodeGroups/0/privateNetworking', message: expect.stringMatching(/need a NAT gateway or VPC endpoints.*Single or HighlyAvailable.*private-only/) }]);
    expect(aws.calls).toEqual([]);
  });

  it('refuses a narrower owner access in CONFIG_MAP mode with a 422 naming /ownerAccess', async () => {
    const aws = new FakeAws();

    const response = await routeRequest(event('POST', '/clusters', { body: { name: 'demo', authenticationMode: 'CONFIG_MAP', ownerAccess: { policy: 'AmazonEKSViewPolicy' } } }), aws.deps());

    expect(response.statusCode).toBe(422);
    expect(body(response).errors).toEqual([{ pointer: '/ownerAccess', message: expect.stringContaining('only cluster-admin') }]);
    expect(aws.calls).toEqual([]);
  });

  it('frees the name and caches nothing when the execution cannot be started: the answer asks for a retry', async () => {
    const aws = new FakeAws();
    aws.workflows.start = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };

    const response = await routeRequest(event('POST', '/clusters', { body: referenceSpec() }), aws.deps());

    expect(response.statusCode).toBe(503);
    expect(body(response).detail).toContain('safe to retry');
    expect(aws.clusterRecords.has('reference')).toBe(false);
    expect([...aws.operations.values()]).toEqual([expect.objectContaining({ status: 'ACCEPTED', notStarted: true })]);
    expect(aws.events.map((e) => e.status)).toEqual(['ACCEPTED']);
  });

  it('starts the operation when a request whose start failed is retried with the same Idempotency-Key', async () => {
    const aws = new FakeAws();
    const start = aws.workflows.start;
    aws.workflows.start = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };
    const headers = { 'Idempotency-Key': 'ticket-503' };
    const refused = await routeRequest(event('POST', '/clusters', { body: referenceSpec(), headers }), aws.deps());
    aws.workflows.start = start;

    const retried = await routeRequest(event('POST', '/clusters', { body: referenceSpec(), headers }), aws.deps());
    const replayed = await routeRequest(event('POST', '/clusters', { body: referenceSpec(), headers }), aws.deps());

    expect(refused.statusCode).toBe(503);
    expect(retried.statusCode).toBe(202);
    expect(aws.executions.map((e) => e.name)).toEqual([body(retried).operationId]);
    expect(aws.operations.get(body(retried).operationId)).toMatchObject({ status: 'ACCEPTED' });
    expect(aws.operations.get(body(retried).operationId)!.notStarted).toBeUndefined();
    expect(aws.clusterRecords.get('reference')).toMatchObject({ lockedBy: body(retried).operationId });
    expect(body(replayed).operationId).toBe(body(retried).operationId);
    expect(aws.executions).toHaveLength(1);
  });

  it('starts a retried operation once when two retries of a failed start arrive together', async () => {
    const aws = new FakeAws();
    const start = aws.workflows.start;
    aws.workflows.start = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };
    const headers = { 'Idempotency-Key': 'ticket-twice' };
    await routeRequest(event('POST', '/clusters', { body: referenceSpec(), headers }), aws.deps());
    aws.workflows.start = start;

    const answers = await Promise.all([1, 2].map(() => routeRequest(event('POST', '/clusters', { body: referenceSpec(), headers }), aws.deps())));

    expect(answers.map((a) => a.statusCode)).toEqual([202, 202]);
    expect(new Set(answers.map((a) => body(a).operationId)).size).toBe(1);
    expect(aws.executions).toHaveLength(1);
  });
});

describe('GET /operations/{id}', () => {
  async function created(aws: FakeAws): Promise<string> {
    return body(await routeRequest(event('POST', '/clusters', { body: referenceSpec() }), aws.deps())).operationId;
  }

  it('shows the owner the status and step timeline', async () => {
    const aws = new FakeAws();
    const id = await created(aws);

    const response = await routeRequest(event('GET', `/operations/${id}`, { caller: 'arn:aws:sts::111122223333:assumed-role/platform-portal/another-session' }), aws.deps());

    expect(response.statusCode).toBe(200);
    expect(body(response)).toMatchObject({ id, status: 'ACCEPTED', cluster: 'reference', steps: [] });
    expect(body(response).requestHash).toBeUndefined();
  });

  it('lets a configured admin read it and answers anyone else 404, as for a missing operation', async () => {
    const aws = new FakeAws();
    const id = await created(aws);

    const admin = await routeRequest(event('GET', `/operations/${id}`, { caller: 'arn:aws:sts::111122223333:assumed-role/platform-admin/oncall' }), aws.deps());
    const stranger = await routeRequest(event('GET', `/operations/${id}`, { caller: STRANGER }), aws.deps());

    expect(admin.statusCode).toBe(200);
    expect(stranger.statusCode).toBe(404);
  });

  it('answers 404 for an unknown operation', async () => {
    const response = await routeRequest(event('GET', '/operations/op-unknown'), new FakeAws().deps());

    expect(response.statusCode).toBe(404);
  });
});

describe('routing', () => {
  it('refuses a request without an IAM identity with 401', async () => {
    const response = await routeRequest(event('POST', '/clusters', { body: referenceSpec(), caller: null }), new FakeAws().deps());

    expect(response.statusCode).toBe(401);
  });

  it('answers 405 for a known path with another method and 404 for an unknown path', async () => {
    const aws = new FakeAws();

    const wrongMethod = await routeRequest(event('DELETE', '/operations/op-1'), aws.deps());
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers?.allow).toBe('GET');
    expect((await routeRequest(event('GET', '/nowhere'), aws.deps())).statusCode).toBe(404);
  });

  it('never takes the caller from a header', async () => {
    const aws = new FakeAws();

    const response = await routeRequest(event('POST', '/clusters', { body: referenceSpec(), caller: null, headers: { 'x-eksp-caller': OWNER } }), aws.deps());

    expect(response.statusCode).toBe(401);
  });
});

describe('cold start', () => {
  it('fails to load (a Lambda init error) when GUARDRAILS is invalid, naming the field', async () => {
    const saved = process.env.GUARDRAILS;
    process.env.GUARDRAILS = '{"maxNodesPerCluster":"ten"}';
    try {
      const load = jest.isolateModulesAsync(async () => {
        await import('../../../functions/api/handler');
      });

      await expect(load).rejects.toThrow(expect.objectContaining({ name: 'ConfigError', message: 'GUARDRAILS /maxNodesPerCluster must be integer' }));
    } finally {
      if (saved === undefined) delete process.env.GUARDRAILS;
      else process.env.GUARDRAILS = saved;
    }
  });
});

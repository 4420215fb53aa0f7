import { config } from '../../../functions/shared/config';

const VARIABLES = ['GUARDRAILS', 'EVENT_BUS_NAME', 'TABLE_NAME', 'PROVISION_STATE_MACHINE_ARN', 'CLOUDFORMATION_ROLE_ARN', 'PERMISSIONS_BOUNDARY_ARN', 'SERVICE_NAME', 'ADMIN_PRINCIPAL_ARNS'];
/** What allowedNodePolicyArns is when the configuration does not name it: the schema's default list. */
// The policy guardrails' defaults: the node policies nodes commonly need, and no pod policy.
const DEFAULT_NODE_POLICIES = { allowedNodePolicyArns: expect.arrayContaining(['arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy', 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore']), allowedPodPolicyArns: [] };

describe('config', () => {
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  beforeEach(() => {
    for (const name of VARIABLES) delete process.env[name];
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  describe('guardrails (GUARDRAILS)', () => {
    it.each([
      ['unset', undefined],
      ['empty', ''],
      ['an empty object', '{}'],
    ])('allow Kubernetes 1.31 to 1.33, default 1.33, the default node policies, and restrict nothing else when %s', (_, value) => {
      if (value !== undefined) process.env.GUARDRAILS = value;

      expect(config.guardrails()).toEqual({ kubernetesVersions: ['1.31', '1.32', '1.33'], defaultKubernetesVersion: '1.33', ...DEFAULT_NODE_POLICIES });
    });

    it('keep the default versions when only other guardrails are set', () => {
      process.env.GUARDRAILS = '{"maxNodesPerCluster":10,"instanceTypes":["m5.*","t3.large"]}';

      expect(config.guardrails()).toEqual({ kubernetesVersions: ['1.31', '1.32', '1.33'], defaultKubernetesVersion: '1.33', maxNodesPerCluster: 10, instanceTypes: ['m5.*', 't3.large'], ...DEFAULT_NODE_POLICIES });
    });

    it('default to the newest allowed version, whatever the order of the list', () => {
      process.env.GUARDRAILS = '{"kubernetesVersions":["1.34","1.32","1.33"]}';

      expect(config.guardrails().defaultKubernetesVersion).toBe('1.34');
    });

    it('take an explicit default that is allowed', () => {
      process.env.GUARDRAILS = '{"kubernetesVersions":["1.32","1.33"],"defaultKubernetesVersion":"1.32"}';

      expect(config.guardrails().defaultKubernetesVersion).toBe('1.32');
    });

    it('read every guardrail the schema defines', () => {
      const all = {
        kubernetesVersions: ['1.32', '1.33'],
        defaultKubernetesVersion: '1.33',
        instanceTypes: ['m5.large', 'm6i.*', 't3*'],
        maxNodesPerNodegroup: 10,
        maxNodesPerCluster: 30,
        publicAccessCidrs: ['203.0.113.0/24', '10.0.0.0/8'],
        requiredTags: ['team', 'cost-center'],
        allowedNodePolicyArns: ['arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy', 'arn:aws:iam::111122223333:policy/nodes-read-artifacts'],
        allowedPodPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'],
      };
      process.env.GUARDRAILS = JSON.stringify(all);

      expect(config.guardrails()).toEqual(all);
    });

    it('pick up a changed GUARDRAILS value (tests and local mode change the environment)', () => {
      process.env.GUARDRAILS = '{"maxNodesPerCluster":10}';
      expect(config.guardrails().maxNodesPerCluster).toBe(10);

      process.env.GUARDRAILS = '{"maxNodesPerCluster":20}';

      expect(config.guardrails().maxNodesPerCluster).toBe(20);
    });

    it.each([
      ['a count that is not an integer', '{"maxNodesPerCluster":"ten"}', 'GUARDRAILS /maxNodesPerCluster must be integer'],
      ['a count below 1', '{"maxNodesPerNodegroup":0}', 'GUARDRAILS /maxNodesPerNodegroup must be >= 1'],
      ['an empty version list', '{"kubernetesVersions":[]}', 'GUARDRAILS /kubernetesVersions must NOT have fewer than 1 items'],
      ['a version that is not 1.NN', '{"kubernetesVersions":["1.33","v1.34"]}', 'GUARDRAILS /kubernetesVersions/1 must match pattern "^1\\.[0-9]{2}$"'],
      ['a default outside the allowed versions', '{"kubernetesVersions":["1.32","1.33"],"defaultKubernetesVersion":"1.30"}', 'GUARDRAILS /defaultKubernetesVersion 1.30 must be one of kubernetesVersions (1.32, 1.33)'],
      ['an instance type pattern with a wildcard in the middle', '{"instanceTypes":["m*.large"]}', 'GUARDRAILS /instanceTypes/0 must match pattern'],
      ['a public CIDR with host bits set', '{"publicAccessCidrs":["203.0.113.7/24"]}', 'GUARDRAILS /publicAccessCidrs/0 "203.0.113.7/24" has host bits set; did you mean "203.0.113.0/24"?'],
      ['a public CIDR with an octet above 255', '{"publicAccessCidrs":["10.0.0.0/8","300.0.0.0/8"]}', 'GUARDRAILS /publicAccessCidrs/1 "300.0.0.0/8" is not an IPv4 CIDR block'],
      ['a required tag the service sets itself', '{"requiredTags":["team","eks-provisioner:owner"]}', 'GUARDRAILS /requiredTags/1 eks-provisioner:owner cannot be required'],
      ['a misspelt guardrail', '{"maxNodesPerNodeGroup":5}', 'GUARDRAILS /maxNodesPerNodeGroup is not a known guardrail'],
      ['a value that is not an object', '["1.33"]', 'GUARDRAILS must be object'],
      ['text that is not JSON', 'maxNodesPerCluster=10', 'GUARDRAILS is not valid JSON'],
    ])('fail with ConfigError naming the field and rule for %s', (_, value, message) => {
      process.env.GUARDRAILS = value;

      expect(() => config.guardrails()).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(message) }));
    });

    it('name every problem at once', () => {
      process.env.GUARDRAILS = '{"maxNodesPerCluster":1.5,"instanceTypes":[]}';

      expect(() => config.guardrails()).toThrow('GUARDRAILS /instanceTypes must NOT have fewer than 1 items; GUARDRAILS /maxNodesPerCluster must be integer');
    });
  });

  it.each([
    ['EVENT_BUS_NAME', () => config.eventBusName()],
    ['TABLE_NAME', () => config.tableName()],
    ['PROVISION_STATE_MACHINE_ARN', () => config.provisionStateMachineArn()],
  ])('fails with ConfigError naming %s when it is missing or empty', (name, read) => {
    expect(read).toThrow(expect.objectContaining({ name: 'ConfigError', message: `environment variable ${name} is required` }));
    process.env[name] = '';
    expect(read).toThrow(expect.objectContaining({ name: 'ConfigError', message: `environment variable ${name} is required` }));
  });

  it('reads a required variable that is set', () => {
    process.env.TABLE_NAME = 'eksp-registry';

    expect(config.tableName()).toBe('eksp-registry');
  });

  it('requires the permissions boundary: no stack may be rendered without one', () => {
    expect(() => config.permissionsBoundaryArn()).toThrow('environment variable PERMISSIONS_BOUNDARY_ARN is required');

    process.env.PERMISSIONS_BOUNDARY_ARN = 'arn:aws:iam::111122223333:policy/eks-provisioner/boundary';

    expect(config.permissionsBoundaryArn()).toBe('arn:aws:iam::111122223333:policy/eks-provisioner/boundary');
  });

  it('refuses a permissions boundary that is not a policy of an account', () => {
    process.env.PERMISSIONS_BOUNDARY_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';

    expect(() => config.permissionsBoundaryArn()).toThrow('PERMISSIONS_BOUNDARY_ARN must be a managed policy ARN of the account, got arn:aws:iam::aws:policy/AdministratorAccess');
  });

  it('leaves optional settings at their defaults', () => {
    expect(config.cloudFormationRoleArn()).toBeUndefined();
    expect(config.serviceName()).toBe('eks-provisioner');
    expect(config.adminPrincipalArns()).toEqual([]);
  });
});

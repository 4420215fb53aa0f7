import { config } from '../../../functions/shared/config';

const VARIABLES = ['ALLOWED_KUBERNETES_VERSIONS', 'DEFAULT_KUBERNETES_VERSION', 'EVENT_BUS_NAME', 'TABLE_NAME', 'PROVISION_STATE_MACHINE_ARN', 'CLOUDFORMATION_ROLE_ARN', 'SERVICE_NAME', 'ADMIN_PRINCIPAL_ARNS'];

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

  describe('guardrails', () => {
    it('allow the supported versions and default to the newest when nothing is configured', () => {
      expect(config.guardrails()).toEqual({ kubernetesVersions: ['1.31', '1.32', '1.33'], defaultKubernetesVersion: '1.33' });
    });

    it('read a comma-separated allowed list, defaulting to its last entry', () => {
      process.env.ALLOWED_KUBERNETES_VERSIONS = '1.32, 1.33 ,1.34';

      expect(config.guardrails()).toEqual({ kubernetesVersions: ['1.32', '1.33', '1.34'], defaultKubernetesVersion: '1.34' });
    });

    it('take an explicit default that is allowed', () => {
      process.env.ALLOWED_KUBERNETES_VERSIONS = '1.32,1.33';
      process.env.DEFAULT_KUBERNETES_VERSION = '1.32';

      expect(config.guardrails().defaultKubernetesVersion).toBe('1.32');
    });

    it('fail with ConfigError when the default is not among the allowed versions', () => {
      process.env.ALLOWED_KUBERNETES_VERSIONS = '1.32,1.33';
      process.env.DEFAULT_KUBERNETES_VERSION = '1.30';

      expect(() => config.guardrails()).toThrow(expect.objectContaining({ name: 'ConfigError', message: 'DEFAULT_KUBERNETES_VERSION 1.30 is not in ALLOWED_KUBERNETES_VERSIONS (1.32, 1.33)' }));
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

  it('leaves optional settings at their defaults', () => {
    expect(config.cloudFormationRoleArn()).toBeUndefined();
    expect(config.serviceName()).toBe('eks-provisioner');
    expect(config.adminPrincipalArns()).toEqual([]);
  });
});

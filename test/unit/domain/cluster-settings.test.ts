import { renderClusterTemplate, withAutoModeClusterPolicies } from '../../../functions/domain/cluster-template';
import { clusterTemplateInput } from './cluster-template-inputs';
import { isUserTemplateTag, nextAuthenticationMode, planSettingsChange, retaggedStack, settingsTransitionProblems, type LiveSettings, type LiveSettingsState } from '../../../functions/domain/cluster-settings';
import { normaliseSpec, type ClusterSettings } from '../../../functions/domain/spec';

const GUARDRAILS = { kubernetesVersions: ['1.32', '1.33'], defaultKubernetesVersion: '1.33' };
const OWNERSHIP = { 'eks-provisioner:cluster': 'demo', 'eks-provisioner:operation-id': 'op-1', 'eks-provisioner:managed-by': 'eks-provisioner' };

const LIVE: LiveSettings = { logging: [], tags: { ...OWNERSHIP, Name: 'eksp-demo-cluster/ControlPlane', team: 'blue' }, deletionProtection: false, supportType: 'EXTENDED', zonalShift: false, authenticationMode: 'API_AND_CONFIG_MAP' };

function live(settings: Partial<LiveSettings> = {}, rest: Partial<LiveSettingsState> = {}): LiveSettingsState {
  return { settings: { ...LIVE, ...settings }, stacks: [{ stackName: 'eksp-demo-cluster', status: 'CREATE_COMPLETE', tags: { ...OWNERSHIP, team: 'blue' } }], ...rest };
}

const plan = (settings: ClusterSettings, state: LiveSettingsState = live()) => planSettingsChange(settings, state);

describe('Change Settings decisions', () => {
  it('makes one EKS update at a time, in a fixed order, even when several settings differ', () => {
    const next = plan({ logging: ['api'], deletionProtection: true, zonalShift: { enabled: true } });

    expect(next).toEqual({ kind: 'apply', stage: 'loggingUpdate', calls: [{ call: 'updateClusterConfig', config: { logging: { enable: ['api'], disable: [] } } }] });
  });

  it('sends only what differs: logging types turned on and off, a setting already live skipped', () => {
    const next = plan({ logging: ['api', 'audit'], deletionProtection: false, zonalShift: { enabled: true } }, live({ logging: ['audit', 'scheduler'] }));

    expect(next).toEqual({ kind: 'apply', stage: 'loggingUpdate', calls: [{ call: 'updateClusterConfig', config: { logging: { enable: ['api'], disable: ['scheduler'] } } }] });
    expect(plan({ deletionProtection: false, zonalShift: { enabled: true } })).toMatchObject({ stage: 'zonalShiftUpdate', calls: [{ config: { zonalShift: true } }] });
  });

  it('is in sync when every setting asked for is live: nothing reaches EKS', () => {
    expect(plan({ deletionProtection: false, upgradePolicy: { supportType: 'EXTENDED' }, zonalShift: { enabled: false }, authenticationMode: 'API_AND_CONFIG_MAP', logging: [] })).toEqual({ kind: 'inSync' });
    expect(plan({ tags: { team: 'blue' } })).toEqual({ kind: 'inSync' });
  });

  it('follows its update to Successful before the next one', () => {
    const settings = { deletionProtection: true, upgradePolicy: { supportType: 'STANDARD' as const } };

    expect(plan(settings, live({}, { stage: 'deletionProtectionUpdate', update: { status: 'InProgress' } }))).toEqual({ kind: 'wait', stage: 'deletionProtectionUpdate', status: 'InProgress' });
    expect(plan(settings, live({ deletionProtection: true }, { stage: 'deletionProtectionUpdate', update: { status: 'Successful' } }))).toMatchObject({ kind: 'apply', stage: 'upgradePolicyUpdate', calls: [{ config: { supportType: 'STANDARD' } }] });
    expect(plan(settings, live({}, { stage: 'deletionProtectionUpdate', update: { status: 'Failed', errors: 'AccessDenied: no' } }))).toEqual({ kind: 'failed', stage: 'deletionProtectionUpdate', reason: 'update Failed: AccessDenied: no' });
  });

  it('moves authentication forward one step at a time, and refuses to move it back', () => {
    expect(plan({ authenticationMode: 'API' }, live({ authenticationMode: 'CONFIG_MAP' }))).toMatchObject({ stage: 'authenticationModeUpdate', calls: [{ config: { authenticationMode: 'API_AND_CONFIG_MAP' } }] });
    expect(plan({ authenticationMode: 'API' }, live({ authenticationMode: 'API_AND_CONFIG_MAP' }))).toMatchObject({ calls: [{ config: { authenticationMode: 'API' } }] });
    expect(plan({ authenticationMode: 'CONFIG_MAP' })).toEqual({ kind: 'refused', reason: 'is in authenticationMode API_AND_CONFIG_MAP, which cannot move back to CONFIG_MAP (EKS rule)' });
    expect(nextAuthenticationMode(undefined, 'API_AND_CONFIG_MAP')).toBe('API_AND_CONFIG_MAP');
  });

  it('associates secrets encryption once, and refuses another key', () => {
    const key = 'arn:aws:kms:us-east-1:111122223333:key/abc';

    expect(plan({ secretsEncryption: { kmsKeyArn: key } })).toEqual({ kind: 'apply', stage: 'encryptionUpdate', calls: [{ call: 'associateEncryptionConfig', kmsKeyArn: key }] });
    expect(plan({ secretsEncryption: { kmsKeyArn: key } }, live({ encryptionKeyArn: key }))).toEqual({ kind: 'inSync' });
    expect(plan({ secretsEncryption: { kmsKeyArn: key } }, live({ encryptionKeyArn: `${key}2` }))).toMatchObject({ kind: 'refused' });
  });

  it('re-tags the stacks (ownership tags kept), then the cluster (the service’s tags and Name never removed)', () => {
    const tags = { team: 'green', env: 'test' };

    expect(plan({ tags })).toEqual({ kind: 'apply', stage: 'stackTags', calls: [{ call: 'updateStackTags', stackName: 'eksp-demo-cluster', tags: { ...tags, ...OWNERSHIP } }] });
    const stacksDone = live({}, { stage: 'stackTags', stacks: [{ stackName: 'eksp-demo-cluster', status: 'UPDATE_COMPLETE', tags: { ...OWNERSHIP, ...tags } }] });
    expect(plan({ tags }, stacksDone)).toEqual({ kind: 'apply', calls: [{ call: 'tagCluster', tags }] });
    const envOnly = live({}, { stage: 'stackTags', stacks: [{ stackName: 'eksp-demo-cluster', status: 'UPDATE_COMPLETE', tags: { ...OWNERSHIP, env: 'test' } }] });
    expect(plan({ tags: { env: 'test' } }, envOnly)).toEqual({ kind: 'apply', calls: [{ call: 'untagCluster', keys: ['team'] }, { call: 'tagCluster', tags: { env: 'test' } }] });
  });

  it('waits for a stack still updating, and fails when its re-tagging rolled back', () => {
    const tags = { team: 'green' };
    const busy = live({}, { stage: 'stackTags', stacks: [{ stackName: 'eksp-demo-cluster', status: 'UPDATE_IN_PROGRESS', tags: { ...OWNERSHIP, ...tags } }] });
    const rolledBack = live({}, { stage: 'stackTags', stacks: [{ stackName: 'eksp-demo-cluster', status: 'UPDATE_ROLLBACK_COMPLETE', tags: { ...OWNERSHIP, team: 'blue' } }] });

    expect(plan({ tags }, busy)).toEqual({ kind: 'wait', stage: 'stackTags', status: 'eksp-demo-cluster UPDATE_IN_PROGRESS' });
    expect(plan({ tags }, rolledBack)).toEqual({ kind: 'failed', stage: 'stackTags', reason: 'eksp-demo-cluster UPDATE_ROLLBACK_COMPLETE' });
  });

  describe("the resources' own tags in a stack's template", () => {
    const vpc = (tags: Record<string, string>) => ({
      Parameters: { Env: { Type: 'String' } },
      Resources: { VPC: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16', Tags: Object.entries({ Name: 'eksp-demo-cluster/VPC', ...OWNERSHIP, ...tags }).map(([Key, Value]) => ({ Key, Value })) } } },
    });
    const stack = (stackTags: Record<string, string>, template: Record<string, unknown>, status = 'UPDATE_COMPLETE') => ({ stackName: 'eksp-demo-cluster', status, tags: { ...OWNERSHIP, ...stackTags }, template });

    it('sends the template with the user’s tags rewritten along with the new stack tags, parameters kept', () => {
      const next = plan({ tags: { team: 'green' } }, live({}, { stacks: [stack({ team: 'blue', env: 'test' }, vpc({ team: 'blue', env: 'test' }), 'CREATE_COMPLETE')] }));

      expect(next).toEqual({
        kind: 'apply',
        stage: 'stackTags',
        calls: [{ call: 'updateStackTags', stackName: 'eksp-demo-cluster', tags: { ...OWNERSHIP, team: 'green' }, template: { template: vpc({ team: 'green' }), parameterKeys: ['Env'], resources: ['VPC'] } }],
      });
    });

    it('updates a stack whose stack tags are right but whose resources still carry old tags (re-tagged before resources were)', () => {
      const next = plan({ tags: { team: 'green' } }, live({}, { stacks: [stack({ team: 'green' }, vpc({ team: 'blue', env: 'test' }))] }));

      expect(next).toMatchObject({ kind: 'apply', stage: 'stackTags', calls: [{ call: 'updateStackTags', tags: { ...OWNERSHIP, team: 'green' }, template: { template: vpc({ team: 'green' }), resources: ['VPC'] } }] });
    });

    it('sends the stack tags alone when the template is already right, or could not be read; moves on to the cluster when both are', () => {
      expect(plan({ tags: { team: 'green' } }, live({}, { stacks: [stack({ team: 'blue' }, vpc({ team: 'green' }))] }))).toEqual({
        kind: 'apply',
        stage: 'stackTags',
        calls: [{ call: 'updateStackTags', stackName: 'eksp-demo-cluster', tags: { ...OWNERSHIP, team: 'green' } }],
      });
      expect(plan({ tags: { team: 'green' } }, live({ tags: { team: 'green' } }, { stacks: [stack({ team: 'green' }, vpc({ team: 'green' }))] }))).toEqual({ kind: 'inSync' });
    });

    it('fails when its own update of a stack rolled back with the resources’ old tags', () => {
      expect(plan({ tags: { team: 'green' } }, live({}, { stage: 'stackTags', stacks: [stack({ team: 'green' }, vpc({ team: 'blue' }), 'UPDATE_ROLLBACK_COMPLETE')] }))).toEqual({
        kind: 'failed',
        stage: 'stackTags',
        reason: 'eksp-demo-cluster UPDATE_ROLLBACK_COMPLETE',
      });
    });

    it('counts as the user’s neither the service’s, AWS’s or Name tags nor the load-balancer and cluster tags the templates put on subnets and self-managed nodegroups', () => {
      expect(['team', 'kubernetes.io/role/other'].every(isUserTemplateTag)).toBe(true);
      expect(['Name', 'aws:cloudformation:stack-name', 'eks-provisioner:cluster', 'kubernetes.io/role/elb', 'kubernetes.io/role/internal-elb', 'kubernetes.io/cluster/demo'].some(isUserTemplateTag)).toBe(false);
    });
  });

  it('keeps a stack’s ownership tags whatever the user’s tags are', () => {
    expect(retaggedStack({ ...OWNERSHIP, team: 'blue' }, { 'eks-provisioner:cluster': 'other', team: 'red' })).toEqual({ ...OWNERSHIP, team: 'red' });
  });
});

describe('what a PATCH may not do (EKS rules)', () => {
  const current = normaliseSpec({ name: 'demo', authenticationMode: 'API', secretsEncryption: { kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/abc' } }, GUARDRAILS as never);

  it('names authentication moving back and secrets encryption changed or removed', () => {
    expect(settingsTransitionProblems(current, { authenticationMode: 'CONFIG_MAP', secretsEncryption: { kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/other' } }).map((p) => p.pointer)).toEqual(['/authenticationMode', '/secretsEncryption']);
    expect(settingsTransitionProblems(current, { secretsEncryption: null })).toHaveLength(1);
  });

  it('lets the same values through, and encryption be enabled on a cluster without it', () => {
    expect(settingsTransitionProblems(current, { authenticationMode: 'API', secretsEncryption: { kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/abc' } })).toEqual([]);
    const plain = normaliseSpec({ name: 'demo' }, GUARDRAILS as never);
    expect(settingsTransitionProblems(plain, { authenticationMode: 'API', secretsEncryption: { kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/abc' } })).toEqual([]);
  });
});

describe('Change Settings decisions for EKS Auto Mode', () => {
  const ON = { autoMode: { enabled: true, nodePools: ['general-purpose' as const, 'system' as const] } };
  const NODE_ROLE = 'arn:aws:iam::111122223333:role/eks-provisioner/auto-node';
  const plainTemplate = renderClusterTemplate(clusterTemplateInput({ authenticationMode: 'API' })) as unknown as Record<string, unknown>;
  const clusterStack = (status = 'CREATE_COMPLETE', template: Record<string, unknown> | undefined = plainTemplate) => ({ stackName: 'eksp-demo-cluster', status, tags: OWNERSHIP, parameterKeys: [], ...(template ? { template } : {}) });
  const switching = (roles: Partial<NonNullable<LiveSettingsState['autoModeRoles']>> = {}, rest: Partial<LiveSettingsState> = {}) =>
    live({ authenticationMode: 'API' }, { autoModeRoles: { clusterStack: clusterStack(), ...roles }, ...rest });

  it('switching on: first gives the cluster role its Auto Mode policies through the cluster stack, changing only that role', () => {
    const next = plan(ON, switching());

    expect(next).toMatchObject({ kind: 'apply', stage: 'autoModeRoles', calls: [{ call: 'updateStackTags', stackName: 'eksp-demo-cluster', tags: OWNERSHIP, template: { resources: ['ServiceRole'] } }] });
  });

  it('then makes the node role in the Auto Mode stack, waits for it, and sends one update with compute, storage and load balancing', () => {
    const updated = withAutoModeClusterPolicies(plainTemplate)!;
    const rolesReady = { clusterStack: clusterStack('UPDATE_COMPLETE', updated) };

    expect(plan(ON, switching(rolesReady))).toEqual({ kind: 'apply', stage: 'autoModeRoles', calls: [{ call: 'createAutoModeStack' }] });
    expect(plan(ON, switching({ ...rolesReady, autoModeStack: { stackName: 'eksp-demo-automode', status: 'CREATE_IN_PROGRESS' } }))).toEqual({ kind: 'wait', stage: 'autoModeRoles', status: 'eksp-demo-automode CREATE_IN_PROGRESS' });
    expect(plan(ON, switching({ ...rolesReady, autoModeStack: { stackName: 'eksp-demo-automode', status: 'ROLLBACK_COMPLETE' } }))).toMatchObject({ kind: 'failed', stage: 'autoModeRoles' });
    expect(plan(ON, switching({ ...rolesReady, nodeRoleArn: NODE_ROLE }))).toEqual({
      kind: 'apply',
      stage: 'autoModeUpdate',
      calls: [{ call: 'updateClusterConfig', config: { autoMode: { enabled: true, nodePools: ['general-purpose', 'system'], nodeRoleArn: NODE_ROLE } } }],
    });
  });

  it('waits out a cluster stack update and fails when its own rolled back', () => {
    expect(plan(ON, switching({ clusterStack: clusterStack('UPDATE_IN_PROGRESS', undefined) }))).toEqual({ kind: 'wait', stage: 'autoModeRoles', status: 'eksp-demo-cluster UPDATE_IN_PROGRESS' });
    expect(plan(ON, switching({ clusterStack: clusterStack('UPDATE_ROLLBACK_COMPLETE') }, { stage: 'autoModeRoles' }))).toMatchObject({ kind: 'failed', stage: 'autoModeRoles' });
  });

  it('comes after the authentication mode, which Auto Mode needs to be an API mode', () => {
    expect(plan({ authenticationMode: 'API', ...ON }, switching({}, { settings: { ...LIVE, authenticationMode: 'API_AND_CONFIG_MAP' } }))).toMatchObject({ stage: 'authenticationModeUpdate' });
  });

  it('switches off with the one update, changes node pools in place, and is in sync when live', () => {
    const on = { enabled: true, nodePools: ['general-purpose', 'system'], nodeRoleArn: NODE_ROLE };

    expect(plan({ autoMode: { enabled: false, nodePools: [] } }, live({ autoMode: on }))).toEqual({ kind: 'apply', stage: 'autoModeUpdate', calls: [{ call: 'updateClusterConfig', config: { autoMode: { enabled: false, nodePools: [] } } }] });
    expect(plan({ autoMode: { enabled: true, nodePools: ['system'] } }, live({ autoMode: on }))).toMatchObject({ stage: 'autoModeUpdate', calls: [{ config: { autoMode: { enabled: true, nodePools: ['system'], nodeRoleArn: NODE_ROLE } } }] });
    expect(plan(ON, live({ autoMode: on }))).toEqual({ kind: 'inSync' });
    expect(plan({ autoMode: { enabled: false, nodePools: [] } })).toEqual({ kind: 'inSync' });
  });
});

describe('Change Settings decisions for the IAM OIDC provider (iam.withOIDC)', () => {
  const ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
  const ON = { iam: { withOIDC: true } };
  const OFF = { iam: { withOIDC: false } };
  const plainTemplate = renderClusterTemplate(clusterTemplateInput({})) as unknown as Record<string, unknown>;
  const withProvider = renderClusterTemplate(clusterTemplateInput({ iam: { withOIDC: true } })) as unknown as Record<string, unknown>;
  const clusterStack = (template: Record<string, unknown> | undefined, status = 'CREATE_COMPLETE') => ({ stackName: 'eksp-demo-cluster', status, tags: OWNERSHIP, parameterKeys: ['KubeAgentCodeKey'], ...(template ? { template } : {}) });
  const oidc = (provider: Partial<NonNullable<LiveSettingsState['oidc']>> = {}, rest: Partial<LiveSettingsState> = {}) =>
    live({}, { oidc: { clusterStack: clusterStack(plainTemplate), inClusterStack: false, issuerUrl: ISSUER, ...provider }, ...rest });
  const ownStack = (status: string) => ({ oidcStack: { stackName: 'eksp-demo-oidc', status } });

  it('switching on: makes the OIDC stack for the issuer DescribeCluster reports, waits for it, and is then in sync', () => {
    expect(plan(ON, oidc())).toEqual({ kind: 'apply', stage: 'oidcProvider', calls: [{ call: 'createOidcStack', issuerUrl: ISSUER }] });
    expect(plan(ON, oidc(ownStack('CREATE_IN_PROGRESS'), { stage: 'oidcProvider' }))).toEqual({ kind: 'wait', stage: 'oidcProvider', status: 'eksp-demo-oidc CREATE_IN_PROGRESS' });
    expect(plan(ON, oidc(ownStack('CREATE_COMPLETE'), { stage: 'oidcProvider' }))).toEqual({ kind: 'inSync' });
  });

  it('keeps a provider whose stack\'s last update (a re-tag) rolled back: it is there, so switching on again is in sync', () => {
    expect(plan(ON, oidc(ownStack('UPDATE_ROLLBACK_COMPLETE')))).toEqual({ kind: 'inSync' });
    expect(plan(ON, oidc(ownStack('UPDATE_COMPLETE')))).toEqual({ kind: 'inSync' });
  });

  it('is in sync with no call when the cluster stack holds the provider (made with withOIDC)', () => {
    expect(plan(ON, oidc({ clusterStack: clusterStack(withProvider), inClusterStack: true }))).toEqual({ kind: 'inSync' });
  });

  it('fails when its own OIDC stack rolled back, and clears one an earlier attempt left before making it again', () => {
    expect(plan(ON, oidc(ownStack('ROLLBACK_COMPLETE'), { stage: 'oidcProvider' }))).toEqual({ kind: 'failed', stage: 'oidcProvider', reason: 'eksp-demo-oidc ROLLBACK_COMPLETE' });
    expect(plan(ON, oidc(ownStack('ROLLBACK_COMPLETE')))).toEqual({ kind: 'apply', stage: 'oidcProviderDelete', calls: [{ call: 'deleteOidcStack' }] });
    expect(plan(ON, oidc(ownStack('DELETE_IN_PROGRESS'), { stage: 'oidcProviderDelete' }))).toEqual({ kind: 'wait', stage: 'oidcProviderDelete', status: 'eksp-demo-oidc DELETE_IN_PROGRESS' });
  });

  it('refuses a cluster that reports no issuer, or whose cluster stack it cannot read', () => {
    const { issuerUrl: _, ...noIssuer } = oidc().oidc!;

    expect(plan(ON, live({}, { oidc: noIssuer }))).toMatchObject({ kind: 'refused', reason: expect.stringContaining('no OIDC issuer') });
    expect(plan(ON, live())).toMatchObject({ kind: 'refused' });
  });

  it('switching off: deletes the OIDC stack, waits for it to go, and fails when the delete did', () => {
    expect(plan(OFF, oidc(ownStack('CREATE_COMPLETE')))).toEqual({ kind: 'apply', stage: 'oidcProviderDelete', calls: [{ call: 'deleteOidcStack' }] });
    expect(plan(OFF, oidc(ownStack('DELETE_IN_PROGRESS'), { stage: 'oidcProviderDelete' }))).toEqual({ kind: 'wait', stage: 'oidcProviderDelete', status: 'eksp-demo-oidc DELETE_IN_PROGRESS' });
    expect(plan(OFF, oidc(ownStack('DELETE_FAILED'), { stage: 'oidcProviderDelete' }))).toMatchObject({ kind: 'failed', stage: 'oidcProviderDelete' });
    expect(plan(OFF, oidc())).toEqual({ kind: 'inSync' });
  });

  it('switching off a provider made with the cluster: updates the cluster stack without it and its output, the rest of the template and the parameters as they are', () => {
    const next = plan(OFF, oidc({ clusterStack: clusterStack(withProvider), inClusterStack: true }));

    expect(next).toMatchObject({ kind: 'apply', stage: 'oidcProviderDelete', calls: [{ call: 'updateStackTags', stackName: 'eksp-demo-cluster', tags: OWNERSHIP, template: { parameterKeys: ['KubeAgentCodeKey'], resources: ['OIDCProvider'] } }] });
    const call = next.kind === 'apply' ? next.calls[0] : undefined;
    const change = (call?.call === 'updateStackTags' ? call.template?.template : undefined) as { Resources: Record<string, unknown>; Outputs: Record<string, unknown> };
    expect(change.Resources).not.toHaveProperty('OIDCProvider');
    expect(change.Outputs).not.toHaveProperty('OIDCProviderArn');
    const { OIDCProvider: _provider, ...otherResources } = withProvider.Resources as Record<string, unknown>;
    expect(change.Resources).toEqual(otherResources);
  });

  it('waits out a cluster stack update, fails when its own rolled back, and refuses a template it did not render', () => {
    const inCluster = (template: Record<string, unknown> | undefined, status: string) => ({ clusterStack: clusterStack(template, status), inClusterStack: true });

    expect(plan(OFF, oidc(inCluster(undefined, 'UPDATE_IN_PROGRESS')))).toEqual({ kind: 'wait', stage: 'oidcProviderDelete', status: 'eksp-demo-cluster UPDATE_IN_PROGRESS' });
    expect(plan(OFF, oidc(inCluster(withProvider, 'UPDATE_ROLLBACK_COMPLETE'), { stage: 'oidcProviderDelete' }))).toMatchObject({ kind: 'failed', stage: 'oidcProviderDelete' });
    expect(plan(OFF, oidc(inCluster(undefined, 'CREATE_COMPLETE')))).toMatchObject({ kind: 'refused', reason: expect.stringContaining('not one the service rendered') });
  });
});

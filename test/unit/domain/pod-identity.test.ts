/**
 * Workload identities in the spec and the templates: podIdentityAssociations (exactly one of
 * roleArn and permissionPolicyArns, one per service account, the agent add-on brought along),
 * the allowedPodPolicyArns guardrail, the bounded roles trusted by EKS Pod Identity for this
 * cluster only, iam.withOIDC's provider, and the changes the routes make of them.
 */
import { podIdentityRoleOutputName, POD_ROLE_PATH, renderClusterTemplate, renderOidcTemplate, renderPodIdentityTemplate } from '../../../functions/domain/cluster-template';
import { guardrailProblems, resolveGuardrails, specRulesOnly, changeGuardrailProblems } from '../../../functions/domain/guardrails';
import { associationKey, parseAssociationKey, podIdentityStackName, podIdentityStackPrefix, POD_IDENTITY_AGENT_ADDON } from '../../../functions/domain/pod-identity';
import { provisioningSteps } from '../../../functions/domain/plan';
import { applyChange } from '../../../functions/domain/spec-change';
import { normaliseSpec, type Spec } from '../../../functions/domain/spec';
import { InvalidSpecError } from '../../../functions/shared/errors';
import { PERMISSIONS_BOUNDARY_ARN, POD_ROLE_BOUNDARY_ARN } from '../../support/fake-aws';
import { apiChange } from '../../support/change-request';
import { clusterTemplateInput, SPEC_DEFAULTS } from './cluster-template-inputs';

const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const OWN_ROLE = 'arn:aws:iam::111122223333:role/reporter';
const BY_POLICIES = { namespace: 'payments', serviceAccountName: 'api', permissionPolicyArns: [S3_READ] };
const BY_ROLE = { namespace: 'ops', serviceAccountName: 'reporter', roleArn: OWN_ROLE };

const spec = (extra: Record<string, unknown>) => normaliseSpec({ name: 'demo', ...extra }, SPEC_DEFAULTS);
function problemsOf(extra: Record<string, unknown>): Array<{ pointer: string; message: string }> {
  try {
    spec(extra);
    return [];
  } catch (error) {
    if (error instanceof InvalidSpecError) return error.problems;
    throw error;
  }
}

describe('podIdentityAssociations in the spec', () => {
  it('takes an association by roleArn or by permissionPolicyArns, and brings the eks-pod-identity-agent add-on along', () => {
    const normalised = spec({ podIdentityAssociations: [BY_ROLE, BY_POLICIES] });

    expect(normalised.podIdentityAssociations).toEqual([BY_ROLE, BY_POLICIES]);
    expect(normalised.addons.map((a) => a.name)).toEqual(['vpc-cni', 'kube-proxy', 'coredns', 'metrics-server', POD_IDENTITY_AGENT_ADDON]);
  });

  it('keeps an agent add-on the spec lists itself, and adds none without associations', () => {
    expect(spec({ podIdentityAssociations: [BY_ROLE], addons: [{ name: 'vpc-cni' }, { name: POD_IDENTITY_AGENT_ADDON, version: 'v1.3.4-eksbuild.1' }] }).addons).toEqual([{ name: 'vpc-cni' }, { name: POD_IDENTITY_AGENT_ADDON, version: 'v1.3.4-eksbuild.1' }]);
    expect(spec({}).addons.map((a) => a.name)).not.toContain(POD_IDENTITY_AGENT_ADDON);
    expect(spec({}).podIdentityAssociations).toEqual([]);
  });

  it('shows each association in the plan a dry run answers, after the cluster stack', () => {
    const steps = provisioningSteps(spec({ podIdentityAssociations: [BY_ROLE, BY_POLICIES] }), 'arn:aws:iam::111122223333:role/platform');

    expect(steps.slice(-2)).toEqual([
      `Associate service account ops/reporter with ${OWN_ROLE} (EKS Pod Identity)`,
      `Associate service account payments/api with a role of the cluster stack (${S3_READ}) (EKS Pod Identity)`,
    ]);
  });

  it('normalises a normalised spec to itself (the Plan step checks it again)', () => {
    const once = spec({ podIdentityAssociations: [BY_POLICIES], iam: { withOIDC: true } });

    expect(normaliseSpec(once, SPEC_DEFAULTS)).toEqual(once);
  });

  it('refuses an association with both or neither of roleArn and permissionPolicyArns, and a second one for a service account', () => {
    expect(problemsOf({ podIdentityAssociations: [{ ...BY_POLICIES, roleArn: OWN_ROLE }, { namespace: 'a', serviceAccountName: 'b' }, BY_ROLE, { ...BY_ROLE, roleArn: 'arn:aws:iam::111122223333:role/other' }] })).toEqual([
      { pointer: '/podIdentityAssociations/0', message: expect.stringContaining('must give exactly one of roleArn') },
      { pointer: '/podIdentityAssociations/1', message: expect.stringContaining('must give exactly one of roleArn') },
      { pointer: '/podIdentityAssociations/3/serviceAccountName', message: 'service account ops/reporter already has an association (podIdentityAssociations/2); EKS allows one per service account' },
    ]);
  });

  it('refuses what EKS would: a namespace or service account Kubernetes would not take, a roleArn that is no role, eksctl’s spelling', () => {
    const pointers = problemsOf({ podIdentityAssociations: [{ namespace: 'Payments', serviceAccountName: 'api', roleArn: OWN_ROLE }, { namespace: 'ops', serviceAccountName: 'x', roleArn: 'arn:aws:iam::111122223333:user/bob' }, { namespace: 'ops', serviceAccountName: 'y', roleARN: OWN_ROLE }] }).map((p) => p.pointer);

    expect(pointers).toEqual(expect.arrayContaining(['/podIdentityAssociations/0/namespace', '/podIdentityAssociations/1/roleArn', '/podIdentityAssociations/2/roleARN']));
  });
});

describe('the allowedPodPolicyArns guardrail', () => {
  const resolved = (config: Record<string, unknown>) => resolveGuardrails({ ...SPEC_DEFAULTS, ...config }).guardrails!;

  it('allows no policy unless the platform team lists it (roleArn associations are not its concern)', () => {
    const normalised = spec({ podIdentityAssociations: [BY_POLICIES, BY_ROLE] });

    expect(guardrailProblems(normalised, resolved({}))).toEqual([
      { pointer: '/podIdentityAssociations/0/permissionPolicyArns/0', message: expect.stringContaining(`${S3_READ} is not a policy pods may have (guardrail allowedPodPolicyArns allows none`) },
    ]);
    expect(guardrailProblems(normalised, resolved({ allowedPodPolicyArns: [S3_READ] }))).toEqual([]);
  });

  it('never allows an administration policy, whatever the configuration says', () => {
    expect(resolveGuardrails({ allowedPodPolicyArns: ['arn:aws:iam::aws:policy/IAMFullAccess'] }).problems).toEqual([
      { pointer: '/allowedPodPolicyArns/0', message: expect.stringContaining('IAMFullAccess cannot be allowed on Pod Identity roles') },
    ]);
  });

  it('judges an added association by what it adds, not by associations the cluster already had', () => {
    const before = spec({ podIdentityAssociations: [BY_POLICIES], addons: [{ name: 'vpc-cni' }, { name: POD_IDENTITY_AGENT_ADDON }] });
    const { spec: after } = apiChange(before, { action: 'ADD_POD_IDENTITY_ASSOCIATION', body: { namespace: 'jobs', serviceAccountName: 'runner', permissionPolicyArns: ['arn:aws:iam::aws:policy/AmazonSQSFullAccess'] } });

    expect(changeGuardrailProblems(before, after, ['/podIdentityAssociations/1'], resolved({ allowedPodPolicyArns: [S3_READ] })).map((p) => p.pointer)).toEqual(['/podIdentityAssociations/1/permissionPolicyArns/0']);
  });
});

describe('the cluster template', () => {
  const template = renderClusterTemplate(clusterTemplateInput({ iam: { withOIDC: true }, podIdentityAssociations: [BY_POLICIES, BY_ROLE] }));
  const roleOutput = podIdentityRoleOutputName(BY_POLICIES);
  const roleId = roleOutput.replace('PodIdentityRoleArn', 'PodIdentityRole');

  it('makes a role for an association with permissionPolicyArns, bounded by the pod role boundary under its own path, trusted by EKS Pod Identity for this account and cluster only', () => {
    const role = template.Resources[roleId]!;

    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties).toMatchObject({ Path: POD_ROLE_PATH, PermissionsBoundary: POD_ROLE_BOUNDARY_ARN, ManagedPolicyArns: [S3_READ] });
    expect(role.Properties!.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: ['pods.eks.amazonaws.com'] },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnEquals: { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:cluster/demo' } },
          },
        },
      ],
    });
    expect(template.Outputs[roleOutput]).toMatchObject({ Value: { 'Fn::GetAtt': [roleId, 'Arn'] } });
  });

  it('makes no role for an association that brings its own', () => {
    const podRoles = Object.keys(template.Resources).filter((id) => id.startsWith('PodIdentityRole'));

    expect(podRoles).toEqual([roleId]);
  });

  it('gives the cluster an IAM OIDC provider for its issuer with withOIDC, and none without', () => {
    expect(template.Resources.OIDCProvider).toMatchObject({ Type: 'AWS::IAM::OIDCProvider', Properties: { Url: { 'Fn::GetAtt': ['ControlPlane', 'OpenIdConnectIssuerUrl'] }, ClientIdList: ['sts.amazonaws.com'] } });
    expect(template.Outputs.OIDCProviderArn).toMatchObject({ Value: { Ref: 'OIDCProvider' } });
    expect(renderClusterTemplate(clusterTemplateInput({})).Resources.OIDCProvider).toBeUndefined();
  });

  it('renders the provider of a cluster switched to withOIDC later in a stack of its own: the same declaration and output, for the issuer given', () => {
    const issuerUrl = 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
    const stack = renderOidcTemplate({ clusterName: 'demo', stackName: 'eksp-demo-oidc', issuerUrl, tags: { team: 'blue' }, permissionsBoundaryArn: PERMISSIONS_BOUNDARY_ARN });

    expect(Object.keys(stack.Resources)).toEqual(['OIDCProvider']);
    expect(stack.Resources.OIDCProvider).toEqual({ ...template.Resources.OIDCProvider, Properties: { ...template.Resources.OIDCProvider!.Properties, Url: issuerUrl, Tags: [{ Key: 'Name', Value: 'eksp-demo-oidc/OIDCProvider' }, { Key: 'team', Value: 'blue' }] } });
    expect(stack.Outputs).toEqual({ OIDCProviderArn: { ...template.Outputs.OIDCProviderArn, Export: { Name: 'eksp-demo-oidc::OIDCProviderArn' } } });
  });

  it('keeps role ids of namespace/service account pairs apart that would read alike', () => {
    expect(podIdentityRoleOutputName({ namespace: 'a-b', serviceAccountName: 'c' })).not.toBe(podIdentityRoleOutputName({ namespace: 'a', serviceAccountName: 'b-c' }));
  });

  it('renders a later association’s role in a stack of its own with the same role and output', () => {
    const stack = renderPodIdentityTemplate({ clusterName: 'demo', association: BY_POLICIES, stackName: podIdentityStackName('demo', BY_POLICIES), tags: {}, permissionsBoundaryArn: PERMISSIONS_BOUNDARY_ARN, podRoleBoundaryArn: POD_ROLE_BOUNDARY_ARN });

    expect(stack.Resources[roleId]).toEqual({ ...template.Resources[roleId], Properties: { ...template.Resources[roleId]!.Properties, Tags: expect.any(Array) } });
    expect(Object.keys(stack.Outputs)).toEqual([roleOutput]);
  });
});

describe('names', () => {
  it('keys an association by namespace and service account, and reads the key back', () => {
    expect(associationKey(BY_POLICIES)).toBe('payments/api');
    expect(parseAssociationKey('payments/api.v2')).toEqual({ namespace: 'payments', serviceAccountName: 'api.v2' });
  });

  it('names a later association’s stack after the cluster, namespace and service account, within CloudFormation’s rules', () => {
    const name = podIdentityStackName('demo', { namespace: 'payments', serviceAccountName: 'api.v2' });
    const long = podIdentityStackName('demo', { namespace: 'n'.repeat(63), serviceAccountName: 's'.repeat(253) });

    expect(name).toMatch(/^eksp-demo-podidentity-payments-api-v2-[0-9a-f]{8}$/);
    expect(long.length).toBeLessThanOrEqual(128);
    expect(long.startsWith(podIdentityStackPrefix('demo'))).toBe(true);
    expect(podIdentityStackName('demo', { namespace: 'a-b', serviceAccountName: 'c' })).not.toBe(podIdentityStackName('demo', { namespace: 'a', serviceAccountName: 'b-c' }));
  });
});

describe('the routes’ changes', () => {
  const withAgent: Spec = spec({ podIdentityAssociations: [BY_ROLE] });

  it('adds an association as normalised, keyed namespace/serviceAccountName', () => {
    const { change, spec: desired } = apiChange(withAgent, { action: 'ADD_POD_IDENTITY_ASSOCIATION', body: BY_POLICIES });

    expect(change).toEqual({ action: 'ADD_POD_IDENTITY_ASSOCIATION', target: 'payments/api', item: BY_POLICIES });
    expect(desired.podIdentityAssociations).toEqual([BY_ROLE, BY_POLICIES]);
  });

  it('asks for the agent add-on first on a cluster without it', () => {
    const applied = applyChange(spec({}), { action: 'ADD_POD_IDENTITY_ASSOCIATION', body: BY_ROLE });

    expect(applied.problems).toEqual([{ pointer: '/addons', message: expect.stringContaining(`the cluster has no ${POD_IDENTITY_AGENT_ADDON} add-on`) }]);
  });

  it('removes an association by namespace/serviceAccount; an unknown one is a 404', () => {
    const { change, spec: desired } = apiChange(withAgent, { action: 'REMOVE_POD_IDENTITY_ASSOCIATION', target: 'ops/reporter' });

    expect(change).toEqual({ action: 'REMOVE_POD_IDENTITY_ASSOCIATION', target: 'ops/reporter' });
    expect(desired.podIdentityAssociations).toEqual([]);
    expect(() => applyChange(withAgent, { action: 'REMOVE_POD_IDENTITY_ASSOCIATION', target: 'ops/other' })).toThrow('cluster demo has no Pod Identity association ops/other');
  });

  it('refuses to remove the agent add-on while associations need it', () => {
    expect(applyChange(withAgent, { action: 'REMOVE_ADDON', target: POD_IDENTITY_AGENT_ADDON }).problems).toEqual([{ pointer: '', message: expect.stringContaining('ops/reporter') }]);
    expect(applyChange(spec({ addons: [{ name: 'vpc-cni' }, { name: POD_IDENTITY_AGENT_ADDON }] }), { action: 'REMOVE_ADDON', target: POD_IDENTITY_AGENT_ADDON }).problems).toBeUndefined();
  });

  it('normalises the running cluster’s spec without guardrails (judged by the change alone)', () => {
    expect(() => normaliseSpec(spec({ podIdentityAssociations: [BY_POLICIES] }), specRulesOnly(withAgent))).not.toThrow();
  });
});

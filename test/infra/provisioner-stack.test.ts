/**
 * The deployed shape of the service: the workflow is the ASL file with every Task bound to its
 * step's Lambda, every entry point is authenticated, state is durable, IAM is least privilege,
 * and cdk-nag's AwsSolutions pack finds nothing unacknowledged. Synthesizes once, with the real
 * esbuild bundling (so a handler that does not bundle fails here too).
 */
import { App, type CfnResource } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { API_FUNCTION, EXECUTION_ENDED_FUNCTION, OPERATION_METRICS_FUNCTION, RECONCILER_FUNCTION, VERSION_SUPPORT_CHECK_FUNCTION, functionEntries, stepModules, type FunctionEntry } from '../../infra/bundling';
import { AUTO_MODE_STACK_PATTERN, OIDC_STACK_PATTERN, CLUSTER_STACK_PATTERN, EXPIRY_SCHEDULE_PATTERN, UPGRADE_SCHEDULE_PATTERN, FARGATE_STACK_PATTERN, NODEGROUP_STACK_PATTERN, SERVICE_ROLE_PATH } from '../../infra/constructs/iam';
import { expiryScheduleName, upgradeScheduleName } from '../../functions/ports/schedules';
import { aslPath } from '../../infra/constructs/workflow';
import { principalArnPatterns } from '../../infra/constructs/event-bus';
import { ProvisionerStack } from '../../infra/provisioner-stack';
import { POD_ROLE_PATH, ROLE_PATH, TEMPLATE_MANAGED_POLICIES } from '../../functions/domain/cluster-template';
import { resolveGuardrails } from '../../functions/domain/guardrails';
import { PERMISSIONS_BOUNDARY_DOCUMENT, POD_ROLE_BOUNDARY_DOCUMENT } from '../../functions/domain/permissions-boundary';
import { autoModeStackName, clusterStackName, fargateStackName, nodegroupStackName, oidcStackName } from '../../functions/domain/naming';
import { withDirectEsbuild } from '../support/direct-esbuild';
import { STATE_MACHINES, TASK_FUNCTIONS, type StateMachineName, type StepModule, type TaskPlaceholder } from '../../statemachines/task-functions';

/** Synthesized CloudFormation, navigated freely by the assertions (its shape is what is under test). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const PORTAL_SOURCE = 'com.example.portal';
const PORTAL_ROLE = 'arn:aws:iam::111122223333:role/portal';

let stack: ProvisionerStack;
let template: Template;
let resources: Record<string, Json>;

beforeAll(() => {
  withDirectEsbuild(() => {
    const app = new App();
    stack = new ProvisionerStack(app, 'EksProvisionerTest', { eventSources: { [PORTAL_SOURCE]: PORTAL_ROLE } });
    template = Template.fromStack(stack);
  });
  resources = template.toJSON().Resources as Record<string, Json>;
}, 180_000);

const logicalId = (construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnResource);
const getAtt = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Every statement of every AWS::IAM::Policy attached to the role with this logical id. */
function statementsOfRole(roleLogicalId: string): Json[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties.Roles).some((r: Json) => r.Ref === roleLogicalId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
}

function allStatements(): Json[] {
  return [
    ...ofType('AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]),
    ...ofType('AWS::IAM::Role').flatMap(([, r]) => asArray(r.Properties.Policies).flatMap((p: Json) => p.PolicyDocument.Statement as Json[])),
  ];
}

interface TaskState {
  name: string;
  resource: string;
}

/** Task states at any depth: Parallel branches and Map item processors included. */
function taskStates(states: Json): TaskState[] {
  return Object.entries(states).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [{ name, resource: state.Resource as string }] : []),
    ...asArray(state.Branches).flatMap((branch: Json) => taskStates(branch.States)),
    ...(state.ItemProcessor ? taskStates(state.ItemProcessor.States) : []),
    ...(state.Iterator ? taskStates(state.Iterator.States) : []),
  ]);
}

const stateMachineNames = Object.keys(STATE_MACHINES) as StateMachineName[];

describe('workflow', () => {
  it.each(stateMachineNames)('%s is the ASL file, each Task bound to the ARN of its step module’s function', (name) => {
    const asl = readFileSync(aslPath(name), 'utf8');
    const props = resources[logicalId(stack.workflow(name).stateMachine)]!.Properties as Json;

    expect(JSON.parse(props.DefinitionString)).toEqual(JSON.parse(asl));
    const tasks = taskStates(JSON.parse(asl).States);
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) {
      const placeholder = /^\$\{(\w+)\}$/.exec(task.resource)?.[1] as TaskPlaceholder | undefined;
      expect({ task: task.name, placeholder }).toEqual({ task: task.name, placeholder: expect.any(String) });
      expect(TASK_FUNCTIONS).toHaveProperty(placeholder!);
      const fn = stack.steps.function(TASK_FUNCTIONS[placeholder!]).function;
      expect({ task: task.name, resolvesTo: props.DefinitionSubstitutions[placeholder!] }).toEqual({ task: task.name, resolvesTo: getAtt(fn) });
    }
  });

  it.each(stateMachineNames)('%s leaves no ${...} placeholder unresolved', (name) => {
    const props = resources[logicalId(stack.workflow(name).stateMachine)]!.Properties as Json;
    const substitutions = props.DefinitionSubstitutions as Json;
    // What CloudFormation does with DefinitionSubstitutions at deploy time.
    const deployed = (props.DefinitionString as string).replace(/\$\{(\w+)\}/g, (match, key: string) => (key in substitutions ? `<${key}>` : match));
    expect(deployed).not.toMatch(/\$\{[^}]*\}/);
  });

  it.each(stateMachineNames)('%s may invoke the step functions it names and nothing else', (name) => {
    const workflow = stack.workflow(name);
    const statements = statementsOfRole(logicalId(workflow.stateMachine.role));
    const invoke = statements.filter((s) => asArray(s.Action).includes('lambda:InvokeFunction'));
    const used = [...new Set(workflow.placeholders.map((p) => TASK_FUNCTIONS[p]))];

    expect(invoke).toHaveLength(1);
    expect(asArray(invoke[0]!.Resource)).toEqual(expect.arrayContaining(used.map((m) => getAtt(stack.steps.function(m).function))));
    expect(asArray(invoke[0]!.Resource)).toHaveLength(used.length);
    expect(asArray(invoke[0]!.Resource)).not.toContainEqual(getAtt(stack.api.handler.function));
  });

  it('is a Standard state machine that logs every transition without execution data and is traced', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false, Destinations: [Match.objectLike({})] },
      TracingConfiguration: { Enabled: true },
    });
  });
});

describe('functions', () => {
  it('deploys one function per step module plus the API handler, the execution-ended listener, the reconciler, the version support check and the metrics listener', () => {
    expect(ofType('AWS::Lambda::Function')).toHaveLength(stepModules().length + 5);
    expect(functionEntries()).toHaveLength(stepModules().length + 5);
  });

  it('runs every function on nodejs22.x, arm64, traced, logging to its own log group', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      expect({ id, ...fn.Properties }).toMatchObject({
        id,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
      });
      expect(fn.Properties.MemorySize).toBeGreaterThanOrEqual(256);
      expect(fn.Properties.MemorySize).toBeLessThanOrEqual(512);
      expect(fn.Properties.Timeout).toBeLessThanOrEqual(60);
    }
  });

  it('gives each function the configuration functions/shared/config.ts requires of it', () => {
    const env = (fn: IConstruct) => (resources[logicalId(fn)]!.Properties.Environment.Variables ?? {}) as Json;
    const cfnRole = getAtt(stack.clusterStackRole.role);
    const guardrails = JSON.stringify(resolveGuardrails({}).guardrails);
    const boundary = { Ref: logicalId(stack.permissionsBoundary.policy) };
    for (const module of stepModules()) {
      expect(env(stack.steps.function(module).function)).toMatchObject({ EVENT_BUS_NAME: expect.anything(), TABLE_NAME: expect.anything(), SERVICE_NAME: 'eks-provisioner', GUARDRAILS: guardrails, PERMISSIONS_BOUNDARY_ARN: boundary });
    }
    expect(env(stack.steps.function('create-cluster-stack').function)).toMatchObject({ CLOUDFORMATION_ROLE_ARN: cfnRole });
    expect(env(stack.steps.function('roll-back').function)).toMatchObject({ CLOUDFORMATION_ROLE_ARN: cfnRole });
    for (const module of ['delete-compute', 'check-compute-deletion', 'delete-cluster-stack'] as const) {
      expect(env(stack.steps.function(module).function)).toMatchObject({ CLOUDFORMATION_ROLE_ARN: cfnRole });
    }
    expect(env(stack.steps.function('map-identities').function)).toMatchObject({ KUBERNETES_ACCESS_ROLE_ARN: cfnRole });
    for (const module of ['change-nodegroup', 'change-fargate-profile'] as const) expect(env(stack.steps.function(module).function)).toMatchObject({ CLOUDFORMATION_ROLE_ARN: cfnRole });
    // Change Access acts as the cluster creator, and refuses to remove that role's own access.
    expect(env(stack.steps.function('change-access').function)).toMatchObject({ KUBERNETES_ACCESS_ROLE_ARN: cfnRole, CLOUDFORMATION_ROLE_ARN: cfnRole });
    // The API renders the template of a dry run, boundary included.
    expect(env(stack.api.handler.function)).toMatchObject({
      PROVISION_STATE_MACHINE_ARN: { Ref: logicalId(stack.workflow('provision-cluster').stateMachine) },
      UPGRADE_STATE_MACHINE_ARN: { Ref: logicalId(stack.workflow('upgrade-cluster').stateMachine) },
      GUARDRAILS: guardrails,
      PERMISSIONS_BOUNDARY_ARN: boundary,
    });
  });

  it('hands the pod role boundary to the functions that render Pod Identity roles: Create Cluster Stack, Change Pod Identity, and the API (dry run)', () => {
    const env = (fn: IConstruct) => (resources[logicalId(fn)]!.Properties.Environment.Variables ?? {}) as Json;
    const podBoundary = { Ref: logicalId(stack.podRoleBoundary.policy) };

    for (const fn of [stack.steps.function('create-cluster-stack').function, stack.steps.function('change-pod-identity').function, stack.api.handler.function]) {
      expect(env(fn)).toMatchObject({ POD_ROLE_BOUNDARY_ARN: podBoundary, PERMISSIONS_BOUNDARY_ARN: { Ref: logicalId(stack.permissionsBoundary.policy) } });
    }
    expect(podBoundary).not.toEqual({ Ref: logicalId(stack.permissionsBoundary.policy) });
  });
});

describe('guardrails', () => {
  /** Bundling skipped: these stacks are about configuration, and the main stack already bundles. */
  const unbundledApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

  it('hands the configured guardrails, defaults applied, to every function as GUARDRAILS', () => {
    const configured = new ProvisionerStack(unbundledApp(), 'Guarded', { guardrails: { instanceTypes: ['m5.*'], maxNodesPerCluster: 20, publicAccessCidrs: ['203.0.113.0/24'], requiredTags: ['team'] } });

    const functions = Object.values(Template.fromStack(configured).findResources('AWS::Lambda::Function'));

    expect(functions).toHaveLength(functionEntries().length);
    for (const fn of functions) {
      expect(JSON.parse(fn.Properties.Environment.Variables.GUARDRAILS)).toEqual({
        kubernetesVersions: ['1.31', '1.32', '1.33'],
        defaultKubernetesVersion: '1.33',
        instanceTypes: ['m5.*'],
        maxNodesPerCluster: 20,
        publicAccessCidrs: ['203.0.113.0/24'],
        requiredTags: ['team'],
        allowedNodePolicyArns: resolveGuardrails({}).guardrails!.allowedNodePolicyArns,
        allowedPodPolicyArns: [],
      });
    }
  });

  it('lets the CloudFormation execution role attach exactly the templates\' policies and the configured node policies', () => {
    const own = 'arn:aws:iam::111122223333:policy/nodes-read-artifacts';
    const configured = new ProvisionerStack(unbundledApp(), 'CustomNodePolicies', { guardrails: { allowedNodePolicyArns: [own, 'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy'] } });
    const json = Template.fromStack(configured).toJSON().Resources as Record<string, Json>;
    const roleId = configured.getLogicalId(configured.clusterStackRole.role.node.defaultChild as CfnResource);

    const attach = Object.values(json)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && asArray(r.Properties.Roles).some((ref: Json) => ref.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[])
      .filter((st) => st.Effect === 'Allow' && asArray(st.Action).includes('iam:AttachRolePolicy'));

    expect(attach).toHaveLength(1);
    expect(attach[0]!.Condition.ArnEquals['iam:PolicyARN']).toEqual([...TEMPLATE_MANAGED_POLICIES.map((name) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::aws:policy/${name}` })), own]);
  });

  it.each([
    ['a count that is not an integer', { maxNodesPerCluster: 'ten' }, 'invalid guardrails: guardrails /maxNodesPerCluster must be integer'],
    ['a default version outside the list', { kubernetesVersions: ['1.32'], defaultKubernetesVersion: '1.33' }, 'invalid guardrails: guardrails /defaultKubernetesVersion 1.33 must be one of kubernetesVersions (1.32)'],
    ['a public CIDR with host bits set', { publicAccessCidrs: ['10.0.0.1/8'] }, 'invalid guardrails: guardrails /publicAccessCidrs/0 "10.0.0.1/8" has host bits set; did you mean "10.0.0.0/8"?'],
    ['AdministratorAccess as a node policy', { allowedNodePolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }, 'invalid guardrails: guardrails /allowedNodePolicyArns/0 AdministratorAccess cannot be allowed on node roles'],
  ])('fails synth naming the field for %s', (_, guardrails, message) => {
    const synth = () => new ProvisionerStack(unbundledApp(), 'Misconfigured', { guardrails: guardrails as never });

    expect(synth).toThrow(message);
  });
});

describe('REST API', () => {
  /** "GET /clusters/{name}" for every method, from the Resource tree. */
  function routes(): string[] {
    const path = (ref: Json | undefined): string => {
      if (!ref || !ref.Ref) return '';
      const resource = resources[ref.Ref as string]!;
      return `${path(resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
    };
    return ofType('AWS::ApiGateway::Method').map(([, m]) => `${m.Properties.HttpMethod} ${path(m.Properties.ResourceId) || '/'}`);
  }

  it('requires SigV4 (AWS_IAM) on every method', () => {
    const methods = ofType('AWS::ApiGateway::Method');
    expect(methods.length).toBeGreaterThan(0);
    for (const [id, method] of methods) expect({ id, auth: method.Properties.AuthorizationType }).toEqual({ id, auth: 'AWS_IAM' });
  });

  it('routes the cluster and operation resources to the API function', () => {
    expect(routes()).toEqual(
      expect.arrayContaining(['POST /clusters', 'GET /clusters', 'GET /clusters/{name}', 'DELETE /clusters/{name}', 'ANY /clusters/{name}/{proxy+}', 'GET /operations', 'GET /operations/{id}', 'POST /operations/{id}/abort']),
    );
    for (const [, method] of ofType('AWS::ApiGateway::Method')) {
      expect(method.Properties.Integration).toMatchObject({ Type: 'AWS_PROXY' });
      expect(JSON.stringify(method.Properties.Integration.Uri)).toContain(logicalId(stack.api.handler.function));
    }
  });

  it('serves its OpenAPI document', () => {
    expect(routes()).toContain('GET /openapi.json');
  });

  it('lets the API function start the four state machines and read live clusters, the version catalogue and what an upgrade plan reads, nothing more of EKS', () => {
    const statements = statementsOfRole(logicalId(stack.api.handler.role));
    for (const name of ['provision-cluster', 'delete-cluster', 'update-cluster', 'upgrade-cluster'] as const) {
      expect(statements).toContainEqual(expect.objectContaining({ Action: 'states:StartExecution', Resource: { Ref: logicalId(stack.workflow(name).stateMachine) } }));
    }
    const eks = statements.flatMap((s) => asArray(s.Action as string | string[])).filter((a) => a.startsWith('eks:'));
    // The upgrade dry run reads as Preflight does, but never refreshes insights or updates anything.
    const upgradePlan = ['eks:ListUpdates', 'eks:DescribeUpdate', 'eks:ListInsights', 'eks:DescribeInsight', 'eks:ListAddons', 'eks:DescribeAddon', 'eks:DescribeAddonVersions'];
    expect(new Set(eks)).toEqual(new Set(['eks:DescribeCluster', 'eks:ListNodegroups', 'eks:ListFargateProfiles', 'eks:ListAccessEntries', 'eks:DescribeNodegroup', 'eks:DescribeFargateProfile', 'eks:DescribeClusterVersions', ...upgradePlan]));
    expect(eks.filter((a) => /^eks:(Update|Start|Create|Delete)/.test(a))).toEqual([]);
  });

  it('gives each upgrade step only its own EKS calls', () => {
    const eksActions = (module: Parameters<typeof stack.steps.function>[0]) =>
      new Set(statementsOfRole(logicalId(stack.steps.function(module).function.role!)).flatMap((s) => asArray(s.Action as string | string[])).filter((a) => a.startsWith('eks:')));
    const reads = ['eks:DescribeCluster', 'eks:ListUpdates', 'eks:DescribeUpdate', 'eks:ListInsights', 'eks:DescribeInsight', 'eks:ListAddons', 'eks:ListNodegroups', 'eks:DescribeAddon', 'eks:DescribeNodegroup', 'eks:DescribeClusterVersions', 'eks:DescribeAddonVersions'];
    expect(eksActions('upgrade-preflight')).toEqual(new Set([...reads, 'eks:StartInsightsRefresh', 'eks:DescribeInsightsRefresh']));
    expect(eksActions('upgrade-control-plane')).toEqual(new Set(['eks:DescribeCluster', 'eks:UpdateClusterVersion', 'eks:ListUpdates', 'eks:DescribeUpdate']));
    expect(eksActions('upgrade-addon')).toEqual(new Set(['eks:DescribeAddon', 'eks:UpdateAddon']));
    expect(eksActions('upgrade-nodegroup')).toEqual(new Set(['eks:DescribeNodegroup', 'eks:UpdateNodegroupVersion', 'eks:DescribeCluster', 'eks:ListUpdates', 'eks:DescribeUpdate']));
    expect(eksActions('finalize-upgrade')).toEqual(new Set(['eks:DescribeCluster', 'eks:ListAddons', 'eks:ListNodegroups', 'eks:DescribeAddon', 'eks:DescribeNodegroup']));
    // The temporary cluster-admin entry its drains need, besides waiting out updates.
    expect(eksActions('upgrade-self-managed-nodegroup')).toEqual(new Set(['eks:DescribeCluster', 'eks:ListUpdates', 'eks:DescribeUpdate', 'eks:CreateAccessEntry', 'eks:TagResource', 'eks:DescribeAccessEntry', 'eks:UpdateAccessEntry', 'eks:DeleteAccessEntry', 'eks:AssociateAccessPolicy', 'eks:ListAssociatedAccessPolicies']));
  });

  it("lets the upgrade's self-managed step update its nodegroup's stack and replace its instances, never create or delete a stack", () => {
    const actions = new Set(statementsOfRole(logicalId(stack.steps.function('upgrade-self-managed-nodegroup').role)).flatMap((s) => asArray(s.Action as string | string[])));
    expect([...actions].filter((a) => a.startsWith('cloudformation:')).sort()).toEqual(['cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks', 'cloudformation:GetTemplate', 'cloudformation:UpdateStack']);
    expect([...actions].filter((a) => a.startsWith('autoscaling:') || a.startsWith('ssm:')).sort()).toEqual(['autoscaling:DescribeAutoScalingGroups', 'autoscaling:TerminateInstanceInAutoScalingGroup', 'ssm:GetParameter']);
  });

  it('hands "Operation Requested" events from the allowed sources to the API function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(stack.bus.bus) },
      EventPattern: { source: [PORTAL_SOURCE], 'detail-type': ['EKS Cluster Operation Requested'] },
      Targets: [Match.objectLike({ Arn: getAtt(stack.api.handler.function) })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'EksProvisionerTest-api', Environment: { Variables: Match.objectLike({ EVENT_SOURCES: JSON.stringify({ [PORTAL_SOURCE]: PORTAL_ROLE }) }) } });
  });

  it('refuses, at synth, event sources that are reserved or not mapped to a principal', () => {
    expect(() => new ProvisionerStack(new App(), 'Bad', { eventSources: { 'eks-provisioner.expiry': PORTAL_ROLE } })).toThrow('invalid eventSources: eks-provisioner.expiry: sources aws.* and eks-provisioner* are reserved');
    expect(() => new ProvisionerStack(new App(), 'Bad2', { eventSources: { [PORTAL_SOURCE]: 'portal' } })).toThrow(/must map to an IAM principal ARN/);
  });

  it('logs access with the caller, traces and throttles the stage', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"caller"') },
      MethodSettings: Match.arrayWith([Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', DataTraceEnabled: false, ThrottlingRateLimit: Match.anyValue() })]),
    });
  });
});

describe('the execution-ended backstop', () => {
  it("hears the service's executions that ended FAILED, TIMED_OUT or ABORTED, on the default bus", () => {
    const rule = resources[logicalId(stack.executionEnded.rule)]!;
    expect(rule.Properties.EventBusName).toBe('default');
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: (['provision-cluster', 'delete-cluster', 'update-cluster', 'upgrade-cluster'] as const).map((name) => ({ Ref: logicalId(stack.workflow(name).stateMachine) })) },
    });
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: getAtt(stack.executionEnded.handler.function) })]);
  });

  it('may only read and write the registry, put events on the service bus (and hand what fails to its dead-letter queue), and remove the temporary admin entry a stopped execution left', () => {
    const statements = statementsOfRole(logicalId(stack.executionEnded.handler.role));
    const actions = statements.flatMap((s) => asArray(s.Action as string | string[]));
    expect(actions.filter((a) => !/^(dynamodb|events|logs|xray|sqs):/.test(a))).toEqual(['eks:DescribeAccessEntry', 'eks:DeleteAccessEntry']);
    expect(statements.find((s) => asArray(s.Action).includes('eks:DeleteAccessEntry'))!.Resource).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:access-entry/*/*/*/*/*' });
  });

  it('is retried by EventBridge and by Lambda, and what still fails is kept in an encrypted dead-letter queue', () => {
    const queue = resources[logicalId(stack.executionEnded.deadLetters)]!;
    expect(queue).toMatchObject({ Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 } });
    const target = resources[logicalId(stack.executionEnded.rule)]!.Properties.Targets[0];
    expect(target).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 8 }, DeadLetterConfig: { Arn: getAtt(stack.executionEnded.deadLetters) } });
    const configs = ofType('AWS::Lambda::EventInvokeConfig').filter(([, c]) => c.Properties.FunctionName.Ref === logicalId(stack.executionEnded.handler.function));
    expect(configs).toHaveLength(1);
    expect(configs[0]![1].Properties).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: getAtt(stack.executionEnded.deadLetters) } } });
  });
});

describe('the reconciler', () => {
  it('runs every 5 minutes on an EventBridge schedule', () => {
    const rule = resources[logicalId(stack.reconciler.rule)]!;
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED' });
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: getAtt(stack.reconciler.handler.function) })]);
  });

  it('reads the unsettled index, describes only the service’s executions and puts events on the service bus, nothing else', () => {
    const statements = statementsOfRole(logicalId(stack.reconciler.handler.role));
    const actions = statements.flatMap((s) => asArray(s.Action as string | string[]));
    expect(actions.filter((a) => !/^(dynamodb|events|logs|xray):/.test(a))).toEqual(['states:DescribeExecution']);
    const describe = statements.find((s) => s.Action === 'states:DescribeExecution')!;
    expect(JSON.stringify(describe.Resource)).toContain(':execution:');
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'dynamodb:Query', Resource: expect.objectContaining({ 'Fn::Join': expect.arrayContaining([expect.arrayContaining(['/index/unsettled'])]) }) }));
  });

  it('has the registry table index the operations not yet settled', () => {
    const tables = ofType('AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    expect(tables[0]![1].Properties.GlobalSecondaryIndexes).toContainEqual(expect.objectContaining({ IndexName: 'unsettled', KeySchema: [{ AttributeName: 'unsettledPk', KeyType: 'HASH' }, { AttributeName: 'unsettledSk', KeyType: 'RANGE' }] }));
  });
});

describe('the version support check', () => {
  it('runs once a day on an EventBridge schedule, retried twice', () => {
    const rule = resources[logicalId(stack.versionSupportCheck.rule)]!;
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'rate(1 day)', State: 'ENABLED' });
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: getAtt(stack.versionSupportCheck.handler.function), RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: 2 }) })]);
  });

  it('reads the version catalogue, the registry table, puts events on the service bus and schedules unattended upgrades, nothing else', () => {
    const statements = statementsOfRole(logicalId(stack.versionSupportCheck.handler.role));
    const actions = statements.flatMap((s) => asArray(s.Action as string | string[]));
    expect(actions.filter((a) => !/^(logs|xray):/.test(a)).sort()).toEqual([
      'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:UpdateItem', 'eks:DescribeClusterVersions', 'events:PutEvents',
      'iam:PassRole', 'scheduler:CreateSchedule', 'scheduler:UpdateSchedule',
    ]);
    const table = { 'Fn::GetAtt': [logicalId(stack.registry.table), 'Arn'] };
    for (const s of statements.filter((s) => asArray(s.Action as string | string[]).some((a) => a.startsWith('dynamodb:')))) expect(s.Resource).toEqual(table);
    expect(statements.find((s) => s.Action === 'events:PutEvents')!.Resource).toEqual(getAtt(stack.bus.bus));
    // DescribeClusterVersions reads a catalogue, not a resource: IAM knows no narrower resource for it.
    expect(statements.find((s) => s.Action === 'eks:DescribeClusterVersions')!.Resource).toBe('*');
  });

  it('lets the API read the version catalogue, for GET /clusters/{name}', () => {
    const statements = statementsOfRole(logicalId(stack.api.handler.role));
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'eks:DescribeClusterVersions', Resource: '*' }));
  });
});

describe('observability', () => {
  const alarmOf = (construct: IConstruct) => resources[logicalId(construct)]!.Properties as Json;

  it('turns every status event on the service bus into metrics, with retries and a dead-letter queue', () => {
    const rule = resources[logicalId(stack.observability.rule)]!;
    expect(rule.Properties.EventBusName).toEqual({ Ref: logicalId(stack.bus.bus) });
    expect(rule.Properties.EventPattern).toEqual({ source: ['eks-provisioner'], 'detail-type': ['EKS Cluster Operation Status Change'] });
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: getAtt(stack.observability.metricsFunction.function), RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 }, DeadLetterConfig: { Arn: getAtt(stack.observability.deadLetterQueue) } }),
    ]);
  });

  it('lets the metrics listener read operation records and nothing else of AWS (EMF metrics are log lines)', () => {
    const statements = statementsOfRole(logicalId(stack.observability.metricsFunction.role));
    const actions = statements.flatMap((s) => asArray(s.Action as string | string[]));
    expect(actions.filter((a) => !/^(logs|xray):/.test(a))).toEqual(['dynamodb:GetItem']);
  });

  it('alarms on failed executions of each workflow, dead letters, API 5xx and operations the reconciler settled, all to one topic', () => {
    const alarms = stack.observability.alarms.map(alarmOf);
    // Four workflows; two dead-letter queues (the metrics rule's, the execution-ended listener's); the API; the reconciler.
    expect(alarms).toHaveLength(4 + 2 + 1 + 1);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({ Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching', AlarmActions: [{ Ref: logicalId(stack.observability.alarmTopic) }] });
    }
    const failedExecutions = alarms.filter((a) => a.Metrics?.some((m: Json) => m.Expression === 'failed + timedOut + aborted'));
    expect(failedExecutions.map((a) => a.Metrics.find((m: Json) => m.Id === 'failed').MetricStat.Metric.Dimensions[0].Value)).toEqual(
      (['provision-cluster', 'delete-cluster', 'update-cluster', 'upgrade-cluster'] as const).map((name) => ({ Ref: logicalId(stack.workflow(name).stateMachine) })),
    );
    expect(alarms).toContainEqual(expect.objectContaining({ Namespace: 'AWS/ApiGateway', MetricName: '5XXError', Statistic: 'Sum' }));
    for (const queue of [stack.observability.deadLetterQueue, stack.executionEnded.deadLetters]) {
      expect(alarms).toContainEqual(expect.objectContaining({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue), 'QueueName'] } }] }));
    }
    expect(alarms).toContainEqual(
      expect.objectContaining({ Metrics: [expect.objectContaining({ MetricStat: { Metric: { Namespace: 'EksProvisioner', MetricName: 'OperationsSettledByReconciler', Dimensions: [{ Name: 'service', Value: 'eks-provisioner' }] }, Period: 300, Stat: 'Sum' } })] }),
    );
  });

  it('draws one dashboard of operations by type and outcome, phase durations, executions and the API', () => {
    const [[, dashboard]] = ofType('AWS::CloudWatch::Dashboard') as [[string, Json]];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const metric of ['OperationsAccepted', 'OperationsSucceeded', 'OperationsFailed', 'PhaseDuration', 'OperationDuration', 'ExecutionsFailed', '5XXError', 'Latency']) expect(body).toContain(metric);
  });
});

describe('cluster expiry (ttl)', () => {
  const API_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':function:EksProvisionerTest-api']] };

  it('has Scheduler assume a role of its own, for this account only, that may invoke only the API function', () => {
    const role = resources[logicalId(stack.schedules.role)]!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }),
    ]);
    expect(statementsOfRole(logicalId(stack.schedules.role))).toEqual([expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: API_ARN })]);
  });

  it('lets Collect Outputs create or replace expiry schedules and pass that role to Scheduler only; Finalize Deletion only cancels', () => {
    const finalize = statementsOfRole(logicalId(stack.steps.function('collect-outputs').role));
    expect(finalize).toContainEqual(expect.objectContaining({ Action: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule'] }));
    expect(finalize).toContainEqual(expect.objectContaining({ Action: 'iam:PassRole', Resource: getAtt(stack.schedules.role), Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } }));
    const deletion = statementsOfRole(logicalId(stack.steps.function('finalize-deletion').role));
    expect(deletion.flatMap((s) => asArray(s.Action as string | string[])).filter((a) => a.startsWith('scheduler:') || a === 'iam:PassRole')).toEqual(['scheduler:DeleteSchedule']);
  });

  it('lets the version check create only upgrade schedules, the API only expiry schedules, and Finalize Deletion cancel both', () => {
    const schedule = (name: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:scheduler:\${AWS::Region}:\${AWS::AccountId}:schedule/default/${name}` });
    const resourcesFor = (role: Parameters<typeof logicalId>[0], action: string) => statementsOfRole(logicalId(role)).filter((s) => asArray(s.Action as string | string[]).includes(action)).map((s) => s.Resource);
    expect(resourcesFor(stack.versionSupportCheck.handler.role, 'scheduler:CreateSchedule')).toEqual([schedule('eksp-*-upgrade')]);
    expect(resourcesFor(stack.api.handler.role, 'scheduler:CreateSchedule')).toEqual([schedule('eksp-*-expiry')]);
    expect(resourcesFor(stack.steps.function('finalize-deletion').role, 'scheduler:DeleteSchedule')).toEqual([[schedule('eksp-*-expiry'), schedule('eksp-*-upgrade')]]);
  });

  it('tells both where schedules go and what they invoke', () => {
    for (const module of ['collect-outputs', 'finalize-deletion'] as const) {
      const variables = resources[logicalId(stack.steps.function(module).function)]!.Properties.Environment.Variables;
      expect(variables).toMatchObject({ EXPIRY_TARGET_ARN: API_ARN, SCHEDULER_ROLE_ARN: getAtt(stack.schedules.role), SCHEDULE_GROUP_NAME: 'default' });
    }
  });
});

describe('state', () => {
  it('keeps the registry table on demand, recoverable and retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'byCluster',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
          }),
          Match.objectLike({ IndexName: 'unsettled' }),
        ],
      }),
    });
  });

  it('archives the service’s status events from the eks-provisioner bus', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'eks-provisioner' });
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: getAtt(stack.bus.bus),
      EventPattern: { source: ['eks-provisioner'] },
      RetentionDays: 90,
    });
  });
});

describe('the service bus policy', () => {
  const busPolicy = () => resources[logicalId(stack.bus.bus)]!.Properties.Policy as Json;
  const statement = (sid: string) => (busPolicy().Statement as Json[]).find((st) => st.Sid === sid);
  // Every function but the metrics listener, which only reads the bus's events through its rule.
  const publisherRoleIds = () => lambdaRoleIds().filter((id) => id !== logicalId(stack.observability.metricsFunction.role));

  it('denies everyone but the service\'s functions sending eks-provisioner events', () => {
    const publishers = publisherRoleIds().map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }));

    expect(statement('OnlyTheServiceSendsItsEvents')).toEqual({
      Sid: 'OnlyTheServiceSendsItsEvents',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Resource: stack.resolve(stack.bus.arnByName),
      Condition: { StringLike: { 'events:source': ['eks-provisioner', 'eks-provisioner.*'] }, ArnNotEquals: { 'aws:PrincipalArn': expect.arrayContaining(publishers) } },
    });
  });

  it('names every role that may put events on the bus among the senders it lets through, and no other', () => {
    const busArn = JSON.stringify(getAtt(stack.bus.bus));
    const putters = ofType('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.PolicyDocument.Statement as Json[]).some((st) => asArray(st.Action).includes('events:PutEvents') && JSON.stringify(st.Resource) === busArn))
      .flatMap(([, p]) => asArray(p.Properties.Roles).map((r: Json) => ({ 'Fn::GetAtt': [r.Ref, 'Arn'] })));
    const allowed = statement('OnlyTheServiceSendsItsEvents')!.Condition.ArnNotEquals['aws:PrincipalArn'] as Json[];

    expect(putters.length).toBe(publisherRoleIds().length);
    expect(new Set(allowed.map((a) => JSON.stringify(a)))).toEqual(new Set(putters.map((p) => JSON.stringify(p))));
  });

  it('denies everyone but its configured principal sending as a request source', () => {
    const requests = (busPolicy().Statement as Json[]).filter((st) => st.Sid !== 'OnlyTheServiceSendsItsEvents');

    expect(requests).toEqual([
      {
        Sid: 'OnlyItsPrincipalSendsRequestSource0',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: stack.resolve(stack.bus.arnByName),
        Condition: { StringEquals: { 'events:source': PORTAL_SOURCE }, ArnNotLike: { 'aws:PrincipalArn': [PORTAL_ROLE, 'arn:aws:iam::111122223333:role/*/portal'] } },
      },
    ]);
  });

  it.each([
    ['a role', 'arn:aws:iam::111122223333:role/portal', ['arn:aws:iam::111122223333:role/portal', 'arn:aws:iam::111122223333:role/*/portal']],
    ['an assumed-role session (its role is the principal)', 'arn:aws:sts::111122223333:assumed-role/portal/ticket-7', ['arn:aws:iam::111122223333:role/portal', 'arn:aws:iam::111122223333:role/*/portal']],
    ['a user', 'arn:aws:iam::111122223333:user/ci', ['arn:aws:iam::111122223333:user/ci']],
  ])('matches the sender of a source mapped to %s by its aws:PrincipalArn', (_, principal, patterns) => {
    expect(principalArnPatterns(principal)).toEqual(patterns);
  });
});

/** The roles of the service's Lambda functions. */
function lambdaRoleIds(): string[] {
  return ofType('AWS::IAM::Role')
    .filter(([, r]) => (r.Properties.AssumeRolePolicyDocument.Statement as Json[]).some((st) => asArray(st.Principal?.Service).includes('lambda.amazonaws.com')))
    .map(([id]) => id);
}

describe('IAM', () => {
  const lambdaRoles = () =>
    ofType('AWS::IAM::Role').filter(([, r]) =>
      (r.Properties.AssumeRolePolicyDocument.Statement as Json[]).some((s) => asArray(s.Principal?.Service).includes('lambda.amazonaws.com')),
    );

  it('scopes permissions by the names the cluster stack template really uses', () => {
    const stackPattern = new RegExp(`^${CLUSTER_STACK_PATTERN.replace(/\*/g, '[a-z0-9-]+')}$`);
    expect(clusterStackName('team-a-dev')).toMatch(stackPattern);
    const glob = (pattern: string) => new RegExp(`^${pattern.replace(/\*/g, '[A-Za-z0-9_-]+')}$`);
    expect(nodegroupStackName('team-a-dev', 'ng-gpu_1')).toMatch(glob(NODEGROUP_STACK_PATTERN));
    expect(nodegroupStackName('team-a-dev', 'ng-gpu_1')).not.toMatch(stackPattern);
    expect(expiryScheduleName('team-a-dev')).toMatch(glob(EXPIRY_SCHEDULE_PATTERN));
    expect(upgradeScheduleName('team-a-dev')).toMatch(glob(UPGRADE_SCHEDULE_PATTERN));
    expect(expiryScheduleName('team-a-dev')).not.toMatch(glob(UPGRADE_SCHEDULE_PATTERN));
    expect(fargateStackName('team-a-dev')).toMatch(glob(FARGATE_STACK_PATTERN));
    expect(fargateStackName('team-a-dev')).not.toMatch(stackPattern);
    expect(autoModeStackName('team-a-dev')).toMatch(glob(AUTO_MODE_STACK_PATTERN));
    expect(autoModeStackName('team-a-dev')).not.toMatch(stackPattern);
    expect(oidcStackName('team-a-dev')).toMatch(glob(OIDC_STACK_PATTERN));
    expect(oidcStackName('team-a-dev')).not.toMatch(stackPattern);
    expect(ROLE_PATH).toBe(SERVICE_ROLE_PATH);
  });

  it('gives no Lambda role iam:CreateRole, an IAM wildcard or a managed policy', () => {
    expect(lambdaRoles()).toHaveLength(functionEntries().length);
    for (const [id, role] of lambdaRoles()) {
      expect({ id, managed: role.Properties.ManagedPolicyArns }).toEqual({ id, managed: undefined });
      for (const statement of statementsOfRole(id)) {
        for (const action of asArray(statement.Action as string | string[])) {
          expect({ id, action }).not.toEqual({ id, action: expect.stringMatching(/^(\*|iam:\*|iam:CreateRole|iam:Put\w*Policy|iam:Attach\w*Policy)$/) });
        }
      }
    }
  });

  it('lets only the CloudFormation execution role create roles, and only under /eks-provisioner/ (Pod Identity roles under /eks-provisioner/pod-identity/)', () => {
    const creators = allStatements().filter((s) => s.Effect === 'Allow' && asArray(s.Action).includes('iam:CreateRole'));
    const executionRole = statementsOfRole(logicalId(stack.clusterStackRole.role));

    for (const creator of creators) expect(executionRole).toContainEqual(creator);
    expect(creators.map((creator) => creator.Resource)).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/eks-provisioner/*' },
      { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role${POD_ROLE_PATH}*` },
    ]);
  });

  describe('roles the stacks create', () => {
    const boundary = () => ({ Ref: logicalId(stack.permissionsBoundary.policy) });
    const podBoundary = () => ({ Ref: logicalId(stack.podRoleBoundary.policy) });
    const serviceRoles = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/eks-provisioner/*' };
    const podRoles = { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role${POD_ROLE_PATH}*` };
    const executionRoleStatements = () => statementsOfRole(logicalId(stack.clusterStackRole.role));
    const granting = (action: string) => executionRoleStatements().filter((st) => st.Effect === 'Allow' && asArray(st.Action).includes(action));

    it('deploys the boundary as a managed policy under the service path, the document local mode uses too', () => {
      const policy = resources[logicalId(stack.permissionsBoundary.policy)]!;

      expect(policy.Type).toBe('AWS::IAM::ManagedPolicy');
      expect(policy.Properties.Path).toBe(SERVICE_ROLE_PATH);
      expect(policy.Properties.PolicyDocument).toEqual(PERMISSIONS_BOUNDARY_DOCUMENT);
      expect(policy.Properties.Roles ?? []).toEqual([]);
    });

    it('boundary: denies IAM administration (but the ELB service-linked role), Organizations and the account', () => {
      const denies = PERMISSIONS_BOUNDARY_DOCUMENT.Statement.filter((st) => st.Effect === 'Deny');

      expect(denies).toEqual([
        expect.objectContaining({ Action: 'iam:*', NotResource: 'arn:*:iam::*:role/aws-service-role/elasticloadbalancing.amazonaws.com/*' }),
        expect.objectContaining({ Action: ['organizations:*', 'account:*'], Resource: '*' }),
      ]);
      const allowed = PERMISSIONS_BOUNDARY_DOCUMENT.Statement.filter((st) => st.Effect === 'Allow').flatMap((st) => asArray<string>(st.Action as string | string[]));
      expect(allowed.filter((action) => /^(iam|sts|organizations|account):/.test(action) || action === '*')).toEqual(['iam:CreateServiceLinkedRole']);
    });

    it.each(['iam:CreateRole', 'iam:PutRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:AttachRolePolicy'])('lets the execution role %s only under a boundary: the service\'s on its roles, the pod role boundary on Pod Identity roles', (action) => {
      const statements = granting(action);

      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect([serviceRoles, podRoles]).toContainEqual(statement.Resource);
        expect(statement.Condition?.StringEquals?.['iam:PermissionsBoundary']).toEqual(statement.Resource['Fn::Sub'] === podRoles['Fn::Sub'] ? podBoundary() : boundary());
      }
    });

    it('deploys the pod role boundary as a managed policy under the service path, the document local mode uses too', () => {
      const policy = resources[logicalId(stack.podRoleBoundary.policy)]!;

      expect(policy.Type).toBe('AWS::IAM::ManagedPolicy');
      expect(policy.Properties.Path).toBe(SERVICE_ROLE_PATH);
      expect(policy.Properties.PolicyDocument).toEqual(POD_ROLE_BOUNDARY_DOCUMENT);
      expect(policy.Properties.Roles ?? []).toEqual([]);
    });

    it('pod role boundary: lets the attached policies work, but takes away IAM, role chaining, Organizations and the account', () => {
      const denied = POD_ROLE_BOUNDARY_DOCUMENT.Statement.filter((st) => st.Effect === 'Deny');

      expect(denied.every((st) => st.Resource === '*' && !('Condition' in st))).toBe(true);
      expect(denied.flatMap((st) => asArray<string>(st.Action as string | string[])).sort()).toEqual(['account:*', 'iam:*', 'organizations:*', 'sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity']);
    });

    it('lets the execution role create or rebound a role under /eks-provisioner/pod-identity/ only with the pod role boundary, and put no inline policy there', () => {
      const onPodRoles = (action: string) => granting(action).filter((st) => JSON.stringify(st.Resource) === JSON.stringify(podRoles));
      const fence = executionRoleStatements().find((st) => st.Sid === 'PodRolesOnlyUnderThePodBoundary');

      for (const action of ['iam:CreateRole', 'iam:PutRolePermissionsBoundary']) {
        expect(onPodRoles(action).map((st) => st.Condition)).toEqual([{ StringEquals: { 'iam:PermissionsBoundary': podBoundary() } }]);
      }
      expect(onPodRoles('iam:PutRolePolicy')).toEqual([]);
      // The grants on role/eks-provisioner/* cover the pod path too: the Deny is what makes "only with the pod role boundary" hold there.
      expect(fence).toMatchObject({ Effect: 'Deny', Resource: podRoles, Condition: { StringNotEquals: { 'iam:PermissionsBoundary': podBoundary() } } });
      expect([...fence!.Action].sort()).toEqual(['iam:AttachRolePolicy', 'iam:CreateRole', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy']);
    });

    it('denies the execution role passing a Pod Identity role to any service or putting it in an instance profile (the steps pass it to EKS Pod Identity)', () => {
      const denies = executionRoleStatements().filter((st) => st.Effect === 'Deny' && JSON.stringify(st.Resource) === JSON.stringify(podRoles) && st.Condition === undefined);

      expect(denies.flatMap((st) => asArray<string>(st.Action)).sort()).toEqual(['iam:AddRoleToInstanceProfile', 'iam:PassRole']);
    });

    it('lets the execution role attach only the templates\' policies and the allowedNodePolicyArns guardrail\'s, never AdministratorAccess', () => {
      const [attach, ...more] = granting('iam:AttachRolePolicy');
      const allowed = resolveGuardrails({}).guardrails!.allowedNodePolicyArns!;

      expect(more).toEqual([]);
      const arns = attach!.Condition.ArnEquals['iam:PolicyARN'] as unknown[];
      expect(arns).toEqual(expect.arrayContaining(TEMPLATE_MANAGED_POLICIES.map((name) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::aws:policy/${name}` }))));
      expect(arns).toEqual(expect.arrayContaining(allowed.filter((arn) => !TEMPLATE_MANAGED_POLICIES.some((name) => arn.endsWith(`/${name}`)))));
      expect(JSON.stringify(arns)).not.toContain('AdministratorAccess');
    });

    it('denies the execution role removing a boundary, changing one to anything but the two boundaries, or editing either', () => {
      const denies = executionRoleStatements().filter((st) => st.Effect === 'Deny');

      expect(denies).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Action: expect.arrayContaining(['iam:DeleteRolePermissionsBoundary']), Resource: '*' }),
          expect.objectContaining({ Sid: 'NeverChangeABoundaryAway', Action: expect.arrayContaining(['iam:PutRolePermissionsBoundary']), Resource: '*', Condition: { StringNotEquals: { 'iam:PermissionsBoundary': [boundary(), podBoundary()] } } }),
          expect.objectContaining({ Action: expect.arrayContaining(['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicy']), Resource: [boundary(), podBoundary()] }),
        ]),
      );
      expect(denies.every((st) => st.Condition === undefined || !('StringEquals' in st.Condition))).toBe(true);
    });

    it('gives no role but the execution role a way to add permissions to a role or change a boundary', () => {
      const escalating = /^iam:(CreateRole|PutRolePolicy|AttachRolePolicy|PutRolePermissionsBoundary|DeleteRolePermissionsBoundary|\*)$/;
      const holders = ofType('AWS::IAM::Policy').filter(([, p]) => (p.Properties.PolicyDocument.Statement as Json[]).some((st) => st.Effect === 'Allow' && asArray<string>(st.Action).some((a) => escalating.test(a))));

      expect(holders.flatMap(([, p]) => asArray(p.Properties.Roles).map((r: Json) => r.Ref))).toEqual([logicalId(stack.clusterStackRole.role)]);
    });
  });

  it('conditions every iam:PassRole it allows on the service the role is passed to', () => {
    // A Deny (Pod Identity roles: to no service from a stack) needs no condition to be narrow.
    const passRoles = allStatements().filter((s) => s.Effect === 'Allow' && asArray(s.Action).includes('iam:PassRole'));
    expect(passRoles.length).toBeGreaterThan(0);
    for (const statement of passRoles) {
      expect(statement.Condition?.StringEquals?.['iam:PassedToService']).toBeDefined();
      expect(asArray(statement.Resource)).not.toContain('*');
    }
  });

  it('passes the CloudFormation execution role only to CloudFormation, from the steps that create, update (tags) or delete stacks (check-cluster-stack-deletion: the Auto Mode stack, after the cluster stack)', () => {
    const cfnRole = getAtt(stack.clusterStackRole.role);
    const passers = lambdaRoles().filter(([id]) => statementsOfRole(id).some((s) => asArray(s.Action).includes('iam:PassRole') && asArray(s.Resource).some((r) => JSON.stringify(r) === JSON.stringify(cfnRole))));
    expect(passers.map(([id]) => id).sort()).toEqual(
      (['create-cluster-stack', 'create-self-managed-nodegroup', 'roll-back', 'delete-compute', 'check-compute-deletion', 'delete-cluster-stack', 'check-cluster-stack-deletion', 'change-nodegroup', 'change-self-managed-nodegroup', 'change-fargate-profile', 'change-settings', 'change-pod-identity', 'upgrade-self-managed-nodegroup'] as const).map((m) => logicalId(stack.steps.function(m).role)).sort(),
    );
    for (const [id] of passers) {
      const statement = statementsOfRole(id).find((s) => asArray(s.Resource).some((r) => JSON.stringify(r) === JSON.stringify(cfnRole)))!;
      expect(statement.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } });
    }
  });

  it('lets CloudFormation and the steps that reach the Kubernetes API (map-identities, change-access, check-self-managed-nodegroup, check-nodes-ready, change- and upgrade-self-managed-nodegroup), nobody else, assume the CloudFormation execution role', () => {
    const trust = resources[logicalId(stack.clusterStackRole.role)]!.Properties.AssumeRolePolicyDocument.Statement as Json[];
    const principals = trust.flatMap((s) => {
      expect(s).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole' });
      return Object.entries(s.Principal as Json).flatMap(([kind, value]) => asArray(value).map((v) => ({ [kind]: v })));
    });
    expect(principals).toHaveLength(7);
    expect(principals).toEqual(
      // Check Self-managed Nodegroup writes aws-auth (CONFIG_MAP) as the creator, as Map Identities does.
      expect.arrayContaining([{ Service: 'cloudformation.amazonaws.com' }, { AWS: getAtt(stack.steps.function('map-identities').role) }, { AWS: getAtt(stack.steps.function('change-access').role) }, { AWS: getAtt(stack.steps.function('check-self-managed-nodegroup').role) }, { AWS: getAtt(stack.steps.function('check-nodes-ready').role) }, { AWS: getAtt(stack.steps.function('change-self-managed-nodegroup').role) }, { AWS: getAtt(stack.steps.function('upgrade-self-managed-nodegroup').role) }]),
    );
  });

  it("lets only the VPC sweepers (delete-controller-resources, roll-back) assume the Kubernetes groups role, which may delete security groups and nothing a stack or EKS made", () => {
    const role = stack.kubernetesGroupsRole.role;
    const trust = resources[logicalId(role)]!.Properties.AssumeRolePolicyDocument.Statement as Json[];
    const principals = trust.flatMap((s) => {
      expect(s).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole' });
      return Object.entries(s.Principal as Json).flatMap(([kind, value]) => asArray(value).map((v) => ({ [kind]: v })));
    });
    expect(principals).toEqual(expect.arrayContaining([{ AWS: getAtt(stack.steps.function('delete-controller-resources').role) }, { AWS: getAtt(stack.steps.function('roll-back').role) }]));
    expect(principals).toHaveLength(2);
    expect(statementsOfRole(logicalId(role))).toEqual([
      {
        Effect: 'Allow',
        Action: 'ec2:DeleteSecurityGroup',
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group/*' },
        Condition: { Null: { 'aws:ResourceTag/aws:cloudformation:stack-name': 'true', 'aws:ResourceTag/aws:eks:cluster-name': 'true' } },
      },
    ]);
    // Both sweepers know its ARN.
    for (const module of ['delete-controller-resources', 'roll-back'] as const) {
      const variables = resources[logicalId(stack.steps.function(module).function)]!.Properties.Environment.Variables as Json;
      expect(variables.KUBERNETES_GROUPS_ROLE_ARN).toEqual(getAtt(role));
    }
  });

  /**
   * What each port method calls in AWS. A step whose code starts calling something new fails
   * here until its IAM (infra/constructs/step-lambdas.ts) and this map say what that needs:
   * local mode runs without IAM, so this is where a missing permission shows before AWS does.
   */
  const PORT_ACTIONS: Record<string, string[]> = {
    'cloudFormation.createStack': ['cloudformation:CreateStack', 'iam:PassRole'],
    'cloudFormation.describeStack': ['cloudformation:DescribeStacks'],
    'cloudFormation.listStacks': ['cloudformation:ListStacks'],
    'cloudFormation.stackEvents': ['cloudformation:DescribeStackEvents'],
    'cloudFormation.deleteStack': ['cloudformation:DeleteStack', 'iam:PassRole'],
    'cloudFormation.setTerminationProtection': ['cloudformation:UpdateTerminationProtection'],
    'cloudFormation.updateStackTags': ['cloudformation:UpdateStack', 'iam:PassRole'],
    'cloudFormation.getTemplate': ['cloudformation:GetTemplate'],
    'ec2.describeSubnets': ['ec2:DescribeSubnets'],
    'ssm.getParameter': ['ssm:GetParameter'],
    'autoScaling.describeGroup': ['autoscaling:DescribeAutoScalingGroups'],
    'autoScaling.replaceInstance': ['autoscaling:TerminateInstanceInAutoScalingGroup'],
    'ec2.describeLaunchTemplate': ['ec2:DescribeLaunchTemplates'],
    'ec2.describeNetworkInterfaces': ['ec2:DescribeNetworkInterfaces'],
    'ec2.deleteNetworkInterface': ['ec2:DeleteNetworkInterface'],
    'ec2.describeSecurityGroups': ['ec2:DescribeSecurityGroups'],
    'ec2.deleteSecurityGroup': ['ec2:DeleteSecurityGroup'],
    // The call is the Kubernetes groups role's (its own test below); the step may only assume it.
    'kubernetesGroups.deleteOwnedSecurityGroup': ['sts:AssumeRole'],
    'ec2.describeSecurityGroupRules': ['ec2:DescribeSecurityGroupRules'],
    'ec2.revokeSecurityGroupRules': ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
    'elbv2.describeLoadBalancers': ['elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeTags'],
    'elbv2.describeTargetGroups': ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTags'],
    'elbv2.deleteLoadBalancer': ['elasticloadbalancing:DeleteLoadBalancer'],
    'elbv2.deleteTargetGroup': ['elasticloadbalancing:DeleteTargetGroup'],
    // Classic's actions have the same IAM names as ELBv2's.
    'elb.describeLoadBalancers': ['elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeTags'],
    'elb.deleteLoadBalancer': ['elasticloadbalancing:DeleteLoadBalancer'],
    'eks.describeCluster': ['eks:DescribeCluster'],
    'eks.createNodegroup': ['eks:CreateNodegroup', 'iam:PassRole'],
    'eks.describeNodegroup': ['eks:DescribeNodegroup'],
    'eks.listNodegroups': ['eks:ListNodegroups'],
    'eks.deleteNodegroup': ['eks:DeleteNodegroup'],
    'eks.createFargateProfile': ['eks:CreateFargateProfile', 'iam:PassRole'],
    'eks.describeFargateProfile': ['eks:DescribeFargateProfile'],
    'eks.listFargateProfiles': ['eks:ListFargateProfiles'],
    'eks.deleteFargateProfile': ['eks:DeleteFargateProfile'],
    'eks.createAddon': ['eks:CreateAddon'],
    'eks.describeAddon': ['eks:DescribeAddon'],
    'eks.defaultAddonVersion': ['eks:DescribeAddonVersions'],
    'eks.listAddons': ['eks:ListAddons'],
    'eks.deleteAddon': ['eks:DeleteAddon'],
    'eks.putAccessEntry': ['eks:CreateAccessEntry', 'eks:DescribeAccessEntry', 'eks:UpdateAccessEntry'],
    'eks.describeAccessEntry': ['eks:DescribeAccessEntry'],
    'eks.listAssociatedAccessPolicies': ['eks:ListAssociatedAccessPolicies'],
    'eks.deleteAccessEntry': ['eks:DeleteAccessEntry'],
    'eks.updateNodegroupConfig': ['eks:UpdateNodegroupConfig'],
    'eks.associateAccessPolicy': ['eks:AssociateAccessPolicy'],
    'eks.updateEndpointAccess': ['eks:UpdateClusterConfig'],
    'eks.updateClusterConfig': ['eks:UpdateClusterConfig'],
    'eks.associateEncryptionConfig': ['eks:AssociateEncryptionConfig'],
    'eks.tagResource': ['eks:TagResource'],
    'eks.untagResource': ['eks:UntagResource'],
    'eks.describeUpdate': ['eks:DescribeUpdate'],
    'eks.describeAddonUpdate': ['eks:DescribeUpdate'],
    'eks.describeUpdates': ['eks:ListUpdates', 'eks:DescribeUpdate'],
    'eks.clusterVersions': ['eks:DescribeClusterVersions'],
    'eks.updateClusterVersion': ['eks:UpdateClusterVersion'],
    'eks.updateNodegroupVersion': ['eks:UpdateNodegroupVersion'],
    'eks.updateAddon': ['eks:UpdateAddon'],
    'eks.startInsightsRefresh': ['eks:StartInsightsRefresh'],
    'eks.describeInsightsRefresh': ['eks:DescribeInsightsRefresh'],
    'eks.listInsights': ['eks:ListInsights'],
    'eks.describeInsight': ['eks:DescribeInsight'],
    'eks.addonVersions': ['eks:DescribeAddonVersions'],
    'eks.createPodIdentityAssociation': ['eks:CreatePodIdentityAssociation', 'iam:PassRole'],
    'eks.findPodIdentityAssociation': ['eks:ListPodIdentityAssociations'],
    'eks.describePodIdentityAssociation': ['eks:DescribePodIdentityAssociation'],
    'eks.deletePodIdentityAssociation': ['eks:DeletePodIdentityAssociation'],
    // The Kubernetes API is reached through the cluster's kube agent, with a token signed as the role in KUBERNETES_ACCESS_ROLE_ARN.
    'kubernetes.readAwsAuth': ['sts:AssumeRole', 'lambda:InvokeFunction'],
    // That role's ARN, known without a call (sts:GetCallerIdentity, without it, needs no permission).
    'kubernetes.principal': [],
    'kubernetes.writeAwsAuth': ['sts:AssumeRole', 'lambda:InvokeFunction'],
    'kubernetes.listNodes': ['sts:AssumeRole', 'lambda:InvokeFunction'],
    'kubernetes.cordonNodes': ['sts:AssumeRole', 'lambda:InvokeFunction'],
    'kubernetes.drainNodes': ['sts:AssumeRole', 'lambda:InvokeFunction'],
    'events.publish': ['events:PutEvents'],
    'workflows.start': ['states:StartExecution'],
    'workflows.describe': ['states:DescribeExecution'],
    'workflows.stop': ['states:StopExecution'],
    'registry.abandonCreate': ['dynamodb:DeleteItem'],
    'schedules.cancelExpiry': ['scheduler:DeleteSchedule'],
    'schedules.scheduleExpiry': ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'iam:PassRole'],
    'schedules.cancelUpgrade': ['scheduler:DeleteSchedule'],
    'schedules.scheduleUpgrade': ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'iam:PassRole'],
    'events.publishRejection': ['events:PutEvents'],
    'events.publishVersionSupportEnding': ['events:PutEvents'],
    // Notices sit in their cluster's partition: read with a query of the table, not an index.
    'registry.versionNoticesSent': ['dynamodb:Query'],
    'registry.releaseVersionNotice': ['dynamodb:DeleteItem'],
    'eks.listAccessEntries': ['eks:ListAccessEntries'],
    // Admins list every cluster: a scan of the table.
    'registry.listClusters': ['dynamodb:Query', 'dynamodb:Scan'],
    // Embedded metric format: a log line, no API call.
    'metrics.publish': [],
  };
  /** Registry methods read and write items of the one table; `get` ones only read an item; listing ones use the index. */
  const registryActions = (method: string) =>
    PORT_ACTIONS[`registry.${method}`] ?? (/^(list|find|query)/.test(method) ? ['dynamodb:Query'] : /^get[A-Z]/.test(method) ? ['dynamodb:GetItem'] : ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  const NO_AWS = new Set(['settings', 'clock']);

  /** `deps.<port>.<method>(` calls in the entry and the local modules it imports (not ports/ or deps.ts). */
  function portCalls(entry: string): Set<string> {
    const calls = new Set<string>();
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file) || !existsSync(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/\bdeps(?:\(\))?\.(\w+)\.(\w+)\(/g)) calls.add(`${m[1]}.${m[2]}`);
      for (const m of source.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const target = resolve(dirname(file), m[1]!);
        if (target.includes(`${join('functions', 'ports')}`) || target.endsWith(join('shared', 'deps')) || target.includes(join('functions', 'generated'))) continue;
        visit(`${target}.ts`);
      }
    };
    visit(entry);
    return calls;
  }

  function roleFor(entry: FunctionEntry) {
    if (entry.name === API_FUNCTION) return stack.api.handler.role;
    if (entry.name === EXECUTION_ENDED_FUNCTION) return stack.executionEnded.handler.role;
    if (entry.name === OPERATION_METRICS_FUNCTION) return stack.observability.metricsFunction.role;
    if (entry.name === RECONCILER_FUNCTION) return stack.reconciler.handler.role;
    if (entry.name === VERSION_SUPPORT_CHECK_FUNCTION) return stack.versionSupportCheck.handler.role;
    return stack.steps.function(entry.name as StepModule).role;
  }

  it.each(functionEntries().map((e) => [e.name, e] as const))('grants %s every AWS call its code makes', (_name, entry) => {
    const granted = new Set(statementsOfRole(logicalId(roleFor(entry))).flatMap((s) => asArray(s.Action as string | string[])));
    const calls = [...portCalls(entry.entry)].filter((call) => !NO_AWS.has(call.split('.')[0]!));
    for (const call of calls) {
      const [port, method] = call.split('.') as [string, string];
      const needed = port === 'registry' ? registryActions(method) : PORT_ACTIONS[call];
      expect({ call, known: needed !== undefined }).toEqual({ call, known: true });
      for (const action of needed ?? []) expect({ call, action, granted: granted.has(action) }).toEqual({ call, action, granted: true });
    }
  });
});

describe('delete-cluster’s functions', () => {
  const sub = (pattern: string) => ({ 'Fn::Sub': pattern });
  const CLUSTER_STACKS = sub('arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/eksp-*-cluster/*');
  const NODEGROUP_STACKS = sub('arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/eksp-*-nodegroup-*/*');
  const FARGATE_STACKS = sub('arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/eksp-*-fargate/*');
  const AUTO_MODE_STACKS = sub('arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/eksp-*-automode/*');
  const OIDC_STACKS = sub('arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/eksp-*-oidc/*');
  const POD_IDENTITY_STACKS = sub('arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/eksp-*-podidentity-*/*');
  const NODEGROUPS = sub('arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:nodegroup/*/*/*');
  const PROFILES = sub('arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:fargateprofile/*/*/*');
  const SCHEDULES = sub('arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/default/eksp-*-expiry');

  /** Action → the resources the module's role may do it on (registry, bus, X-Ray and PassRole left out). */
  function grants(module: StepModule): Record<string, unknown[]> {
    const byAction: Record<string, unknown[]> = {};
    for (const statement of statementsOfRole(logicalId(stack.steps.function(module).role))) {
      for (const action of asArray(statement.Action as string | string[])) {
        if (/^(dynamodb|events|xray|iam|logs):/.test(action)) continue;
        (byAction[action] ??= []).push(...asArray(statement.Resource));
      }
    }
    return byAction;
  }

  it('are the Tasks of the delete-cluster state machine', () => {
    expect(stack.workflow('delete-cluster').placeholders.map((p) => TASK_FUNCTIONS[p]).sort()).toEqual(
      ['check-cluster-stack-deletion', 'check-compute-deletion', 'delete-cluster-stack', 'delete-compute', 'delete-controller-resources', 'disable-deletion-protection', 'finalize-deletion', 'report-operation-failure'].sort(),
    );
  });

  it.each(['delete-compute', 'check-compute-deletion'] as const)('%s deletes nodegroups, Fargate profiles, nodegroup, Fargate and Pod Identity role stacks, never the cluster stack', (module) => {
    expect(grants(module)).toEqual({
      'eks:ListNodegroups': [expect.anything()],
      'eks:ListFargateProfiles': [expect.anything()],
      'eks:DescribeNodegroup': [NODEGROUPS],
      'eks:DeleteNodegroup': [NODEGROUPS],
      'eks:DescribeFargateProfile': [PROFILES],
      'eks:DeleteFargateProfile': [PROFILES],
      'cloudformation:DescribeStacks': [NODEGROUP_STACKS, FARGATE_STACKS, POD_IDENTITY_STACKS],
      'cloudformation:DescribeStackEvents': [NODEGROUP_STACKS, FARGATE_STACKS, POD_IDENTITY_STACKS],
      'cloudformation:DeleteStack': [NODEGROUP_STACKS, FARGATE_STACKS, POD_IDENTITY_STACKS],
      'cloudformation:UpdateTerminationProtection': [NODEGROUP_STACKS, FARGATE_STACKS, POD_IDENTITY_STACKS],
      // Finds nodegroup stacks a failed ADD_NODEGROUP left; ListStacks has no resource-level permissions.
      'cloudformation:ListStacks': ['*'],
    });
  });

  it('delete-controller-resources deletes only load balancers, target groups, security groups and interfaces carrying a controller’s tag, and reads only cluster stacks', () => {
    const ELBV2 = (resource: string) => sub(`arn:\${AWS::Partition}:elasticloadbalancing:\${AWS::Region}:\${AWS::AccountId}:${resource}`);
    const EC2 = (resource: string) => sub(`arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:${resource}`);
    expect(grants('delete-controller-resources')).toEqual({
      'cloudformation:DescribeStacks': [CLUSTER_STACKS],
      'elasticloadbalancing:DescribeLoadBalancers': ['*'],
      'elasticloadbalancing:DescribeTargetGroups': ['*'],
      'elasticloadbalancing:DescribeTags': ['*'],
      'ec2:DescribeSecurityGroups': ['*'],
      'ec2:DescribeSecurityGroupRules': ['*'],
      'ec2:DescribeNetworkInterfaces': ['*'],
      'ec2:RevokeSecurityGroupIngress': [EC2('security-group/*'), EC2('security-group/*'), EC2('security-group/*')],
      'ec2:RevokeSecurityGroupEgress': [EC2('security-group/*'), EC2('security-group/*'), EC2('security-group/*')],
      // Two grants each: the AWS Load Balancer Controller's tag, or the in-tree service controller's
      // (loadbalancer/* is Classic's loadbalancer/<name> too: the in-tree controller's Classic Load Balancers).
      'elasticloadbalancing:DeleteLoadBalancer': [ELBV2('loadbalancer/*'), ELBV2('loadbalancer/*')],
      'elasticloadbalancing:DeleteTargetGroup': [ELBV2('targetgroup/*/*'), ELBV2('targetgroup/*/*')],
      'ec2:DeleteSecurityGroup': [EC2('security-group/*')],
      'ec2:DeleteNetworkInterface': [EC2('network-interface/*')],
      // The in-tree controller's groups: through the Kubernetes groups role, one cluster per session.
      'sts:AssumeRole': [{ 'Fn::GetAtt': [logicalId(stack.kubernetesGroupsRole.role), 'Arn'] }],
    });
    const writes = statementsOfRole(logicalId(stack.steps.function('delete-controller-resources').role)).filter((s) => asArray(s.Action as string | string[]).some((a) => /:(Delete|Revoke)/.test(a)));
    expect(writes.map((s) => s.Condition)).toEqual([
      { Null: { 'aws:ResourceTag/aws:eks:cluster-name': 'false' } },
      { Null: { 'aws:ResourceTag/eks-provisioner:cluster': 'false' } },
      { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } },
      { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } },
      { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } },
      { Null: { 'aws:ResourceTag/kubernetes.io/service-name': 'false' } },
      { Null: { 'aws:ResourceTag/kubernetes.io/service-name': 'false' } },
      { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } },
      { Null: { 'aws:ResourceTag/cluster.k8s.amazonaws.com/name': 'false' } },
    ]);
  });

  it('delete-cluster-stack deletes only cluster stacks and the Auto Mode and OIDC stacks; check-cluster-stack-deletion only reads cluster stacks and deletes Auto Mode and OIDC stacks (after the cluster stack)', () => {
    expect(grants('delete-cluster-stack')).toEqual({
      'cloudformation:DescribeStacks': [CLUSTER_STACKS, AUTO_MODE_STACKS, OIDC_STACKS],
      'cloudformation:DescribeStackEvents': [CLUSTER_STACKS, AUTO_MODE_STACKS, OIDC_STACKS],
      'cloudformation:UpdateTerminationProtection': [CLUSTER_STACKS, AUTO_MODE_STACKS, OIDC_STACKS],
      'cloudformation:DeleteStack': [CLUSTER_STACKS, AUTO_MODE_STACKS, OIDC_STACKS],
    });
    expect(grants('check-cluster-stack-deletion')).toEqual({
      'cloudformation:DescribeStacks': [CLUSTER_STACKS, AUTO_MODE_STACKS, OIDC_STACKS],
      'cloudformation:DescribeStackEvents': [CLUSTER_STACKS, AUTO_MODE_STACKS, OIDC_STACKS],
      'cloudformation:UpdateTerminationProtection': [AUTO_MODE_STACKS, OIDC_STACKS],
      'cloudformation:DeleteStack': [AUTO_MODE_STACKS, OIDC_STACKS],
    });
  });

  it('change-settings creates and deletes only OIDC stacks, besides creating Auto Mode stacks', () => {
    const settings = grants('change-settings');

    expect(settings['cloudformation:CreateStack']).toEqual([AUTO_MODE_STACKS, OIDC_STACKS]);
    expect(settings['cloudformation:DeleteStack']).toEqual([OIDC_STACKS]);
    expect(settings['cloudformation:UpdateTerminationProtection']).toEqual([OIDC_STACKS]);
    expect(settings['cloudformation:UpdateStack']).toContainEqual(OIDC_STACKS);
  });

  it('finalize-deletion may delete only clusters’ expiry and upgrade schedules; report-operation-failure calls no AWS service but the registry and the bus', () => {
    expect(grants('finalize-deletion')).toEqual({ 'scheduler:DeleteSchedule': [SCHEDULES, { 'Fn::Sub': SCHEDULES['Fn::Sub'].replace('-expiry', '-upgrade') }] });
    expect(grants('report-operation-failure')).toEqual({});
  });
});

describe('Pod Identity', () => {
  const passRoleStatements = (module: StepModule) => statementsOfRole(logicalId(stack.steps.function(module).role)).filter((s) => asArray(s.Action as string | string[]).includes('iam:PassRole'));

  it.each(['create-pod-identity-associations', 'change-pod-identity'] as const)('%s passes roles only to EKS Pod Identity besides the CloudFormation role', (module) => {
    const toPods = passRoleStatements(module).filter((s) => JSON.stringify(s.Condition ?? {}).includes('pods.eks.amazonaws.com'));

    expect(toPods).toHaveLength(1);
    expect(toPods[0]!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'pods.eks.amazonaws.com' } });
  });

  it("lets the execution role manage IAM OIDC providers of EKS issuers only, and attach the allowedPodPolicyArns guardrail's policies", () => {
    const own = 'arn:aws:iam::111122223333:policy/payments-read';
    const configured = new ProvisionerStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'PodPolicies', { guardrails: { allowedPodPolicyArns: [own] } });
    const template = Template.fromStack(configured).toJSON() as { Resources: Record<string, Json> };
    const roleId = configured.getLogicalId(configured.clusterStackRole.role.node.defaultChild as CfnResource);
    const statements = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Policy' && asArray(r.Properties.Roles).some((ref: Json) => ref.Ref === roleId)).flatMap((r) => asArray(r.Properties.PolicyDocument.Statement));
    const oidc = statements.find((s) => asArray(s.Action).includes('iam:CreateOpenIDConnectProvider'));
    const attaches = statements.filter((s) => s.Effect === 'Allow' && asArray(s.Action).includes('iam:AttachRolePolicy'));
    const podBoundary = { Ref: configured.getLogicalId(configured.podRoleBoundary.policy.node.defaultChild as CfnResource) };
    const toPodRoles = attaches.filter((s) => JSON.stringify(s.Resource).includes(`role${POD_ROLE_PATH}*`));
    const elsewhere = attaches.filter((s) => !toPodRoles.includes(s));

    expect(JSON.stringify(oidc?.Resource)).toContain('oidc-provider/oidc.eks.*.amazonaws.com/id/*');
    // Pod Identity roles get exactly the guardrail's policies, and only with the pod role boundary; node roles never get them.
    expect(toPodRoles.map((s) => s.Condition)).toEqual([{ StringEquals: { 'iam:PermissionsBoundary': podBoundary }, ArnEquals: { 'iam:PolicyARN': [own] } }]);
    expect(elsewhere.length).toBeGreaterThan(0);
    expect(JSON.stringify(elsewhere)).not.toContain(own);
  });

  it('lets the execution role attach nothing to Pod Identity roles when the allowedPodPolicyArns guardrail lists nothing', () => {
    const attaches = statementsOfRole(logicalId(stack.clusterStackRole.role)).filter((s) => s.Effect === 'Allow' && asArray(s.Action).includes('iam:AttachRolePolicy'));

    expect(attaches.filter((s) => JSON.stringify(s.Resource).includes(`role${POD_ROLE_PATH}*`))).toEqual([]);
  });
});

describe('update-cluster’s functions', () => {
  const sub = (pattern: string) => ({ 'Fn::Sub': pattern });
  const stacks = (pattern: string) => sub(`arn:\${AWS::Partition}:cloudformation:\${AWS::Region}:\${AWS::AccountId}:stack/${pattern}/*`);

  /** Every CloudFormation action of the module's role → the stacks it may do it on. */
  function stackGrants(module: StepModule): Record<string, unknown[]> {
    const byAction: Record<string, unknown[]> = {};
    for (const statement of statementsOfRole(logicalId(stack.steps.function(module).role))) {
      for (const action of asArray(statement.Action as string | string[]).filter((a) => a.startsWith('cloudformation:'))) (byAction[action] ??= []).push(...asArray(statement.Resource));
    }
    return byAction;
  }

  it('are the Tasks of the update-cluster state machine', () => {
    expect(stack.workflow('update-cluster').placeholders.map((p) => TASK_FUNCTIONS[p]).sort()).toEqual(
      ['change-access', 'change-addon', 'change-endpoint-access', 'change-fargate-profile', 'change-nodegroup', 'change-self-managed-nodegroup', 'check-nodes-ready', 'change-pod-identity', 'change-settings', 'finalize-update', 'report-operation-failure'].sort(),
    );
  });

  it.each([
    ['change-nodegroup', 'eksp-*-nodegroup-*'],
    ['change-fargate-profile', 'eksp-*-fargate'],
  ] as const)('%s creates and deletes only its own stacks (%s) and only reads the cluster stack', (module, own) => {
    const grants = stackGrants(module);

    for (const action of ['cloudformation:CreateStack', 'cloudformation:DeleteStack', 'cloudformation:UpdateTerminationProtection']) expect({ action, on: grants[action] }).toEqual({ action, on: [stacks(own)] });
    expect(grants['cloudformation:DescribeStacks']).toEqual(expect.arrayContaining([stacks('eksp-*-cluster'), stacks(own)]));
    // An instance type change updates the stack holding the nodegroup's launch template: the cluster stack for a nodegroup made at provisioning.
    const updated = (module === 'change-nodegroup' ? [stacks('eksp-*-cluster'), stacks(own)] : [stacks(own)]).map((s) => JSON.stringify(s)).sort();
    const distinct = (action: string) => [...new Set((grants[action] ?? []).map((s) => JSON.stringify(s)))].sort();
    expect(distinct('cloudformation:DescribeStackEvents')).toEqual(updated);
    if (module === 'change-nodegroup') expect(distinct('cloudformation:UpdateStack')).toEqual(updated);
    else expect(grants['cloudformation:UpdateStack']).toBeUndefined();
  });

  it("gives Change Access no CloudFormation at all, and Change Endpoint Access only a read of the cluster stack (its NAT addresses)", () => {
    expect(stackGrants('change-access')).toEqual({});
    expect(stackGrants('change-endpoint-access')).toEqual({ 'cloudformation:DescribeStacks': [stacks('eksp-*-cluster')] });
  });
});

describe('the kube agents', () => {
  const sub = (pattern: string) => ({ 'Fn::Sub': pattern });
  const KUBE_AGENTS = sub('arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:eksp-kube-agent-*');
  const KUBE_AGENT_LOGS = sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/eksp-kube-agent-*');
  /** Every (action, resource) of a role on a service, e.g. lambda. */
  const grantsOn = (roleLogicalId: string, service: string) =>
    statementsOfRole(roleLogicalId)
      .filter((st) => st.Effect === 'Allow')
      .flatMap((st) => asArray(st.Action as string | string[]).filter((a) => a.startsWith(`${service}:`)).map((action) => ({ action, resources: asArray(st.Resource), conditions: st.Condition })));

  it('lets only the steps that reach the Kubernetes API invoke a function, and only the kube agents', () => {
    const invokers = stepModules().filter((module) => grantsOn(logicalId(stack.steps.function(module).role), 'lambda').length > 0);

    expect(invokers.sort()).toEqual(['change-access', 'change-self-managed-nodegroup', 'check-nodes-ready', 'check-self-managed-nodegroup', 'map-identities', 'upgrade-self-managed-nodegroup']);
    for (const module of invokers) expect(grantsOn(logicalId(stack.steps.function(module).role), 'lambda')).toEqual([{ action: 'lambda:InvokeFunction', resources: [KUBE_AGENTS], conditions: undefined }]);
  });

  it('lets CloudFormation make kube agents and their log groups and nothing else of Lambda or Logs', () => {
    const role = logicalId(stack.clusterStackRole.role);

    expect(new Set(grantsOn(role, 'lambda').flatMap((g) => g.resources))).toEqual(new Set([KUBE_AGENTS]));
    const logs = grantsOn(role, 'logs');
    expect(logs.filter((g) => g.action !== 'logs:DescribeLogGroups').flatMap((g) => g.resources).every((r) => JSON.stringify(r) === JSON.stringify(KUBE_AGENT_LOGS))).toBe(true);
    expect(logs.map((g) => g.action)).toContain('logs:DeleteLogGroup');
  });

  it("lets CloudFormation make self-managed nodegroups' Auto Scaling groups and instance profiles, scoped to the nodegroup stacks' names and the service's path, and pass node roles only to EC2", () => {
    const role = logicalId(stack.clusterStackRole.role);
    const statements = statementsOfRole(role);
    const resourcesOf = (action: string) => statements.filter((st) => st.Effect === 'Allow' && asArray(st.Action as string | string[]).includes(action)).flatMap((st) => asArray(st.Resource));

    expect(resourcesOf('autoscaling:CreateAutoScalingGroup')).toEqual([sub('arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/eksp-*-nodegroup-*')]);
    expect(resourcesOf('autoscaling:DeleteAutoScalingGroup')).toEqual(resourcesOf('autoscaling:CreateAutoScalingGroup'));
    expect(resourcesOf('iam:CreateInstanceProfile')).toEqual([sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:instance-profile/eks-provisioner/*')]);
    expect(resourcesOf('iam:AddRoleToInstanceProfile')).toEqual(resourcesOf('iam:CreateInstanceProfile'));
    const toEc2 = statements.filter((st) => st.Effect === 'Allow' && asArray(st.Action as string | string[]).includes('iam:PassRole') && JSON.stringify(st.Condition ?? {}).includes('ec2.amazonaws.com'));
    expect(toEc2.map((st) => st.Condition)).toEqual([{ StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } }]);
    expect(toEc2.flatMap((st) => asArray(st.Resource))).toEqual([sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/eks-provisioner/*')]);
  });

  it("passes roles to Lambda only from the service's path, and reads one code object, not the assets bucket", () => {
    const role = logicalId(stack.clusterStackRole.role);
    const passes = statementsOfRole(role).filter((st) => st.Effect === 'Allow' && asArray(st.Action as string | string[]).includes('iam:PassRole'));
    const toLambda = passes.filter((st) => JSON.stringify(st.Condition).includes('lambda.amazonaws.com'));
    const reads = grantsOn(role, 's3');

    expect(toLambda).toHaveLength(1);
    expect(JSON.stringify(toLambda[0]!.Resource)).toContain(`role${ROLE_PATH}*`);
    expect(reads.map((g) => g.action)).toEqual(['s3:GetObject']);
    expect(JSON.stringify(reads[0]!.resources)).not.toContain('/*');
  });

  it('hands the code location to the functions that render cluster templates', () => {
    for (const fn of [stack.api.handler.function, stack.steps.function('create-cluster-stack').function]) {
      const variables = (resources[logicalId(fn)]?.Properties as Json).Environment.Variables;
      expect(Object.keys(variables)).toEqual(expect.arrayContaining(['KUBE_AGENT_CODE_BUCKET', 'KUBE_AGENT_CODE_KEY']));
    }
  });
});

describe('cdk-nag', () => {
  it('AwsSolutions finds no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const findings = report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.description} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });

  it('CDK itself reports no error or warning while synthesizing the stack', () => {
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('acknowledges each finding with a reason, never a rule as a whole for IAM wildcards', () => {
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').map((m) => ({ path: c.node.path, rules: m.data as Record<string, string> })));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { path, rules } of acknowledged) {
      for (const [id, reason] of Object.entries(rules)) {
        expect({ path, id, reason: reason.length > 40 }).toEqual({ path, id, reason: true });
        expect({ path, id }).not.toEqual({ path, id: expect.stringMatching(/AwsSolutions-IAM5$/) });
      }
    }
  });
});

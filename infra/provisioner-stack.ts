/**
 * The whole service in one stack: REST API → registry + provision state machine → step Lambdas
 * → CloudFormation (with its own execution role) / EKS, status events on the service bus.
 */
import { ArnFormat, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { resolveGuardrails, type Guardrails } from '../functions/domain/guardrails';
import { eventSourcesFrom } from '../functions/domain/operation-request';
import { STATE_MACHINES, TASK_FUNCTIONS, type StateMachineName } from '../statemachines/task-functions';
import { ProvisionerApi } from './constructs/api';
import { ClusterStackRole } from './constructs/cluster-stack-role';
import { KubernetesGroupsRole } from './constructs/kubernetes-groups-role';
import { KubeAgentCode } from './constructs/kube-agent-code';
import { StatusEventBus } from './constructs/event-bus';
import { PodRolePermissionsBoundary, RolePermissionsBoundary } from './constructs/permissions-boundary';
import { ExecutionEnded } from './constructs/execution-ended';
import { Reconciler } from './constructs/reconciler';
import { VersionSupportCheck } from './constructs/version-support-check';
import { ServiceSchedules } from './constructs/schedules';
import { Observability } from './constructs/observability';
import { RegistryTable } from './constructs/registry-table';
import { StepLambdas, pascalCase } from './constructs/step-lambdas';
import { Workflow } from './constructs/workflow';

export const SERVICE_NAME = 'eks-provisioner';

export interface ProvisionerStackProps extends StackProps {
  /**
   * Limits every cluster spec must respect (schemas/config/guardrails.schema.json, docs/guardrails.md),
   * checked at synth and handed to the functions as GUARDRAILS. Default: Kubernetes 1.31-1.33, nothing else restricted.
   */
  guardrails?: Guardrails;
  /** Principals allowed to act on every cluster, not only their own (ADMIN_PRINCIPAL_ARNS). */
  adminPrincipalArns?: string[];
  /**
   * Event sources that may request operations on the bus ("EKS Cluster Operation Requested"),
   * each acting as the IAM principal it maps to (EVENT_SOURCES; docs/events.md). Default none.
   */
  eventSources?: Record<string, string>;
  /** See ProvisionerApiProps.manageAccountLoggingRole. Default true. */
  manageApiGatewayAccountLoggingRole?: boolean;
}

export class ProvisionerStack extends Stack {
  readonly bus: StatusEventBus;
  readonly permissionsBoundary: RolePermissionsBoundary;
  readonly podRoleBoundary: PodRolePermissionsBoundary;
  readonly registry: RegistryTable;
  readonly steps: StepLambdas;
  readonly clusterStackRole: ClusterStackRole;
  readonly kubernetesGroupsRole: KubernetesGroupsRole;
  readonly kubeAgentCode: KubeAgentCode;
  readonly workflows: ReadonlyMap<StateMachineName, Workflow>;
  readonly api: ProvisionerApi;
  readonly schedules: ServiceSchedules;
  readonly executionEnded: ExecutionEnded;
  readonly observability: Observability;
  readonly reconciler: Reconciler;
  readonly versionSupportCheck: VersionSupportCheck;

  constructor(scope: Construct, id: string, props: ProvisionerStackProps = {}) {
    super(scope, id, props);
    // The functions' own check, run at synth: a bad value fails `cdk synth`, not every cold start.
    const guardrails = resolveGuardrails(props.guardrails ?? {});
    if (guardrails.problems) throw new Error(`invalid guardrails: ${guardrails.problems.map((p) => `guardrails ${p.pointer ? `${p.pointer} ` : ''}${p.message}`).join('; ')}`);
    const eventSources = props.eventSources && eventSourcesOrThrow(props.eventSources);

    this.bus = new StatusEventBus(this, 'StatusEvents');
    if (eventSources) this.bus.restrictRequestSources(eventSources);
    this.registry = new RegistryTable(this, 'Registry');
    this.permissionsBoundary = new RolePermissionsBoundary(this, 'RoleBoundary');
    this.podRoleBoundary = new PodRolePermissionsBoundary(this, 'PodRoleBoundary');
    this.kubeAgentCode = new KubeAgentCode(this, 'KubeAgentCode');

    // What functions/shared/config.ts reads; per-function extras are added where they are known.
    const environment: Record<string, string> = {
      EVENT_BUS_NAME: this.bus.bus.eventBusName,
      TABLE_NAME: this.registry.table.tableName,
      SERVICE_NAME,
      GUARDRAILS: JSON.stringify(guardrails.guardrails),
      PERMISSIONS_BOUNDARY_ARN: this.permissionsBoundary.arn,
      POD_ROLE_BOUNDARY_ARN: this.podRoleBoundary.arn,
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
      // The dry run and Create Cluster Stack render it into every cluster template.
      ...this.kubeAgentCode.environment,
    };

    this.steps = new StepLambdas(this, 'Steps', { environment, bus: this.bus, table: this.registry.table });
    this.clusterStackRole = new ClusterStackRole(this, 'ClusterStackRole', {
      kubernetesAdmins: this.steps.rolesThatAssumeClusterStackRole(),
      permissionsBoundaryArn: this.permissionsBoundary.arn,
      podRoleBoundaryArn: this.podRoleBoundary.arn,
      allowedNodePolicyArns: guardrails.guardrails.allowedNodePolicyArns ?? [],
      allowedPodPolicyArns: guardrails.guardrails.allowedPodPolicyArns ?? [],
      kubeAgentCode: this.kubeAgentCode,
    });
    this.steps.useClusterStackRole(this.clusterStackRole.role);
    this.kubernetesGroupsRole = new KubernetesGroupsRole(this, 'KubernetesGroupsRole', { sweepers: this.steps.rolesThatSweepKubernetesGroups() });
    this.steps.useKubernetesGroupsRole(this.kubernetesGroupsRole.role);

    // One Standard state machine per ASL file, its Tasks bound to the step functions.
    const workflows = new Map<StateMachineName, Workflow>();
    for (const name of Object.keys(STATE_MACHINES) as StateMachineName[]) {
      workflows.set(
        name,
        new Workflow(this, pascalCase(name), { name, functionFor: (placeholder) => this.steps.function(TASK_FUNCTIONS[placeholder]).function }),
      );
    }
    this.workflows = workflows;
    const provision = this.workflow('provision-cluster');

    // The API function has a fixed name so the schedules can target it by ARN: a reference
    // would make a cycle (API → state machines → Collect Outputs → API).
    const apiFunctionName = `${this.stackName}-api`;
    this.schedules = new ServiceSchedules(this, 'Schedules', { targetFunctionArn: this.formatArn({ service: 'lambda', resource: 'function', resourceName: apiFunctionName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }) });
    this.steps.useSchedules(this.schedules);

    const admins = props.adminPrincipalArns ?? [];
    this.api = new ProvisionerApi(this, 'Api', {
      environment: admins.length > 0 ? { ...environment, ADMIN_PRINCIPAL_ARNS: admins.join(',') } : environment,
      bus: this.bus,
      table: this.registry.table,
      stateMachines: { provision: provision.stateMachine, delete: this.workflow('delete-cluster').stateMachine, update: this.workflow('update-cluster').stateMachine, upgrade: this.workflow('upgrade-cluster').stateMachine },
      functionName: apiFunctionName,
      eventSources,
      manageAccountLoggingRole: props.manageApiGatewayAccountLoggingRole,
    });

    // An expiry that finds its cluster busy is postponed by the API function (operation-requests.ts).
    this.schedules.configure(this.api.handler, { use: 'create', kinds: ['expiry'] });

    this.executionEnded = new ExecutionEnded(this, 'ExecutionEnded', { environment, clusterStackRole: this.clusterStackRole.role, bus: this.bus, table: this.registry.table, stateMachines: [...workflows.values()].map((w) => w.stateMachine) });
    this.reconciler = new Reconciler(this, 'Reconciler', { environment, bus: this.bus, table: this.registry.table, stateMachines: [...workflows.values()].map((w) => w.stateMachine) });
    this.versionSupportCheck = new VersionSupportCheck(this, 'VersionSupportCheck', { environment, bus: this.bus, table: this.registry.table });
    // The daily check schedules each unattended upgrade for its cluster's maintenance window.
    this.schedules.configure(this.versionSupportCheck.handler, { use: 'create', kinds: ['upgrade'] });

    this.observability = new Observability(this, 'Observability', {
      environment,
      bus: this.bus.bus,
      table: this.registry.table,
      serviceName: SERVICE_NAME,
      workflows: [...workflows.values()],
      api: this.api.api,
      deadLetterQueues: [this.executionEnded.deadLetters],
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url, description: 'REST API base URL (SigV4, service execute-api)' });
    new CfnOutput(this, 'EventBusName', { value: this.bus.bus.eventBusName });
    new CfnOutput(this, 'ProvisionStateMachineArn', { value: provision.stateMachine.stateMachineArn });
    new CfnOutput(this, 'DeleteStateMachineArn', { value: this.workflow('delete-cluster').stateMachine.stateMachineArn });
    new CfnOutput(this, 'UpdateStateMachineArn', { value: this.workflow('update-cluster').stateMachine.stateMachineArn });
    new CfnOutput(this, 'UpgradeStateMachineArn', { value: this.workflow('upgrade-cluster').stateMachine.stateMachineArn });
    new CfnOutput(this, 'RegistryTableName', { value: this.registry.table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.alarmTopic.topicArn, description: 'Subscribe to get the alarms (failed executions, dead letters, API 5xx, operations settled by the reconciler)' });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName });
    new CfnOutput(this, 'ClusterStackRoleArn', { value: this.clusterStackRole.role.roleArn, description: 'CloudFormation execution role of eksp-*-cluster stacks' });
  }

  workflow(name: StateMachineName): Workflow {
    const workflow = this.workflows.get(name);
    if (!workflow) throw new Error(`no state machine ${name}`);
    return workflow;
  }
}

/** The functions' own check, at synth. */
function eventSourcesOrThrow(sources: unknown): Record<string, string> {
  try {
    return eventSourcesFrom(sources);
  } catch (error) {
    throw new Error(`invalid eventSources: ${(error as Error).message}`, { cause: error });
  }
}

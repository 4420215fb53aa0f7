/**
 * The whole service in one stack: REST API → registry + provision state machine → step Lambdas
 * → CloudFormation (with its own execution role) / EKS, status events on the service bus.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { STATE_MACHINES, TASK_FUNCTIONS, type StateMachineName } from '../statemachines/task-functions';
import { ProvisionerApi } from './constructs/api';
import { ClusterStackRole } from './constructs/cluster-stack-role';
import { StatusEventBus } from './constructs/event-bus';
import { RegistryTable } from './constructs/registry-table';
import { StepLambdas, pascalCase } from './constructs/step-lambdas';
import { Workflow } from './constructs/workflow';

export const SERVICE_NAME = 'eks-provisioner';

export interface Guardrails {
  /** Kubernetes minors a spec may ask for (ALLOWED_KUBERNETES_VERSIONS). */
  allowedKubernetesVersions: string[];
  /** Used when a spec names none; must be in the allowed list (DEFAULT_KUBERNETES_VERSION). */
  defaultKubernetesVersion: string;
}

export const DEFAULT_GUARDRAILS: Guardrails = { allowedKubernetesVersions: ['1.31', '1.32', '1.33'], defaultKubernetesVersion: '1.33' };

export interface ProvisionerStackProps extends StackProps {
  guardrails?: Guardrails;
  /** Principals allowed to act on every cluster, not only their own (ADMIN_PRINCIPAL_ARNS). */
  adminPrincipalArns?: string[];
  /** See ProvisionerApiProps.manageAccountLoggingRole. Default true. */
  manageApiGatewayAccountLoggingRole?: boolean;
}

export class ProvisionerStack extends Stack {
  readonly bus: StatusEventBus;
  readonly registry: RegistryTable;
  readonly steps: StepLambdas;
  readonly clusterStackRole: ClusterStackRole;
  readonly workflows: ReadonlyMap<StateMachineName, Workflow>;
  readonly api: ProvisionerApi;

  constructor(scope: Construct, id: string, props: ProvisionerStackProps = {}) {
    super(scope, id, props);
    const guardrails = props.guardrails ?? DEFAULT_GUARDRAILS;
    if (!guardrails.allowedKubernetesVersions.includes(guardrails.defaultKubernetesVersion)) {
      throw new Error(`defaultKubernetesVersion ${guardrails.defaultKubernetesVersion} is not in allowedKubernetesVersions (${guardrails.allowedKubernetesVersions.join(', ')})`);
    }

    this.bus = new StatusEventBus(this, 'StatusEvents');
    this.registry = new RegistryTable(this, 'Registry');

    // What functions/shared/config.ts reads; per-function extras are added where they are known.
    const environment: Record<string, string> = {
      EVENT_BUS_NAME: this.bus.bus.eventBusName,
      TABLE_NAME: this.registry.table.tableName,
      SERVICE_NAME,
      ALLOWED_KUBERNETES_VERSIONS: guardrails.allowedKubernetesVersions.join(','),
      DEFAULT_KUBERNETES_VERSION: guardrails.defaultKubernetesVersion,
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
    };

    this.steps = new StepLambdas(this, 'Steps', { environment, bus: this.bus.bus, table: this.registry.table });
    this.clusterStackRole = new ClusterStackRole(this, 'ClusterStackRole', { kubernetesAdmins: this.steps.rolesThatAssumeClusterStackRole() });
    this.steps.useClusterStackRole(this.clusterStackRole.role);

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

    const admins = props.adminPrincipalArns ?? [];
    this.api = new ProvisionerApi(this, 'Api', {
      environment: admins.length > 0 ? { ...environment, ADMIN_PRINCIPAL_ARNS: admins.join(',') } : environment,
      bus: this.bus.bus,
      table: this.registry.table,
      provisionStateMachine: provision.stateMachine,
      manageAccountLoggingRole: props.manageApiGatewayAccountLoggingRole,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url, description: 'REST API base URL (SigV4, service execute-api)' });
    new CfnOutput(this, 'EventBusName', { value: this.bus.bus.eventBusName });
    new CfnOutput(this, 'ProvisionStateMachineArn', { value: provision.stateMachine.stateMachineArn });
    new CfnOutput(this, 'RegistryTableName', { value: this.registry.table.tableName });
    new CfnOutput(this, 'ClusterStackRoleArn', { value: this.clusterStackRole.role.roleArn, description: 'CloudFormation execution role of eksp-*-cluster stacks' });
  }

  workflow(name: StateMachineName): Workflow {
    const workflow = this.workflows.get(name);
    if (!workflow) throw new Error(`no state machine ${name}`);
    return workflow;
  }
}

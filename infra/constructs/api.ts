/**
 * The REST API (docs/api.md): API Gateway with AWS_IAM (SigV4) on every method, proxying to one
 * thin Lambda that routes, authorises the owner and validates bodies against the schemas.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
  type IResource,
  type MethodOptions,
  type RequestValidator,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { apiEntry } from '../bundling';
import type { StatusEventBus } from './event-bus';
import { ServiceFunction } from './service-function';
import { grantRegistry, UPGRADE_PLAN_READS } from './step-lambdas';
import { EXECUTIONS_REASON, executionsOf } from './reconciler';
import { BY_CLUSTER_INDEX } from './registry-table';
import { ANY_RESOURCE, patterns } from './iam';
import { CLUSTER_VERSIONS_REASON } from './version-support-check';
import { OPERATION_REQUESTED_DETAIL_TYPE, OPERATION_REQUESTS_RULE, operationRequestPattern } from '../../functions/domain/operation-request';

const READS_LIVE_CLUSTERS = 'Any cluster the caller owns may be read; ownership is checked by the function against the registry, and cluster names come from requests.';

export interface ProvisionerApiProps {
  environment: Record<string, string>;
  bus: StatusEventBus;
  table: ITable;
  /** The state machines the API starts: provision-cluster, delete-cluster, update-cluster, upgrade-cluster. */
  stateMachines: { provision: StateMachine; delete: StateMachine; update: StateMachine; upgrade: StateMachine };
  /** The API function's fixed name (its ARN is the expiry schedules' target). */
  functionName: string;
  /** Event sources allowed to request operations on the bus → the principal each acts as (EVENT_SOURCES). */
  eventSources?: Record<string, string>;
  /**
   * Create the account-level API Gateway CloudWatch Logs role (AWS::ApiGateway::Account). API
   * Gateway can write access and execution logs only once the account has one; turn this off
   * when the account already manages it elsewhere.
   */
  manageAccountLoggingRole?: boolean;
}

export class ProvisionerApi extends Construct {
  readonly api: RestApi;
  readonly handler: ServiceFunction;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: ProvisionerApiProps) {
    super(scope, id);

    const { provision, delete: deletion, update, upgrade } = props.stateMachines;
    const eventSources = props.eventSources ?? {};
    this.handler = new ServiceFunction(this, 'Handler', {
      entry: apiEntry(),
      functionName: props.functionName,
      description: 'eks-provisioner API: REST routes and operation-request events; validation, ownership, registry lock, StartExecution',
      // API Gateway's integration timeout is 29 s; a longer Lambda timeout would only hide it.
      timeout: Duration.seconds(29),
      // User-facing latency: more memory is more CPU for the cold start (schema validators, SDK).
      memorySize: 512,
      environment: {
        ...props.environment,
        PROVISION_STATE_MACHINE_ARN: provision.stateMachineArn,
        DELETE_STATE_MACHINE_ARN: deletion.stateMachineArn,
        UPDATE_STATE_MACHINE_ARN: update.stateMachineArn,
        UPGRADE_STATE_MACHINE_ARN: upgrade.stateMachineArn,
        ...(Object.keys(eventSources).length > 0 ? { EVENT_SOURCES: JSON.stringify(eventSources) } : {}),
      },
    });
    props.bus.grantPublish(this.handler.role);
    // DeleteItem: abandonCreate releases the lock when StartExecution fails; the index lists
    // a cluster's operations and an owner's clusters; Scan lists every cluster for an admin.
    grantRegistry(this.handler, props.table, { actions: ['dynamodb:DeleteItem', 'dynamodb:Scan'], index: BY_CLUSTER_INDEX });
    for (const machine of [provision, deletion, update, upgrade]) machine.grantStartExecution(this.handler.role);
    // POST /operations/{id}/abort (admins): stops the operation's execution.
    this.handler.allow({ actions: ['states:StopExecution'], resources: executionsOf(this, [provision, deletion, update, upgrade]), wildcardReason: EXECUTIONS_REASON });
    // GET /clusters/{name} and /kubeconfig show the live cluster: read-only EKS calls.
    this.handler.allow({ actions: ['eks:DescribeCluster', 'eks:ListNodegroups', 'eks:ListFargateProfiles', 'eks:ListAccessEntries'], resources: [patterns.clusters], wildcardReason: READS_LIVE_CLUSTERS });
    this.handler.allow({ actions: ['eks:DescribeNodegroup'], resources: [patterns.nodegroups], wildcardReason: READS_LIVE_CLUSTERS });
    this.handler.allow({ actions: ['eks:DescribeFargateProfile'], resources: [patterns.fargateProfiles], wildcardReason: READS_LIVE_CLUSTERS });
    // GET /clusters/{name} shows how long an ACTIVE cluster's Kubernetes version is supported.
    this.handler.allow({ actions: ['eks:DescribeClusterVersions'], resources: [ANY_RESOURCE], wildcardReason: CLUSTER_VERSIONS_REASON });
    // POST /clusters/{name}/upgrade?dryRun=true plans from what the Preflight step reads (no insights refresh: read-only).
    for (const permission of UPGRADE_PLAN_READS) this.handler.allow(permission);

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    const manageAccount = props.manageAccountLoggingRole ?? true;
    this.api = new RestApi(this, 'Api', {
      restApiName: 'eks-provisioner',
      description: 'eks-provisioner: EKS clusters on request (IAM-authenticated)',
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: manageAccount,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        metricsEnabled: true,
        // Errors only, and never request/response bodies: they carry cluster specs.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        throttlingRateLimit: 25,
        throttlingBurstLimit: 50,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        // Includes the SigV4 caller (user ARN): who asked for what is the audit trail.
        accessLogFormat: AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
      },
    });

    // Errors API Gateway answers itself (IAM denial, throttling, bad parameters) in the same
    // application/problem+json shape as the handler's.
    for (const type of [ResponseType.DEFAULT_4XX, ResponseType.DEFAULT_5XX]) {
      this.api.addGatewayResponse(type === ResponseType.DEFAULT_4XX ? 'Problem4xx' : 'Problem5xx', {
        type,
        responseHeaders: { 'Content-Type': "'application/problem+json'" },
        templates: {
          'application/json': '{"type":"about:blank","title":$context.error.messageString,"detail":"$context.error.responseType","requestId":"$context.requestId"}',
        },
      });
    }

    // Parameters are checked here; bodies are validated by the handler against the JSON Schemas
    // (draft 2020-12, beyond API Gateway models), so a 400/422 can name each offending field.
    const validator = this.api.addRequestValidator('Validator', { validateRequestParameters: true, validateRequestBody: true });
    const integration = new LambdaIntegration(this.handler.function, { proxy: true, allowTestInvoke: false });
    const method = (resource: IResource, httpMethod: string, parameters: Record<string, boolean> = {}) =>
      resource.addMethod(httpMethod, integration, methodOptions(validator, parameters));

    const clusters = this.api.root.addResource('clusters');
    method(clusters, 'GET');
    method(clusters, 'POST', { 'method.request.querystring.dryRun': false, 'method.request.header.Idempotency-Key': false });
    const cluster = clusters.addResource('{name}');
    method(cluster, 'GET', { 'method.request.path.name': true });
    method(cluster, 'DELETE', { 'method.request.path.name': true });
    // endpoint-access, nodegroups, fargate-profiles, access-entries, kubeconfig: routed in the handler.
    method(cluster.addResource('{proxy+}'), 'ANY', { 'method.request.path.name': true, 'method.request.path.proxy': true });
    method(this.api.root.addResource('openapi.json'), 'GET');
    const operations = this.api.root.addResource('operations');
    method(operations, 'GET', { 'method.request.querystring.cluster': false });
    const operation = operations.addResource('{id}');
    method(operation, 'GET', { 'method.request.path.id': true });
    method(operation.addResource('abort'), 'POST', { 'method.request.path.id': true });

    // Operations requested on the bus by the allowed sources run through the same function.
    if (Object.keys(eventSources).length > 0) {
      new Rule(this, 'OperationRequests', {
        ruleName: OPERATION_REQUESTS_RULE,
        eventBus: props.bus.bus,
        description: 'eks-provisioner: "EKS Cluster Operation Requested" from the allowed sources (EVENT_SOURCES) to the API function',
        eventPattern: { source: operationRequestPattern(Object.keys(eventSources)).source, detailType: [OPERATION_REQUESTED_DETAIL_TYPE] },
        targets: [new LambdaFunction(this.handler.function, { retryAttempts: 4 })],
      });
    }

    const stage = this.api.deploymentStage;
    Validations.of(stage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'No WAF web ACL: every method requires SigV4 (AWS_IAM), so unauthenticated traffic is rejected before integration, and the stage is throttled. Attach an account-standard web ACL at deploy time if policy requires one.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'Callers are AWS principals (portals, pipelines, engineers) authenticated with SigV4 (AuthorizationType AWS_IAM), not Cognito user pool users (docs/api.md).',
    });
    if (manageAccount) {
      const cloudWatchRole = this.api.node.findChild('CloudWatchRole');
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'The account-wide API Gateway logging role must write to the log groups of every API in the account; AmazonAPIGatewayPushToCloudWatchLogs is the AWS-maintained policy documented for exactly this role.',
      });
    }
  }
}

function methodOptions(requestValidator: RequestValidator, requestParameters: Record<string, boolean>): MethodOptions {
  return { authorizationType: AuthorizationType.IAM, requestValidator, requestParameters };
}


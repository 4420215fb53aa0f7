/**
 * The ports a step may use, built once per container from the SDK clients. Tests and the local
 * runtime can install other implementations (fakes) with `useDeps`; the handlers do not change.
 */
import { SdkCloudFormation, type CloudFormationPort } from '../ports/cloudformation';
import { SdkEc2, type Ec2Port } from '../ports/ec2';
import { SdkEks, type EksPort } from '../ports/eks';
import { HttpKubernetes, type KubernetesPort } from '../ports/kubernetes';
import { kubernetesCredentials, kubernetesToken } from '../ports/kubernetes-token';
import { DynamoRegistry, type RegistryPort } from '../ports/registry';
import { EventBridgeStatusEvents, type StatusEventsPort } from '../ports/status-events';
import { SdkWorkflows, type WorkflowsPort } from '../ports/workflows';
import { clients } from './clients';
import { config, type Guardrails } from './config';

export interface Deps {
  cloudFormation: CloudFormationPort;
  eks: EksPort;
  ec2: Ec2Port;
  events: StatusEventsPort;
  registry: RegistryPort;
  kubernetes: KubernetesPort;
  workflows: WorkflowsPort;
  clock: () => Date;
  settings: Settings;
}

/** Configuration a step reads, resolved lazily so each function only requires its own variables. */
export interface Settings {
  guardrails: () => Guardrails;
  cloudFormationRoleArn: () => string | undefined;
  provisionStateMachineArn: () => string;
  region: () => string;
  adminPrincipalArns: () => string[];
}

function sdkDeps(): Deps {
  const credentials = kubernetesCredentials(clients.sts, process.env.KUBERNETES_ACCESS_ROLE_ARN || undefined);
  return {
    cloudFormation: new SdkCloudFormation(clients.cloudFormation),
    eks: new SdkEks(clients.eks),
    ec2: new SdkEc2(clients.ec2),
    events: new EventBridgeStatusEvents(clients.eventBridge, config.eventBusName),
    registry: new DynamoRegistry(clients.dynamo, config.tableName),
    kubernetes: new HttpKubernetes((cluster) => kubernetesToken(cluster, config.region(), credentials)),
    workflows: new SdkWorkflows(clients.sfn),
    clock: () => new Date(),
    settings: {
      guardrails: config.guardrails,
      cloudFormationRoleArn: config.cloudFormationRoleArn,
      provisionStateMachineArn: config.provisionStateMachineArn,
      region: config.region,
      adminPrincipalArns: config.adminPrincipalArns,
    },
  };
}

let current: Deps | undefined;

export function deps(): Deps {
  return (current ??= sdkDeps());
}

/** Installs other ports (fakes in tests); returns a function restoring the previous ones. */
export function useDeps(replacement: Deps): () => void {
  const previous = current;
  current = replacement;
  return () => {
    current = previous;
  };
}

/**
 * The one map from ASL placeholders to the handlers that serve them. CDK fills `${<Placeholder>}`
 * with each function's ARN (definitionSubstitutions); the local runtime binds the same Task
 * states to the same handler modules. Keys are placeholder names, values are modules under
 * functions/steps/ (each exports `handler`).
 */
export const TASK_FUNCTIONS = {
  PlanFunctionArn: 'plan',
  CreateClusterStackFunctionArn: 'create-cluster-stack',
  CheckClusterStackFunctionArn: 'check-cluster-stack',
  CreateNodegroupFunctionArn: 'create-nodegroup',
  CheckNodegroupFunctionArn: 'check-nodegroup',
  CreateSelfManagedNodegroupFunctionArn: 'create-self-managed-nodegroup',
  CheckSelfManagedNodegroupFunctionArn: 'check-self-managed-nodegroup',
  CreateFargateProfileFunctionArn: 'create-fargate-profile',
  CheckFargateProfileFunctionArn: 'check-fargate-profile',
  CreateAddonFunctionArn: 'create-addon',
  CheckAddonFunctionArn: 'check-addon',
  MapIdentitiesFunctionArn: 'map-identities',
  CreatePodIdentityAssociationsFunctionArn: 'create-pod-identity-associations',
  CheckNodesReadyFunctionArn: 'check-nodes-ready',
  CollectOutputsFunctionArn: 'collect-outputs',
  FinalizeFunctionArn: 'finalize',
  DiagnoseFailureFunctionArn: 'diagnose-failure',
  RollBackFunctionArn: 'roll-back',
  ReportFailureFunctionArn: 'report-failure',
  DeleteComputeFunctionArn: 'delete-compute',
  CheckComputeDeletionFunctionArn: 'check-compute-deletion',
  DeleteControllerResourcesFunctionArn: 'delete-controller-resources',
  DeleteClusterStackFunctionArn: 'delete-cluster-stack',
  CheckClusterStackDeletionFunctionArn: 'check-cluster-stack-deletion',
  FinalizeDeletionFunctionArn: 'finalize-deletion',
  ReportOperationFailureFunctionArn: 'report-operation-failure',
  ChangeNodegroupFunctionArn: 'change-nodegroup',
  ChangeSelfManagedNodegroupFunctionArn: 'change-self-managed-nodegroup',
  ChangeFargateProfileFunctionArn: 'change-fargate-profile',
  ChangeAccessFunctionArn: 'change-access',
  ChangeEndpointAccessFunctionArn: 'change-endpoint-access',
  ChangeSettingsFunctionArn: 'change-settings',
  ChangeAddonFunctionArn: 'change-addon',
  ChangePodIdentityFunctionArn: 'change-pod-identity',
  DisableDeletionProtectionFunctionArn: 'disable-deletion-protection',
  FinalizeUpdateFunctionArn: 'finalize-update',
  SettleUpgradeFunctionArn: 'settle-upgrade',
  UpgradePreflightFunctionArn: 'upgrade-preflight',
  UpgradeControlPlaneFunctionArn: 'upgrade-control-plane',
  UpgradeAddonFunctionArn: 'upgrade-addon',
  UpgradeNodegroupFunctionArn: 'upgrade-nodegroup',
  UpgradeSelfManagedNodegroupFunctionArn: 'upgrade-self-managed-nodegroup',
  FinalizeUpgradeFunctionArn: 'finalize-upgrade',
} as const;

export type TaskPlaceholder = keyof typeof TASK_FUNCTIONS;
export type StepModule = (typeof TASK_FUNCTIONS)[TaskPlaceholder];

export const STATE_MACHINES = {
  'provision-cluster': { file: 'provision-cluster.asl.json' },
  'delete-cluster': { file: 'delete-cluster.asl.json' },
  'update-cluster': { file: 'update-cluster.asl.json' },
  'upgrade-cluster': { file: 'upgrade-cluster.asl.json' },
} as const;

export type StateMachineName = keyof typeof STATE_MACHINES;

/**
 * Local mode's roles are the CDK stack's: each function's execution role trusts Lambda, the
 * CloudFormation execution role trusts CloudFormation and exactly the steps CDK lets assume it,
 * and the steps that pass or assume it are those infra/constructs/step-lambdas.ts declares.
 */
import { STEP_POLICIES } from '../../../infra/constructs/step-lambdas';
import { World } from '../../../local/emulator/world';
import { CLUSTER_STACK_ROLE_USE, SWEEPS_KUBERNETES_GROUPS, createServiceRoles, functionWiring, serviceFunctionNames } from '../../../local/runtime/service-roles';

describe('local service roles', () => {
  it('use the CloudFormation execution role in the steps CDK gives it to, the same way', () => {
    const declared = Object.fromEntries(Object.entries(STEP_POLICIES).flatMap(([module, policy]) => (policy.clusterStackRole ? [[module, policy.clusterStackRole]] : [])));

    expect(CLUSTER_STACK_ROLE_USE).toEqual(declared);
  });

  it('let the steps CDK declares as VPC sweepers, and only them, assume the Kubernetes groups role', () => {
    const declared = Object.entries(STEP_POLICIES).flatMap(([module, policy]) => (policy.sweepsKubernetesGroups ? [module] : []));
    expect([...SWEEPS_KUBERNETES_GROUPS].sort()).toEqual(declared.sort());

    const world = new World({ timeScale: 1 });
    createServiceRoles(world);
    const groupsRoleArn = 'arn:aws:iam::000000000000:role/eksp-kubernetes-groups-role';
    expect(world.iam.byArn(groupsRoleArn)?.assumeRolePolicyDocument).toMatchObject({
      Statement: [{ Principal: { AWS: ['arn:aws:iam::000000000000:role/eksp-roll-back-role', 'arn:aws:iam::000000000000:role/eksp-delete-controller-resources-role'] } }],
    });
    expect(functionWiring(world, 'eksp-delete-controller-resources')).toMatchObject({ kubernetesGroupsRoleArn: groupsRoleArn });
    expect(functionWiring(world, 'eksp-create-cluster-stack')).not.toHaveProperty('kubernetesGroupsRoleArn');
  });

  it('put a Lambda-trusted role per function and the execution role CloudFormation and the assuming steps trust', () => {
    const world = new World({ timeScale: 1 });
    const { clusterStackRoleArn } = createServiceRoles(world);

    for (const fn of serviceFunctionNames()) {
      expect(world.iam.byArn(`arn:aws:iam::000000000000:role/${fn}-role`)?.assumeRolePolicyDocument).toEqual({ Version: '2012-10-17', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }] });
    }
    expect(world.iam.byArn(clusterStackRoleArn)?.assumeRolePolicyDocument).toMatchObject({ Statement: [{ Principal: { Service: 'cloudformation.amazonaws.com', AWS: ['arn:aws:iam::000000000000:role/eksp-check-self-managed-nodegroup-role', 'arn:aws:iam::000000000000:role/eksp-map-identities-role', 'arn:aws:iam::000000000000:role/eksp-check-nodes-ready-role', 'arn:aws:iam::000000000000:role/eksp-change-self-managed-nodegroup-role', 'arn:aws:iam::000000000000:role/eksp-change-access-role', 'arn:aws:iam::000000000000:role/eksp-upgrade-self-managed-nodegroup-role'] } }] });
    expect(functionWiring(world, 'eksp-create-cluster-stack')).toEqual({ functionName: 'eksp-create-cluster-stack', roleArn: 'arn:aws:iam::000000000000:role/eksp-create-cluster-stack-role', cloudFormationRoleArn: clusterStackRoleArn });
    expect(functionWiring(world, 'eksp-change-access')).toMatchObject({ cloudFormationRoleArn: clusterStackRoleArn, kubernetesAccessRoleArn: clusterStackRoleArn });
    expect(functionWiring(world, 'eksp-api')).toEqual({ functionName: 'eksp-api', roleArn: 'arn:aws:iam::000000000000:role/eksp-api-role' });
  });
});

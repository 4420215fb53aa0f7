/**
 * Lambda's CreateFunction and DeleteFunction, as CloudFormation's AWS::Lambda::Function drives
 * them (cloudformation/providers.ts): the checks Lambda makes, in its wording, and what a VPC
 * function puts in the account.
 *
 * - Code: the emulator has no S3; the S3 location must be one the local runtime registered
 *   (world.functions.registerCode), else the create fails as Lambda's GetObject of a missing key.
 * - Role: must exist and trust lambda.amazonaws.com; a VPC function's role must be allowed to
 *   manage ENIs (AWSLambdaVPCAccessExecutionRole or an ec2:CreateNetworkInterface grant).
 * - VpcConfig: subnets and security groups must exist and be in one VPC. Lambda makes one
 *   Hyperplane ENI per subnet (InterfaceType lambda, requester managed, in-use, holding the
 *   function's security groups); the function is Pending until they are made (durations.ts
 *   `lambdaVpcFunctionActive`, 30–90 s) and Active after. Deleting the function releases them.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { DeployedFunction } from '../functions';
import { EmulatorError } from '../protocol';
import type { NetworkInterface, World } from '../world';
import { createNetworkInterface } from './ec2/state';
import { trustAllows } from './sts';

export const LAMBDA_SERVICE = 'lambda.amazonaws.com';

/** Policies that grant a VPC function's role the ENI permissions Lambda checks at create. */
const ENI_POLICIES = ['AWSLambdaVPCAccessExecutionRole', 'AWSLambdaENIManagementAccess'];

/** What CreateFunction is given: the deployed function's own settings, and the VPC as subnets and groups (Lambda finds the VPC and makes the ENIs). */
export type NewFunction = Pick<DeployedFunction, 'name' | 'role' | 'runtime' | 'handler' | 'architectures' | 'memorySize' | 'timeout' | 'description' | 'environment' | 'code' | 'loggingConfig' | 'tags'> & {
  vpc?: { subnetIds: string[]; securityGroupIds: string[] };
};

const invalid = (message: string) => new EmulatorError(400, 'InvalidParameterValueException', message);

function roleMayManageInterfaces(world: World, roleArn: string): boolean {
  const role = world.iam.byArn(roleArn);
  if (!role) return false;
  if (role.managedPolicyArns.some((arn) => ENI_POLICIES.some((name) => arn.endsWith(`/${name}`)))) return true;
  const grants = JSON.stringify([...Object.values(role.inlinePolicies ?? {}), ...role.managedPolicyArns.map((arn) => world.iam.policies.get(arn)?.document)]);
  return /"ec2:(\*|CreateNetworkInterface)"/.test(grants) || /"\*"/.test(grants);
}

function checkVpc(world: World, vpc: NonNullable<NewFunction['vpc']>): string {
  for (const subnetId of vpc.subnetIds) {
    if (!world.ec2.subnets.has(subnetId)) throw invalid(`Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID '${subnetId}' does not exist`);
  }
  for (const groupId of vpc.securityGroupIds) {
    if (!world.ec2.securityGroups.has(groupId)) throw invalid(`Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. EC2 Error Message: The security group '${groupId}' does not exist`);
  }
  const vpcIds = new Set([...vpc.subnetIds.map((id) => world.ec2.subnets.get(id)!.vpcId), ...vpc.securityGroupIds.map((id) => world.ec2.securityGroups.get(id)!.vpcId)]);
  if (vpcIds.size > 1) throw invalid('Security Groups are required to be in the same VPC as the subnets.');
  return [...vpcIds][0]!;
}

/** Makes the function (Pending when attached to a VPC) or throws Lambda's error. */
export function createFunction(world: World, input: NewFunction): DeployedFunction {
  const arn = world.functions.arnOf(input.name);
  if (!arn || !/^[a-zA-Z0-9-_]{1,64}$/.test(input.name)) throw invalid(`1 validation error detected: Value '${input.name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`);
  if (world.functions.deployed.has(arn) || world.functions.get(arn)) throw new EmulatorError(409, 'ResourceConflictException', `Function already exist: ${input.name}`);
  const role = world.iam.byArn(input.role);
  if (!role || !trustAllows(role.assumeRolePolicyDocument, { service: LAMBDA_SERVICE })) throw invalid('The role defined for the function cannot be assumed by Lambda.');
  if (!world.functions.hasCode(input.code)) throw invalid('Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.');
  const vpcAttached = input.vpc && input.vpc.subnetIds.length > 0;
  let vpcId: string | undefined;
  if (vpcAttached) {
    if (input.vpc!.securityGroupIds.length === 0) throw invalid('SecurityGroupIds must be specified when SubnetIds is specified.');
    vpcId = checkVpc(world, input.vpc!);
    if (!roleMayManageInterfaces(world, input.role)) throw invalid('The provided execution role does not have permissions to call CreateNetworkInterface on EC2');
  }
  const now = world.clock.now();
  const interfaces: NetworkInterface[] = [];
  if (vpcAttached) {
    try {
      for (const subnetId of input.vpc!.subnetIds) {
        interfaces.push(
          createNetworkInterface(world, {
            subnet: world.ec2.subnets.get(subnetId)!,
            description: `AWS Lambda VPC ENI-${input.name}-${randomUUID()}`,
            interfaceType: 'lambda',
            securityGroupIds: input.vpc!.securityGroupIds,
            status: 'in-use',
          }),
        );
      }
    } catch (error) {
      for (const eni of interfaces) world.ec2.networkInterfaces.delete(eni.networkInterfaceId);
      if (error instanceof EmulatorError && error.code === 'InsufficientFreeAddressesInSubnet') throw new EmulatorError(502, 'SubnetIPAddressLimitReachedException', `Lambda was not able to create an ENI in the VPC of the Lambda function because the limit for Network Interfaces has been reached.`);
      throw error;
    }
  }
  const pendingSeconds = vpcAttached ? world.durations.sample('lambdaVpcFunctionActive', `lambda/${input.name}`) : 0;
  const fingerprint = createHash('sha256').update(`${input.code.s3Bucket}/${input.code.s3Key}`).digest('base64');
  const deployed: DeployedFunction = {
    name: input.name,
    arn,
    role: input.role,
    runtime: input.runtime,
    handler: input.handler,
    architectures: input.architectures.length ? input.architectures : ['x86_64'],
    memorySize: input.memorySize,
    timeout: input.timeout,
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.environment ? { environment: input.environment } : {}),
    code: { ...input.code },
    codeSha256: fingerprint,
    codeSize: 1024,
    ...(vpcAttached ? { vpc: { vpcId: vpcId!, subnetIds: [...input.vpc!.subnetIds], securityGroupIds: [...input.vpc!.securityGroupIds], networkInterfaceIds: interfaces.map((eni) => eni.networkInterfaceId) } } : {}),
    loggingConfig: input.loggingConfig ?? { logGroup: `/aws/lambda/${input.name}`, logFormat: 'Text' },
    activeAt: now.getTime() + pendingSeconds * 1000,
    lastModified: now,
    revisionId: randomUUID(),
    tags: { ...input.tags },
  };
  world.functions.deployed.set(arn, deployed);
  return deployed;
}

/** Deletes the function; its ENIs are released with it (see docs/local-mode.md: AWS takes longer). */
export function deleteFunction(world: World, name: string): void {
  const arn = world.functions.arnOf(name);
  const deployed = arn ? world.functions.deployed.get(arn) : undefined;
  if (!deployed) return;
  for (const id of deployed.vpc?.networkInterfaceIds ?? []) world.ec2.networkInterfaces.delete(id);
  world.functions.deployed.delete(deployed.arn);
}

/** GetFunction's / ListFunctions' Configuration of a deployed function. */
export function functionConfiguration(world: World, fn: DeployedFunction): Record<string, unknown> {
  const state = world.functions.stateOf(fn);
  return {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    Runtime: fn.runtime,
    Role: fn.role,
    Handler: fn.handler,
    CodeSize: fn.codeSize,
    Description: fn.description ?? '',
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: fn.lastModified.toISOString().replace('Z', '+0000'),
    CodeSha256: fn.codeSha256,
    Version: '$LATEST',
    ...(fn.vpc ? { VpcConfig: { SubnetIds: fn.vpc.subnetIds, SecurityGroupIds: fn.vpc.securityGroupIds, VpcId: fn.vpc.vpcId, Ipv6AllowedForDualStack: false } } : {}),
    ...(fn.environment ? { Environment: { Variables: fn.environment } } : {}),
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: fn.revisionId,
    State: state,
    ...(state === 'Pending' ? { StateReason: 'The function is being created.', StateReasonCode: 'Creating' } : {}),
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: fn.architectures,
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    RuntimeVersionConfig: { RuntimeVersionArn: `arn:aws:lambda:${world.region}::runtime:${createHash('sha256').update(fn.runtime).digest('hex')}` },
    ...(fn.loggingConfig ? { LoggingConfig: { LogFormat: fn.loggingConfig.logFormat, LogGroup: fn.loggingConfig.logGroup } } : {}),
  };
}

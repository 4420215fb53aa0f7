/**
 * The local SSM endpoint (awsJson1.1, `X-Amz-Target: AmazonSSM.X`, signing name `ssm`): the public
 * parameters EKS publishes, which is all the service reads of SSM. GetParameter and
 * GetParameters answer the recommended EKS optimized AMI of every Kubernetes version the EKS
 * emulator knows, per OS and architecture, under AWS's names
 * (/aws/service/eks/optimized-ami/<version>/amazon-linux-2023/x86_64/standard/recommended/image_id),
 * with the same image ids managed nodegroups boot (ec2/instances.ts amiFor), so a node's AMI reads
 * the same whichever way it was launched. Derived, not stored: nothing to persist.
 */
import { createAwsJsonService, type AwsJsonOperation } from '../../json';
import { EmulatorError } from '../../protocol';
import type { ServiceModule } from '../../server';
import type { World } from '../../world';
import { amiFor } from '../ec2/instances';
import { KUBERNETES_VERSIONS } from '../eks/catalog';

interface Parameter {
  Name: string;
  Type: 'String';
  Value: string;
  Version: number;
  LastModifiedDate: number;
  ARN: string;
  DataType: 'aws:ec2:image' | 'text';
}

/** The AL2023 variants EKS publishes and the amiType of the same image. */
const AL2023_VARIANTS: Array<{ path: string; amiType: string }> = [
  { path: 'amazon-linux-2023/x86_64/standard', amiType: 'AL2023_x86_64_STANDARD' },
  { path: 'amazon-linux-2023/arm64/standard', amiType: 'AL2023_ARM_64_STANDARD' },
  { path: 'amazon-linux-2023/x86_64/nvidia', amiType: 'AL2023_x86_64_NVIDIA' },
];

const PARAMETER_PREFIX = '/aws/service/eks/optimized-ami/';

/** The parameter of that name, if EKS publishes one (a name or its ARN). */
export function publicParameter(world: World, nameOrArn: string): Parameter | undefined {
  const name = nameOrArn.replace(/^arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]*:parameter/, '');
  if (!name.startsWith(PARAMETER_PREFIX)) return undefined;
  const [version, ...rest] = name.slice(PARAMETER_PREFIX.length).split('/');
  const path = rest.join('/');
  if (!version || !KUBERNETES_VERSIONS.includes(version)) return undefined;
  const variant = AL2023_VARIANTS.find((v) => path === `${v.path}/recommended/image_id`);
  if (!variant) return undefined;
  return {
    Name: name,
    Type: 'String',
    Value: amiFor(world, variant.amiType, version),
    Version: 1,
    LastModifiedDate: world.calendarEpoch / 1000,
    ARN: `arn:aws:ssm:${world.region}::parameter${name}`,
    DataType: 'aws:ec2:image',
  };
}

function requiredName(input: Record<string, unknown>): string {
  const name = input.Name;
  if (typeof name !== 'string' || name === '') throw new EmulatorError(400, 'ValidationException', "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
  return name;
}

const OPERATIONS: Record<string, AwsJsonOperation<World>> = {
  GetParameter(world, input) {
    const name = requiredName(input);
    const parameter = publicParameter(world, name);
    if (!parameter) throw new EmulatorError(400, 'ParameterNotFound', '');
    return { Parameter: parameter };
  },

  GetParameters(world, input) {
    const names = Array.isArray(input.Names) ? input.Names.map(String) : [];
    if (names.length === 0 || names.length > 10) throw new EmulatorError(400, 'ValidationException', `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10`);
    const found = names.map((name) => publicParameter(world, name));
    return { Parameters: found.filter((p): p is Parameter => p !== undefined), InvalidParameters: names.filter((_, i) => !found[i]) };
  },
};

export function createSsmService(world: World): ServiceModule {
  return createAwsJsonService<World>(world, {
    name: 'ssm',
    protocol: 'awsJson1.1',
    targetPrefix: 'AmazonSSM.',
    namespace: 'com.amazonaws.ssm',
    title: 'SSM',
    operations: OPERATIONS,
    malformedBodyMessage: 'Start of structure or map found where not expected.',
    context: () => world,
  });
}

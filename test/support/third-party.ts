/**
 * Third-party clients (the AWS CLI, boto3) for conformance tests: whether they are installed, the
 * skip-or-fail rule (they ship with the machine image; required when CI=true), and an environment
 * in which they reach only the emulator.
 */
import { spawnSync } from 'node:child_process';

const REQUIRED = process.env.CI === 'true';

function works(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 }).status === 0;
}

export const HAS_AWS_CLI = works('aws', ['--version']);
export const HAS_BOTO3 = works('python3', ['-c', 'import boto3']);

/** True when the tool is there; otherwise warns (or, under CI, fails) and the test ends early. */
export function toolPresent(present: boolean, tool: string, suite: string): boolean {
  if (present) return true;
  if (REQUIRED) throw new Error(`${tool} is required for the conformance tests when CI=true, but it is not installed`);
  console.warn(`skipping ${suite} conformance with ${tool}: it is not installed (required when CI=true)`);
  return false;
}

/** Only the emulator: no user config, profile or instance metadata may leak in. */
export function emulatorOnlyEnvironment(endpointUrl: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: 'AKIDCONFORMANCE',
    AWS_SECRET_ACCESS_KEY: 'conformance-secret',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpointUrl,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

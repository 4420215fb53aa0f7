/**
 * Third-party clients (the AWS CLI, boto3) for conformance tests: whether they are installed, the
 * skip-or-fail rule (they ship with the machine image; required when CI=true), and an environment
 * in which they reach only the emulator.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROBES_DIR_VARIABLE } from './tool-probes';

const REQUIRED = process.env.CI === 'true';

const answers = new Map<string, boolean>();

/** Whether the command runs and exits 0; asked once per jest run (tool-probes.ts keeps the answers). */
function works(command: string, args: string[]): boolean {
  const key = [command, ...args].join(' ');
  if (!answers.has(key)) answers.set(key, probe(command, args));
  return answers.get(key)!;
}

function probe(command: string, args: string[]): boolean {
  const dir = process.env[PROBES_DIR_VARIABLE];
  const answer = dir ? join(dir, [command, ...args].join(' ').replace(/[^A-Za-z0-9.-]+/g, '_')) : undefined;
  if (answer && existsSync(answer)) return readFileSync(answer, 'utf8') === 'yes';
  const ok = spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 }).status === 0;
  if (answer && existsSync(dir!)) {
    // Written whole, then renamed: a suite in another worker never reads half an answer.
    writeFileSync(`${answer}.${process.pid}`, ok ? 'yes' : 'no');
    renameSync(`${answer}.${process.pid}`, answer);
  }
  return ok;
}

/** Which tools are installed, each asked only when a suite first needs it (moto and cfn-lint take seconds to answer). */
export const tools = {
  get awsCli(): boolean {
    return works('aws', ['--version']);
  },
  get boto3(): boolean {
    return works('python3', ['-c', 'import boto3']);
  },
  get moto(): boolean {
    return this.boto3 && works('python3', ['-c', 'import moto.server']) && works('moto_server', ['--help']);
  },
  get cfnLint(): boolean {
    return works('cfn-lint', ['--version']);
  },
  get kubectl(): boolean {
    return works('kubectl', ['version', '--client']);
  },
};

/**
 * `it` when the tool is there. Otherwise `it.skip` with the reason in the test's name, so the
 * report shows it skipped (never passed); under CI=true a missing tool fails the suite instead.
 */
export function itWith(present: boolean, tool: string): jest.It {
  if (present) return it;
  if (REQUIRED) throw new Error(`${tool} is required for the conformance tests when CI=true, but it is not installed`);
  const reason = (name: string) => `${name} (skipped: ${tool} is not installed)`;
  /* eslint-disable no-restricted-properties -- the one sanctioned skip: a missing tool, named in each test's title */
  const skip = (name: string, ...rest: unknown[]) => (it.skip as (...args: unknown[]) => void)(reason(name), ...rest);
  skip.each = (table: unknown) => (name: string, ...rest: unknown[]) => (it.skip.each as (t: unknown) => (...args: unknown[]) => void)(table)(reason(name), ...rest);
  /* eslint-enable no-restricted-properties */
  return skip as unknown as jest.It;
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

/**
 * Runs the AWS CLI and boto3 scripts against an emulator, without blocking the event loop (the
 * emulator answers from the test's own process), and a raw awsQuery form post for the services
 * whose SDK v3 client the repository does not carry (IAM, Auto Scaling).
 */
import { spawn } from 'node:child_process';
import { emulatorOnlyEnvironment } from './third-party';

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runTool(command: string, args: string[], endpointUrl: string): Promise<ToolRun> {
  return spawnCollect(command, args, { ...emulatorOnlyEnvironment(endpointUrl), AWS_MAX_ATTEMPTS: '1' });
}

/** Runs a command with this environment and collects its output, without blocking the event loop. */
export function spawnCollect(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The environment the README's shell gives the AWS CLI and kubectl against `npm start`: the local
 * endpoint and the `local` developer's keys; `extra` adds the caller's HOME, KUBECONFIG or files.
 */
export function localModeShell(awsUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_ENDPOINT_URL: awsUrl,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/** `aws <args> --output json`; `json` is the parsed stdout when there is one. */
export async function awsCli(endpointUrl: string, ...args: string[]): Promise<ToolRun & { json: unknown }> {
  const run = await runTool('aws', [...args, '--output', 'json'], endpointUrl);
  return { ...run, json: run.stdout.trim() ? JSON.parse(run.stdout) : undefined };
}

/** A python3 script's JSON output (it must print one JSON document); a failed script rejects with its stderr. */
export async function python<T>(endpointUrl: string, script: string, ...args: string[]): Promise<T> {
  const run = await runTool('python3', ['-c', script, ...args], endpointUrl);
  if (run.code !== 0) throw new Error(`python3 failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

export interface QueryAnswer {
  status: number;
  body: string;
  /** The text of the first `<name>` element, XML entities decoded. */
  text(name: string): string | undefined;
  /** The text of every `<name>` element, in order. */
  all(name: string): string[];
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };

/** POSTs an awsQuery form, signed-looking for `service` (the emulator routes by the credential scope). */
export async function queryPost(endpointUrl: string, service: string, params: Record<string, string>): Promise<QueryAnswer> {
  const response = await fetch(endpointUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: `AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams(params).toString(),
  });
  const body = await response.text();
  const all = (name: string) => [...body.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => (m[1] ?? '').replace(/&(amp|lt|gt|quot|apos);/g, (e) => ENTITIES[e] ?? e));
  return { status: response.status, body, text: (name) => all(name)[0], all };
}

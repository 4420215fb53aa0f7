/**
 * Jest's global setup and teardown for third-party.ts: one directory per `jest` run in which each
 * "is this tool installed?" answer is kept once found. Without it every suite that imports
 * third-party.ts starts the AWS CLI, Python (boto3, moto), moto_server, cfn-lint and kubectl again
 * just to ask, several seconds per suite; with it the first suite asks and the others read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROBES_DIR_VARIABLE = 'EKSP_TEST_TOOL_PROBES';

export function setup(): void {
  process.env[PROBES_DIR_VARIABLE] = mkdtempSync(join(tmpdir(), 'eksp-tool-probes-'));
}

export function teardown(): void {
  const dir = process.env[PROBES_DIR_VARIABLE];
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/**
 * Third-party clients against the local EventBridge Scheduler and Lambda: boto3's scheduler
 * client (create/get/delete, its error codes) and `aws lambda invoke`. They ship with the machine
 * image; without them these tests skip with a warning, except under CI=true, where they are
 * required.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLambdaService } from '../../local/emulator/services/lambda';
import { createSchedulerService, type SchedulerService } from '../../local/emulator/services/scheduler';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { emulatorOnlyEnvironment, tools, itWith } from '../support/third-party';

const run = promisify(execFile);
const ACCOUNT = '000000000000';

let emulator: RunningEmulator;
let world: World;
let scheduler: SchedulerService;
let environment: NodeJS.ProcessEnv;
const received: unknown[] = [];

beforeAll(async () => {
  world = new World({ timeScale: 0.001 });
  world.functions.register('eksp-api', async (event) => {
    received.push(event);
    return { accepted: true };
  });
  scheduler = createSchedulerService(world);
  emulator = await startEmulator({ timeScale: 0.001, services: [scheduler, createLambdaService(world)] }, world);
  environment = emulatorOnlyEnvironment(emulator.url);
});

afterAll(async () => {
  scheduler.stop();
  emulator.server.closeAllConnections();
  await emulator.close();
});

describe('Scheduler and Lambda conformance with third-party clients', () => {
  itWith(tools.boto3, 'python3 with boto3')('boto3 creates, gets and deletes a schedule, parses its timestamps, and sees ConflictException, ResourceNotFoundException and ValidationException', async () => {
    const script = [
      'import json, os, boto3',
      "s = boto3.client('scheduler', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')",
      "target = {'Arn': 'arn:aws:lambda:us-east-1:000000000000:function:eksp-api', 'RoleArn': 'arn:aws:iam::000000000000:role/eksp-scheduler', 'Input': json.dumps({'cluster': 'demo'})}",
      "out = {'arn': s.create_schedule(Name='eksp-demo-expiry', ScheduleExpression='at(2099-01-02T03:04:05)', ScheduleExpressionTimezone='UTC', FlexibleTimeWindow={'Mode': 'OFF'}, ActionAfterCompletion='DELETE', Target=target)['ScheduleArn']}",
      'def code(call):',
      '    try:',
      '        call()',
      "        return 'none'",
      '    except s.exceptions.ClientError as e:',
      "        return e.response['Error']['Code'] + ': ' + e.response['Error']['Message']",
      "out['conflict'] = code(lambda: s.create_schedule(Name='eksp-demo-expiry', ScheduleExpression='at(2099-01-02T03:04:05)', FlexibleTimeWindow={'Mode': 'OFF'}, Target=target))",
      "out['invalid'] = code(lambda: s.create_schedule(Name='bad', ScheduleExpression='at(tomorrow)', FlexibleTimeWindow={'Mode': 'OFF'}, Target=target))",
      "got = s.get_schedule(Name='eksp-demo-expiry', GroupName='default')",
      "out['get'] = {k: got[k] for k in ('Name', 'GroupName', 'ScheduleExpression', 'State', 'ActionAfterCompletion', 'Target', 'FlexibleTimeWindow')}",
      "out['creationIsDatetime'] = type(got['CreationDate']).__name__",
      "out['listed'] = [x['Name'] for x in s.list_schedules()['Schedules']]",
      "s.delete_schedule(Name='eksp-demo-expiry')",
      "out['missing'] = code(lambda: s.get_schedule(Name='eksp-demo-expiry'))",
      'print(json.dumps(out))',
    ].join('\n');

    const { stdout } = await run('python3', ['-c', script], { env: environment, timeout: 60_000 });

    expect(JSON.parse(stdout)).toEqual({
      arn: `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/default/eksp-demo-expiry`,
      conflict: 'ConflictException: Schedule eksp-demo-expiry already exists.',
      invalid: 'ValidationException: Invalid Schedule Expression at(tomorrow)',
      get: {
        Name: 'eksp-demo-expiry',
        GroupName: 'default',
        ScheduleExpression: 'at(2099-01-02T03:04:05)',
        State: 'ENABLED',
        ActionAfterCompletion: 'DELETE',
        Target: expect.objectContaining({ Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:eksp-api`, Input: '{"cluster": "demo"}' }),
        FlexibleTimeWindow: { Mode: 'OFF' },
      },
      creationIsDatetime: 'datetime',
      listed: ['eksp-demo-expiry'],
      missing: 'ResourceNotFoundException: Schedule eksp-demo-expiry does not exist.',
    });
    expect(world.scheduler.list()).toEqual([]);
  });

  itWith(tools.awsCli, 'the AWS CLI')('`aws lambda invoke` reaches a registered function and writes its result; an unknown one is ResourceNotFoundException', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-invoke-'));
    try {
      const outFile = join(dir, 'out.json');
      const [{ stdout }, missing] = await Promise.all([
        run('aws', ['lambda', 'invoke', '--function-name', 'eksp-api', '--payload', '{"source":"cli"}', outFile, '--endpoint-url', emulator.url, '--output', 'json'], { env: environment }),
        run('aws', ['lambda', 'invoke', '--function-name', 'nobody', join(dir, 'none.json'), '--endpoint-url', emulator.url], { env: environment }).then(
          () => undefined,
          (error: { code: number; stderr: string }) => error,
        ),
      ]);

      expect(JSON.parse(stdout)).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
      expect(JSON.parse(readFileSync(outFile, 'utf8'))).toEqual({ accepted: true });
      expect(received.at(-1)).toEqual({ source: 'cli' });
      expect(missing?.code).toBe(255);
      expect(missing?.stderr).toMatch(/ResourceNotFoundException.*Function not found: arn:aws:lambda:us-east-1:000000000000:function:nobody/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

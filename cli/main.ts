/**
 * eksp: eksctl's verbs and flags over the eks-provisioner REST API. `run` takes its streams and
 * environment as arguments, so tests drive it in-process; `runFromProcess` is the executable.
 */
import { Command, CommanderError } from 'commander';
import { ApiProblemError, ApiUnreachableError } from './client/errors';
import { registerAccessEntryCommands } from './commands/access-entry';
import { registerAddonCommands } from './commands/addon';
import { registerClusterCommands } from './commands/cluster';
import { CommandContext, UsageError, type CliIo } from './commands/context';
import { registerFargateProfileCommands } from './commands/fargate-profile';
import { registerIdentityMappingCommands } from './commands/iam-identity-mapping';
import { registerNodegroupCommands } from './commands/nodegroup';
import { registerOperationCommands } from './commands/operations';
import { registerPodIdentityCommands } from './commands/pod-identity';
import { registerUtilsCommands } from './commands/utils';
import type { Verbs } from './commands/verbs';
import { logUpdateSink } from './render/log-update-sink';

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('eksp')
    .description('EKS clusters through the eks-provisioner API, with eksctl’s verbs and flags')
    .option('--endpoint <url>', 'the API’s base URL (default: EKSP_ENDPOINT, else http://127.0.0.1:3000, local mode)')
    .option('--stack <name>', 'a deployed eks-provisioner stack: its ApiUrl output is the endpoint (requests are signed)')
    .option('--region <region>', 'AWS region for --stack and signing (default: the AWS configuration’s)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.stdout.write(s), writeErr: (s) => ctx.io.stderr.write(s) });
  const verb = (name: string, description: string) => program.command(name).description(description);
  const verbs: Verbs = {
    create: verb('create', 'create a cluster, nodegroup, Fargate profile, add-on, Pod Identity association, identity mapping or access entry'),
    get: verb('get', 'show clusters, add-ons, Pod Identity associations, identity mappings or operations'),
    update: verb('update', 'update an add-on'),
    delete: verb('delete', 'delete a cluster, nodegroup, Fargate profile, add-on, Pod Identity association, identity mapping or access entry'),
    upgrade: verb('upgrade', 'upgrade a cluster'),
    scale: verb('scale', 'scale a nodegroup'),
    utils: verb('utils', 'endpoint access and kubeconfig'),
  };
  registerClusterCommands(verbs, ctx);
  registerNodegroupCommands(verbs, ctx);
  registerFargateProfileCommands(verbs, ctx);
  registerIdentityMappingCommands(verbs, ctx);
  registerAccessEntryCommands(verbs, ctx);
  registerAddonCommands(verbs, ctx);
  registerPodIdentityCommands(verbs, ctx);
  registerUtilsCommands(verbs, ctx);
  registerOperationCommands(program, verbs, ctx);
  // Subcommands print their errors and help through the same streams, and throw instead of exiting.
  const inherit = (command: Command) => {
    for (const sub of command.commands) {
      sub.exitOverride().configureOutput({ writeOut: (s) => ctx.io.stdout.write(s), writeErr: (s) => ctx.io.stderr.write(s) });
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

/** Runs one command line; resolves to the exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const ctx = new CommandContext(io);
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    io.stderr.write(`Error: ${errorText(error)}\n`);
    return 1;
  }
}

function errorText(error: unknown): string {
  const gaveUp = (attempts: number) => (attempts > 1 ? `\n  gave up after ${attempts} attempts` : '');
  if (error instanceof ApiProblemError) {
    const running = error.problem.runningOperationId;
    return `${error.message}${typeof running === 'string' ? `\n  follow it with: eksp watch ${running}` : ''}${gaveUp(error.attempts)}`;
  }
  if (error instanceof ApiUnreachableError) return `${error.message}${gaveUp(error.attempts)}\n  (local mode: is \`npm start\` running? Elsewhere: --endpoint URL, EKSP_ENDPOINT or --stack NAME)`;
  if (error instanceof UsageError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: () => new Date(),
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
    pollIntervalMs: Number(process.env.EKSP_POLL_INTERVAL_MS ?? 2000),
    frameSink: (stream) => logUpdateSink(stream as NodeJS.WritableStream),
  };
}

export async function runFromProcess(): Promise<void> {
  process.exitCode = await run(process.argv.slice(2), processIo());
}

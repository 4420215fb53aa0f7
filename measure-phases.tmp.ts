// Measurement only (not committed): a step-crash fault on every attempt of each provision Task state.
import { readFileSync } from 'node:fs';
import { startLocal } from './local/start';
import { LocalCloud } from './test/support/local-cloud';

const STATES = ['Plan', 'Create Cluster Stack', 'Check Cluster Stack', 'Create Nodegroup', 'Check Nodegroup', 'Create Fargate Profile', 'Check Fargate Profile', 'Create Add-on', 'Check Add-on', 'Map Identities', 'Switch Endpoint Access', 'Check Endpoint Update', 'Finalize', 'Roll Back'];

async function main() {
  const local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: 0.003, seed: 7, quiet: true });
  const cloud = new LocalCloud(local);
  const reference = JSON.parse(readFileSync('examples/reference-cluster.json', 'utf8')) as Record<string, unknown>;
  const rows: string[] = [];
  let i = 0;
  for (const state of STATES) {
    i++;
    const rules: unknown[] = [{ kind: 'step-crash', state, count: 1000 }];
    if (state === 'Roll Back') rules.push({ kind: 'nodegroup-failure', nodegroup: 'ng-spot', code: 'AsgInstanceLaunchFailures', message: 'Could not launch Spot Instances' });
    await fetch(`${local.awsUrl}/_local/faults`, { method: 'DELETE' });
    await fetch(`${local.awsUrl}/_local/faults`, { method: 'POST', body: JSON.stringify({ rules }) });
    const reply = await cloud.call('POST', '/clusters', { body: { ...reference, name: `m${i}` } });
    const events = await cloud.eventsUntilTerminal(String(reply.body.operationId), 120_000);
    const terminal = events.at(-1)!;
    rows.push(`| ${state} | ${terminal.status} | ${terminal.phase} | ${terminal.error?.code} | ${terminal.error?.resource ?? ''} | ${String(terminal.error?.message).slice(0, 110)} |`);
    console.log(rows.at(-1));
  }
  await fetch(`${local.awsUrl}/_local/faults`, { method: 'DELETE' });
  cloud.destroy();
  await local.stop();
}
main().catch((e) => { console.error(e); process.exit(1); });

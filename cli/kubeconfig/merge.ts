/**
 * Merging a cluster's kubeconfig into the user's, as `aws eks update-kubeconfig` does: its cluster,
 * user and context are added (or replace those of the same name), current-context points at it,
 * and everything else in the file is kept as it was.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';

type Named = { name: string; [field: string]: unknown };
export type Kubeconfig = { clusters?: Named[]; contexts?: Named[]; users?: Named[]; 'current-context'?: string; [field: string]: unknown };

const SECTIONS = ['clusters', 'contexts', 'users'] as const;

export function mergeKubeconfig(existing: Kubeconfig | undefined, incoming: Kubeconfig, options: { setCurrentContext?: boolean } = {}): Kubeconfig {
  const merged: Kubeconfig = { apiVersion: 'v1', kind: 'Config', preferences: {}, ...(existing ?? {}) };
  for (const section of SECTIONS) {
    const entries = [...(merged[section] ?? [])];
    for (const entry of incoming[section] ?? []) {
      const at = entries.findIndex((e) => e.name === entry.name);
      if (at >= 0) entries[at] = entry;
      else entries.push(entry);
    }
    merged[section] = entries;
  }
  if (options.setCurrentContext !== false && incoming['current-context']) merged['current-context'] = incoming['current-context'];
  return merged;
}

/** --kubeconfig, else the first file of KUBECONFIG, else ~/.kube/config (the AWS CLI's order). */
export function kubeconfigPath(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  if (explicit) return explicit;
  const first = env.KUBECONFIG?.split(delimiter).find((p) => p.length > 0);
  return first ?? join(env.HOME ?? homedir(), '.kube', 'config');
}

/** Reads, merges and writes the file (0600: it names the user's clusters and how to reach them). */
export function writeMergedKubeconfig(path: string, incomingYaml: string, options: { setCurrentContext?: boolean } = {}): Kubeconfig {
  const existingText = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const existing = existingText.trim() ? (parse(existingText) as Kubeconfig) : undefined;
  const merged = mergeKubeconfig(existing, parse(incomingYaml) as Kubeconfig, options);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, stringify(merged), { mode: 0o600 });
  return merged;
}

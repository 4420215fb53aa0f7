/**
 * eksctl speaks of its work as `creating cluster stack "eksctl-demo-cluster"`. The service's
 * steps are Title Case imperatives with a resource ("Create Cluster Stack", "stack
 * eksp-demo-cluster"), so the same sentence is made from them: the verb in -ing (started) or
 * past (done) form, the rest in lower case, and the resource's name quoted.
 */
import type { OperationStep } from '../client/types';

/** The verbs step names start with; a name that starts otherwise ("Preflight", "Control Plane 1.33") is a noun phrase. */
const VERBS = new Set(['add', 'admit', 'apply', 'associate', 'change', 'check', 'create', 'delete', 'disable', 'drain', 'enable', 'finalize', 'install', 'make', 'map', 'plan', 'refresh', 'remove', 'roll', 'set', 'switch', 'tag', 'untag', 'update', 'upgrade', 'wait', 'write']);
const IRREGULAR_PAST: Record<string, string> = { make: 'made', set: 'set', run: 'ran', build: 'built', put: 'put', get: 'got', write: 'wrote', take: 'took' };

export function stepStarted(step: Pick<OperationStep, 'name' | 'resource'>): string {
  return sentence(step, gerund);
}

export function stepDone(step: Pick<OperationStep, 'name' | 'resource'>): string {
  return sentence(step, past);
}

function sentence(step: Pick<OperationStep, 'name' | 'resource'>, inflect: (verb: string) => string): string {
  const [first = '', ...rest] = step.name.split(' ');
  if (!VERBS.has(first.toLowerCase())) {
    const words = step.name.split(' ');
    return `${inflect === past ? 'finished' : 'starting'} ${words.map(lowerUnlessAcronym).join(' ')}${resourcePart(words, step.resource)}`;
  }
  const words = [inflect(first.toLowerCase()), ...rest.map(lowerUnlessAcronym)];
  return `${words.join(' ')}${resourcePart(rest, step.resource)}`;
}

/**
 * "stack eksp-demo-cluster" after "… Cluster Stack" reads `… cluster stack "eksp-demo-cluster"`
 * (likewise "Fargate profile fp-apps" after "… Fargate Profile"); any other resource follows a colon.
 */
function resourcePart(words: string[], resource: string | undefined): string {
  if (!resource) return '';
  for (let count = words.length; count > 0; count--) {
    const kind = `${words.slice(-count).join(' ').toLowerCase()} `;
    const name = resource.slice(kind.length);
    // A name is one word: "stacks of cluster demo" is a description, not the stacks' name.
    if (resource.toLowerCase().startsWith(kind) && /^\S+$/.test(name)) return ` "${name}"`;
  }
  return `: ${resource}`;
}

function lowerUnlessAcronym(word: string): string {
  return /^[A-Z0-9]{2,}s?$/.test(word) ? word : word.toLowerCase();
}

/** English -ing: drop a silent e (make → making), double a short word's last consonant (map → mapping). */
function gerund(verb: string): string {
  if (/[^aeiou]e$/.test(verb) && verb !== 'be') return `${verb.slice(0, -1)}ing`;
  if (doublesConsonant(verb)) return `${verb}${verb.at(-1)}ing`;
  return `${verb}ing`;
}

function past(verb: string): string {
  if (IRREGULAR_PAST[verb]) return IRREGULAR_PAST[verb];
  if (verb.endsWith('e')) return `${verb}d`;
  if (/[^aeiou]y$/.test(verb)) return `${verb.slice(0, -1)}ied`;
  if (doublesConsonant(verb)) return `${verb}${verb.at(-1)}ed`;
  return `${verb}ed`;
}

/** One syllable ending consonant-vowel-consonant (not w, x, y): map, tag, plan, stop. */
function doublesConsonant(verb: string): boolean {
  return /^[^aeiou]*[aeiou][^aeiouwxy]$/.test(verb);
}

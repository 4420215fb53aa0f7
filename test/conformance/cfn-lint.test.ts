/**
 * The rendered cluster templates through cfn-lint (AWS's CloudFormation linter), which knows
 * rules the resource specification alone does not: value formats, GetAZs/Cidr usage, IAM policy
 * shapes, region availability. One cfn-lint run for all templates keeps this to a few seconds.
 * The templates as a tags PATCH rewrites them (template-tags.ts) go through it too.
 *
 * Needs `cfn-lint` (pip install cfn-lint) on PATH. Without it the test fails in CI and is
 * skipped with a warning elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUserTemplateTag } from '../../functions/domain/cluster-settings';
import { renderClusterTemplate } from '../../functions/domain/cluster-template';
import { retagTemplate } from '../../functions/domain/template-tags';
import { ADDED_STACK_TEMPLATES, TEMPLATE_VARIANTS } from '../unit/domain/cluster-template-inputs';
import { tools, itWith } from '../support/third-party';

interface CfnLintMatch {
  Filename: string;
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Rule: { Id: string };
  Location: { Path?: Array<string | number> };
}

const itWithCfnLint = itWith(tools.cfnLint, 'cfn-lint');

let directory: string;
let files: string[] = [];
let addedFiles: string[] = [];
let retaggedFiles: string[] = [];
/** Every template as PATCH /clusters/{name} {"tags": …} rewrites it: a user tag changed, one added. */
const RETAGGED = [...TEMPLATE_VARIANTS.map(([name, input]) => [name, renderClusterTemplate(input)] as const), ...ADDED_STACK_TEMPLATES].map(
  ([name, template]) => [name, retagTemplate(JSON.parse(JSON.stringify(template)) as Record<string, unknown>, { team: 'retagged', 'cost-center': '42' }, isUserTemplateTag).template] as const,
);
let matches: CfnLintMatch[] = [];

beforeAll(() => {
  if (!tools.cfnLint) return;
  directory = mkdtempSync(join(tmpdir(), 'eksp-cfn-lint-'));
  files = TEMPLATE_VARIANTS.map(([, input], i) => {
    const file = join(directory, `cluster-${i}.json`);
    writeFileSync(file, JSON.stringify(renderClusterTemplate(input), null, 2));
    return file;
  });
  addedFiles = ADDED_STACK_TEMPLATES.map(([, template], i) => {
    const file = join(directory, `added-${i}.json`);
    writeFileSync(file, JSON.stringify(template, null, 2));
    return file;
  });
  retaggedFiles = RETAGGED.map(([, template], i) => {
    const file = join(directory, `retagged-${i}.json`);
    writeFileSync(file, JSON.stringify(template, null, 2));
    return file;
  });
  const run = spawnSync('cfn-lint', ['--format', 'json', '--regions', 'us-east-1', '--', ...files, ...addedFiles, ...retaggedFiles], { encoding: 'utf8', timeout: 50_000 });
  // Exit status is a bit mask of the levels found; the JSON is the authority, so only a run that produced none failed.
  if (run.error || !run.stdout.trim().startsWith('[')) throw new Error(`cfn-lint did not run: ${run.error?.message ?? run.stderr}`);
  matches = JSON.parse(run.stdout) as CfnLintMatch[];
});

afterAll(() => {
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe('cfn-lint on the cluster template', () => {
  itWithCfnLint.each(TEMPLATE_VARIANTS.map(([name], i) => [name, i] as const))('%s: no errors', (_, i) => {
    const errors = matches
      .filter((m) => m.Filename === files[i] && m.Level === 'Error')
      .map((m) => `${m.Rule.Id} at ${(m.Location.Path ?? []).join('.')}: ${m.Message}`);

    expect(errors).toEqual([]);
  });
});

describe('cfn-lint on the stacks update-cluster adds', () => {
  itWithCfnLint.each(ADDED_STACK_TEMPLATES.map(([name], i) => [name, i] as const))('%s: no errors', (_, i) => {
    const errors = matches
      .filter((m) => m.Filename === addedFiles[i] && m.Level === 'Error')
      .map((m) => `${m.Rule.Id} at ${(m.Location.Path ?? []).join('.')}: ${m.Message}`);

    expect(errors).toEqual([]);
  });
});

describe('cfn-lint on the templates a tags change rewrites', () => {
  itWithCfnLint.each(RETAGGED.map(([name], i) => [name, i] as const))('%s, retagged: no errors', (_, i) => {
    const errors = matches
      .filter((m) => m.Filename === retaggedFiles[i] && m.Level === 'Error')
      .map((m) => `${m.Rule.Id} at ${(m.Location.Path ?? []).join('.')}: ${m.Message}`);

    expect(errors).toEqual([]);
  });
});

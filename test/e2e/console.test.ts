/**
 * The web console (console/, docs/console.md) in a real browser: Debian's Chromium, headless,
 * driven by playwright-core against local mode in this process. A user opens `/`, creates a
 * cluster from the form (the dry run first), watches the operation's Gantt until SUCCEEDED, opens
 * the cluster and sees its nodegroup with its Ready nodes, then deletes it through the confirmation dialog.
 * Screenshots of each page go to test-artifacts/console/. Without Chromium the test shows as
 * skipped with the reason (required when CI=true).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startLocal, type LocalMode } from '../../local/start';
import { itWith } from '../support/third-party';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'console');
/** A default cluster (~20 emulated minutes) in about a second. */
const TIME_SCALE = 0.001;
const itWithChromium = itWith(existsSync(CHROMIUM), `Chromium (${CHROMIUM})`);

let local: LocalMode | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  await local?.stop();
});

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

describe('web console', () => {
  itWithChromium('creates a cluster from the form, follows its timeline, shows its nodegroup and deletes it', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 11, quiet: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    // The list, empty.
    await page.goto(`${local.apiUrl}/`);
    await page.getByRole('heading', { name: 'Clusters' }).waitFor();
    await page.getByText('No clusters yet').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');

    // The form: a problem the API finds is shown at its field.
    await page.getByRole('link', { name: 'Create cluster' }).click();
    await page.getByRole('heading', { name: 'Create a cluster' }).waitFor();
    const name = page.locator('#f-name');
    await name.fill('Bad_Name');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    await page.locator('.field[data-pointer="/name"] .field-errors').waitFor();
    // Every control of the generated form has a label (or an aria-label), an added item's too.
    await page.getByRole('button', { name: 'Add managedNodeGroup' }).click();
    const unlabelled = await page.locator('form input, form select, form textarea, form button').evaluateAll((controls) =>
      controls.filter((c) => !((c as HTMLInputElement).labels?.length || c.getAttribute('aria-label') || (c.tagName === 'BUTTON' && c.textContent?.trim()))).map((c) => c.outerHTML.slice(0, 120)),
    );
    expect(unlabelled).toEqual([]);
    await page.getByRole('button', { name: 'Remove managedNodeGroup 1' }).click();
    expect(await page.locator('#f-name').getAttribute('aria-invalid')).toBe('true');
    await shot(page, '1-inline-error');

    // Fixed: the dry run shows the plan, then the cluster is created.
    await name.fill('console-demo');
    // One minor behind the newest the guardrails allow, so it can be upgraded below.
    await page.locator('#f-version').fill('1.32');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    const preview = page.locator('#dry-run-preview');
    await preview.getByText('Create cluster stack eksp-console-demo-cluster (Kubernetes 1.32').waitFor();
    await shot(page, '2-dry-run');
    await preview.getByRole('button', { name: 'Create cluster' }).click();

    // The operation's timeline, polled until it ends.
    await page.waitForURL(/#\/operations\/op-/);
    await page.getByRole('heading', { name: /^Operation/ }).waitFor();
    await page.locator('#operation-status .badge', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 60_000 });
    const phases = await page.locator('.gantt-phase').evaluateAll((groups) => groups.map((g) => g.getAttribute('data-phase')));
    expect(phases).toEqual(expect.arrayContaining(['Plan', 'ClusterStack', 'ComputeAndAccess']));
    const rows = page.locator('.gantt .step-row');
    expect(await rows.count()).toBeGreaterThanOrEqual(3);
    await page.locator('.gantt .step-row', { hasText: 'Create Nodegroup' }).first().waitFor();
    // Every bar lies within the chart.
    const bars = await page.locator('.gantt .step-row .bar').evaluateAll((els) => els.map((el) => [parseFloat((el as HTMLElement).style.left), parseFloat((el as HTMLElement).style.width)]));
    for (const [left, width] of bars) expect(left! + width!).toBeLessThanOrEqual(100.6);
    await shot(page, '3-operation-gantt');

    // The cluster page: its nodegroup, the default one the spec did not name.
    await page.getByRole('link', { name: 'console-demo' }).click();
    await page.getByRole('heading', { name: 'Cluster console-demo' }).waitFor();
    const nodegroup = page.locator('#nodegroups tbody tr').first();
    await nodegroup.waitFor();
    expect(await nodegroup.locator('th').textContent()).toMatch(/^ng-[0-9a-f]{8}$/);
    expect(await nodegroup.textContent()).toContain('ACTIVE');
    // Its Ready nodes as Check Nodes Ready last saw them, dated: the default nodegroup's 2 of 2.
    const ready = await nodegroup.locator('td').nth(1).textContent();
    expect(ready).toMatch(/^Ready 2\/2 \(as of \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\)$/);
    const { readyNodes } = (await (await fetch(`${local.apiUrl}/clusters/console-demo`)).json()) as { readyNodes: Record<string, { observedAt: string }> };
    expect(ready).toContain(Object.values(readyNodes)[0]!.observedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'));
    await page.getByRole('region', { name: 'Event log' }).getByText('Create Cluster Stack').first().waitFor();
    await shot(page, '4-cluster');

    // The list shows it with its version's support window.
    await page.getByRole('link', { name: 'Clusters', exact: true }).click();
    const row = page.locator('table.list tbody tr', { hasText: 'console-demo' });
    await row.locator('.support').waitFor();
    expect(await row.textContent()).toContain('ACTIVE');
    expect(await row.textContent()).toContain('local-developer');

    // Upgrade: the dialog's dry run comes first; Upgrade is enabled only once it says it can proceed. Cancelled here.
    await row.getByRole('link', { name: 'console-demo' }).click();
    await page.getByRole('button', { name: 'Upgrade…' }).click();
    const upgrade = page.getByRole('dialog', { name: 'Upgrade cluster console-demo' });
    expect(await upgrade.getByRole('button', { name: 'Upgrade', exact: true }).isDisabled()).toBe(true);
    const target = upgrade.getByLabel('Target version');
    // A version the guardrails do not allow: the API's error is shown at the field.
    await target.fill('1.34');
    await upgrade.getByRole('button', { name: 'Dry run' }).click();
    await upgrade.locator('#upgrade-version-errors', { hasText: 'guardrail kubernetesVersions' }).waitFor();
    expect(await target.getAttribute('aria-invalid')).toBe('true');
    await target.fill('1.33');
    await upgrade.getByRole('button', { name: 'Dry run' }).click();
    await upgrade.getByText(/1\.32 → 1\.33 in passes 1\.33\. It can proceed\./).waitFor();
    expect(await upgrade.getByRole('button', { name: 'Upgrade', exact: true }).isDisabled()).toBe(false);
    await shot(page, '5-upgrade-dry-run');
    await page.keyboard.press('Escape');
    await upgrade.waitFor({ state: 'hidden' });

    // Delete, through the confirmation dialog (Cancel first: nothing happens).
    await page.getByRole('button', { name: 'Delete cluster…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete cluster console-demo?' });
    await dialog.waitFor();
    await shot(page, '6-delete-dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(page.url()).toMatch(/#\/clusters\/console-demo$/);
    await page.getByRole('button', { name: 'Delete cluster…' }).click();
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.waitForURL(/#\/operations\/op-/);
    await page.locator('#operation-status .badge', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 60_000 });
    await page.locator('.gantt-phase[data-phase="Teardown"]').waitFor();
    await shot(page, '7-delete-operation');

    expect((await fetch(`${local.apiUrl}/clusters/console-demo`)).status).toBe(404);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('serves the bundle at / and /console/*, and leaves the API routes as they were', async () => {
    const mode = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, quiet: true });
    try {
      const index = await fetch(`${mode.apiUrl}/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toContain('text/html');
      expect(await index.text()).toContain('console/app.js');
      const script = await fetch(`${mode.apiUrl}/console/app.js`);
      expect(script.headers.get('content-type')).toContain('javascript');
      expect((await script.text()).length).toBeGreaterThan(10_000);
      expect((await fetch(`${mode.apiUrl}/console/app.css`)).status).toBe(200);
      expect((await fetch(`${mode.apiUrl}/console/missing.js`)).status).toBe(404);
      // API routes, and the API's own 404 and 405, are unchanged.
      expect((await fetch(`${mode.apiUrl}/clusters`)).status).toBe(200);
      const post = await fetch(`${mode.apiUrl}/`, { method: 'POST' });
      expect(post.headers.get('content-type')).toContain('problem+json');
    } finally {
      await mode.stop();
    }
  });
});

/**
 * Compiles the JSON Schemas in schemas/ ahead of time into functions/generated/:
 *  - validators.js: Ajv standalone validators (no schema compilation at cold start)
 *  - types.ts: TypeScript types derived from the same schemas (never written twice)
 * Runs before build, test, lint and synth; the output is not committed.
 */
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { compile } from 'json-schema-to-typescript';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const out = join(root, 'functions', 'generated');
const load = (path: string) => JSON.parse(readFileSync(join(root, 'schemas', path), 'utf8'));

const clusterSpec = load('cluster-spec.schema.json');
const statusEvent = load('events/operation-status.schema.json');
const operationRequest = load('events/operation-requested.schema.json');
const versionSupportEnding = load('events/version-support-ending.schema.json');
const workflow = load('workflow/workflow-state.schema.json');
const guardrails = load('config/guardrails.schema.json');
const kubeAgent = load('kube-agent.schema.json');
const readyNodes = load('api/ready-nodes.schema.json');
const workflowId = workflow.$id as string;

/** Validator name → schema reference. The step and API code imports these by name. */
const validators: Record<string, string> = {
  validateClusterSpec: clusterSpec.$id,
  validateStatusEvent: statusEvent.$id,
  validateOperationRequest: operationRequest.$id,
  validateGuardrails: guardrails.$id,
  validateProvisionInput: `${workflowId}#/definitions/ProvisionInput`,
  validateProvisionState: `${workflowId}#/definitions/ProvisionState`,
  validateNodegroupItem: `${workflowId}#/definitions/NodegroupItem`,
  validateSelfManagedNodegroupItem: `${workflowId}#/definitions/SelfManagedNodegroupItem`,
  validateFargateProfileItem: `${workflowId}#/definitions/FargateProfileItem`,
  validateAddonItem: `${workflowId}#/definitions/AddonItem`,
  validateFailureState: `${workflowId}#/definitions/FailureState`,
  validateUpdateInput: `${workflowId}#/definitions/UpdateInput`,
  validateNodeReadinessInput: `${workflowId}#/definitions/NodeReadinessInput`,
  validateDeleteInput: `${workflowId}#/definitions/DeleteInput`,
  validateOperationFailureState: `${workflowId}#/definitions/OperationFailureState`,
  validateUpgradeInput: `${workflowId}#/definitions/UpgradeInput`,
  validateUpgradeItem: `${workflowId}#/definitions/UpgradeItem`,
  validateKubeAgentRequest: `${kubeAgent.$id}#/definitions/KubeAgentRequest`,
};

function generateValidators(): string {
  // useDefaults: the schema's `default`s are the single source of eksctl-like defaults.
  // inlineRefs: false keeps one function per shared definition (SubnetId, Cidr, ...) instead of a copy per use: half the code.
  const ajv = new Ajv({ allErrors: true, useDefaults: true, discriminator: true, strict: true, strictRequired: false, inlineRefs: false, code: { source: true, esm: true, lines: false } });
  // tsType names the TypeScript type of a payload the API already validated (the normalised spec): types only.
  ajv.addKeyword('tsType');
  ajv.addSchema([workflow, statusEvent, clusterSpec, guardrails, operationRequest, kubeAgent]);
  return standaloneCode(ajv, validators);
}

/** A copy of a schema in which every property with a default is required: the shape after normalisation. */
function withDefaultsRequired(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withDefaultsRequired);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = key === 'default' ? value : withDefaultsRequired(value);
  const properties = copy.properties as Record<string, { default?: unknown }> | undefined;
  if (properties) {
    const defaulted = Object.keys(properties).filter((name) => properties[name]?.default !== undefined);
    copy.required = [...new Set([...((copy.required as string[]) ?? []), ...defaulted])];
  }
  return copy;
}

/** The cluster spec schema as it is after normalisation, its definitions prefixed so both type sets coexist. */
function normalisedSchema(schema: { definitions: Record<string, unknown> }): object {
  const renamed = JSON.parse(JSON.stringify(schema).replace(/"#\/definitions\/(\w+)"/g, '"#/definitions/Normalised$1"'));
  renamed.definitions = Object.fromEntries(Object.entries(renamed.definitions as Record<string, object>).map(([name, definition]) => [`Normalised${name}`, definition]));
  return { ...(withDefaultsRequired(renamed) as object), title: 'NormalisedClusterSpec', $id: 'normalised' };
}

async function generateTypes(): Promise<string> {
  const options = { bannerComment: '', ignoreMinAndMaxItems: true, additionalProperties: false, strictIndexSignatures: false, declareExternallyReferenced: true, format: false, cwd: join(root, 'schemas', 'workflow') };
  const input = await compile(clusterSpec, 'ClusterSpec', options);
  const normalised = await compile(normalisedSchema(clusterSpec), 'NormalisedClusterSpec', options);
  const workflowTypes = await compile({ ...workflow, title: 'WorkflowState', type: 'object', additionalProperties: false, properties: Object.fromEntries(Object.keys(workflow.definitions).map((name) => [name, { $ref: `#/definitions/${name}` }])) }, 'WorkflowState', options);
  const guardrailTypes = await compile(guardrails, 'Guardrails', options);
  const eventTypes = await compile(statusEvent, 'OperationStatusEvent', { ...options, cwd: join(root, 'schemas', 'events'), declareExternallyReferenced: false });
  const requestTypes = await compile(operationRequest, 'OperationRequestDetail', { ...options, cwd: join(root, 'schemas', 'events'), declareExternallyReferenced: false });
  const versionNoticeTypes = await compile(versionSupportEnding, 'VersionSupportEndingEvent', { ...options, cwd: join(root, 'schemas', 'events') });
  const readyNodesTypes = await compile(readyNodes, 'ReadyNodes', options);
  const kubeAgentTypes = await compile({ ...kubeAgent, type: 'object', additionalProperties: false, properties: Object.fromEntries(Object.keys(kubeAgent.definitions).map((name) => [name, { $ref: `#/definitions/${name}` }])) }, 'KubeAgent', options);
  return [
    '/* Generated by scripts/codegen.ts from schemas/. Do not edit. */',
    // The tsType of workflow payloads: the normalised spec and its items, as functions/domain/spec.ts refines them.
    "import type { AccessEntrySpec, AddonSpec, ClusterSettings, FargateProfileSpec, IdentityMappingSpec, NodegroupSpec, PodIdentityAssociationSpec, SelfManagedNodegroupSpec, Spec } from '../domain/spec';",
    // The upgrade's plan and version snapshots: plain JSON shaped by functions/domain/upgrade/plan.ts.
    "import type { UpgradePlan, VersionSnapshot } from '../domain/upgrade/plan';",
    input,
    normalised,
    workflowTypes,
    guardrailTypes,
    eventTypes.replace(/^export type (OperationType|Phase|ChangeAction) .*$/gm, ''),
    requestTypes.replace(/^export type (ChangeAction) .*$/gm, ''),
    versionNoticeTypes,
    kubeAgentTypes,
    readyNodesTypes,
  ].join('\n');
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'validators.js'), `/* Generated by scripts/codegen.ts from schemas/. Do not edit. */\n${generateValidators()}`);
  writeFileSync(
    join(out, 'validators.d.ts'),
    [
      "import type { ErrorObject } from 'ajv';",
      'export interface CompiledValidator { (data: unknown): boolean; errors?: ErrorObject[] | null }',
      ...Object.keys(validators).map((name) => `export declare const ${name}: CompiledValidator;`),
      '',
    ].join('\n'),
  );
  writeFileSync(join(out, 'types.ts'), await generateTypes());
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

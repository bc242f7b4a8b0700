/**
 * Synthesizes the real stack (real esbuild bundling of every handler) once per test file and offers
 * small lookups over the template. Vitest runs each file in its own process, so the cache is per file.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PROJECT_ROOT } from '../../lib/constructs/leakstop-function.ts';
import { createLeakstopApp } from '../../lib/leakstop-app.ts';
import type { LeakstopStack } from '../../lib/leakstop-stack.ts';
import type { FunctionName } from '../../functions/shared/resources.ts';

/** cdk.json's context, so tests synthesize with the same feature flags as `npx cdk synth`. */
export const CDK_CONTEXT: Record<string, unknown> = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

/** Context that turns asset bundling off: for tests that only read configuration. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Record<string, unknown>;
}

export interface Synthesized {
  app: App;
  stack: LeakstopStack;
  template: Template;
  resources: Record<string, CfnResourceJson>;
  outdir: string;
}

let cached: Synthesized | undefined;

/** The stack as `npx cdk synth` builds it (validation off here; nag.test.ts runs cdk-nag and CloudFormation's checks), synthesized once. */
export function synthesize(): Synthesized {
  if (cached) return cached;
  const outdir = mkdtempSync(join(tmpdir(), 'leakstop-infra-'));
  const { app, stack } = createLeakstopApp({ context: CDK_CONTEXT, outdir, validate: false });
  const template = Template.fromStack(stack);
  const resources = (template.toJSON() as { Resources: Record<string, CfnResourceJson> }).Resources;
  cached = { app, stack, template, resources, outdir };
  return cached;
}

export function logicalId(stack: LeakstopStack, element: unknown): string {
  return stack.getLogicalId(element as CfnElement);
}

export function functionLogicalId(stack: LeakstopStack, name: FunctionName): string {
  return logicalId(stack, stack.functions[name].node.defaultChild);
}

export function roleLogicalId(stack: LeakstopStack, name: FunctionName): string {
  return logicalId(stack, stack.functions[name].executionRole.node.defaultChild);
}

export function ofType(
  resources: Record<string, CfnResourceJson>,
  type: string,
): [string, CfnResourceJson][] {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: Statement): unknown[] {
  if (statement.Resource === undefined) return [];
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** Every statement of every identity policy (inline or managed) attached to a function's role. */
export function roleStatements(synth: Synthesized, name: FunctionName): Statement[] {
  const role = roleLogicalId(synth.stack, name);
  const attached = (policy: CfnResourceJson): boolean =>
    ((policy.Properties?.Roles as unknown[] | undefined) ?? []).some(
      (ref) => JSON.stringify(ref) === JSON.stringify({ Ref: role }),
    );
  const inline = (
    (synth.resources[role]?.Properties?.Policies as
      { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []
  ).flatMap((policy) => policy.PolicyDocument.Statement);
  const attachedPolicies = [
    ...ofType(synth.resources, 'AWS::IAM::Policy'),
    ...ofType(synth.resources, 'AWS::IAM::ManagedPolicy'),
  ]
    .filter(([, policy]) => attached(policy))
    .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
  return [...inline, ...attachedPolicies];
}

/** The resources a role may use an action on, as CloudFormation JSON strings (one entry per resource). */
export function resourcesFor(statements: Statement[], action: string): string[] {
  return statements
    .filter((statement) => statement.Effect === 'Allow' && actionsOf(statement).includes(action))
    .flatMap((statement) => resourcesOf(statement).map((resource) => JSON.stringify(resource)));
}

export function allowedActions(statements: Statement[]): Set<string> {
  return new Set(statements.filter((s) => s.Effect === 'Allow').flatMap(actionsOf));
}

export const ref = (id: string): string => JSON.stringify({ Ref: id });
export const arnOf = (id: string): string => JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] });

/** The directory of a function's bundled code in the cloud assembly (found through the asset manifest). */
export function bundleDirOf(
  outdir: string,
  stack: Stack,
  functionProps: Record<string, unknown> | undefined,
): string {
  const key = String((functionProps?.Code as { S3Key?: unknown } | undefined)?.S3Key ?? '');
  const manifest = JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string } }>;
  };
  const asset = manifest.files[key.replace(/\.zip$/, '')];
  if (!asset) throw new Error(`no asset for S3 key ${key}`);
  return join(outdir, asset.source.path);
}

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_TARGET,
  LAMBDA_RUNTIME,
  LeakstopFunction,
  TRACING_ACTIONS,
} from '../../lib/constructs/leakstop-function.ts';
import type { FunctionDefinition } from '../../functions/shared/resources.ts';
import { bundleDirOf, CDK_CONTEXT, type CfnResourceJson, ofType } from './helpers.ts';

const definition: FunctionDefinition = {
  name: 'history',
  entry: 'test/infra/fixtures/echo-handler.ts',
  handler: 'handler',
  timeoutSeconds: 7,
  memoryMb: 192,
  description: 'fixture',
  access: { table: 'read', sendsTo: [], secrets: [] },
};

let stack: Stack;
let fn: LeakstopFunction;
let resources: Record<string, CfnResourceJson>;
let outdir: string;
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'leakstop-fn-'));
  const app = new App({ context: CDK_CONTEXT, outdir, builtinCloudFormationValidation: false });
  stack = new Stack(app, 'FunctionTest');
  fn = new LeakstopFunction(stack, 'Echo', {
    definition,
    environment: { POWERTOOLS_SERVICE_NAME: 'caller-service', EXTRA: 'kept' },
  });
  resources = (Template.fromStack(stack).toJSON() as { Resources: Record<string, CfnResourceJson> })
    .Resources;
});

const props = () => resources[stack.getLogicalId(fn.node.defaultChild as never)]?.Properties ?? {};

describe('LeakstopFunction', () => {
  it('merges the caller environment over its defaults without replacing caller values', () => {
    expect((props().Environment as { Variables: unknown }).Variables).toEqual({
      POWERTOOLS_SERVICE_NAME: 'caller-service',
      POWERTOOLS_METRICS_NAMESPACE: 'leakstop',
      NODE_OPTIONS: '--enable-source-maps',
      EXTRA: 'kept',
    });
  });

  it('pins the runtime, arm64, active tracing, timeout and memory from the definition', () => {
    expect(props()).toMatchObject({
      Runtime: LAMBDA_RUNTIME.name,
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Timeout: 7,
      MemorySize: 192,
      Handler: 'index.handler',
    });
    expect(BUNDLE_TARGET).toBe(`node${LAMBDA_RUNTIME.name.match(/\d+/)?.[0]}`);
  });

  it('gives the function a log group with 90-day retention by default', () => {
    const [[, group] = []] = ofType(resources, 'AWS::Logs::LogGroup');
    expect(group?.Properties?.RetentionInDays).toBe(90);
  });

  it('starts the role with only log writing and X-Ray, each in its own policy, and no managed policy', () => {
    const policies = ofType(resources, 'AWS::IAM::Policy').map(
      ([, p]) => (p.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
    );
    const actions = policies.map((statements) => statements.flatMap((s) => [s.Action].flat()).sort());
    expect(actions).toEqual(
      expect.arrayContaining([['logs:CreateLogStream', 'logs:PutLogEvents'], [...TRACING_ACTIONS].sort()]),
    );
    expect(actions).toHaveLength(2);
    const [[, role] = []] = ofType(resources, 'AWS::IAM::Role');
    expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
  });

  it('bundles an ES module with source map and a require shim', () => {
    const dir = bundleDirOf(outdir, stack, props());
    const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(bundle.startsWith("import { createRequire as __leakstopCreateRequire } from 'node:module';")).toBe(
      true,
    );
    expect(bundle).toMatch(/export\s*\{[^}]*handler/);
    expect(bundle).toContain('sourceMappingURL=index.mjs.map');
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
  });
});

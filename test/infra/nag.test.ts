import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, type PolicyValidationPluginReport, Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { TRACING_ACTIONS } from '../../lib/constructs/leakstop-function.ts';
import { createLeakstopApp } from '../../lib/leakstop-app.ts';
import { KEY_OWNER_LOOKUP_ACTIONS } from '../../lib/leakstop-stack.ts';
import { CDK_CONTEXT, NO_BUNDLING } from './helpers.ts';

interface Acknowledgement {
  id: string;
  reason: string;
  path: string;
  construct: IConstruct;
}

/** Every `Validations.of(x).acknowledge(...)` in the tree, read from the metadata CDK records. */
function acknowledgements(app: App): Acknowledgement[] {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([qualified, reason]) => ({
          id: qualified.replace(/^[^:]+::/, ''),
          reason,
          path: construct.node.path,
          construct,
        })),
      ),
  );
}

const describeViolations = (report: PolicyValidationPluginReport) =>
  report.violations.map(
    (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
  );

let app: App;
let assemblyDir: string;
let beforeSynth: PolicyValidationPluginReport;
beforeAll(() => {
  const outdir = mkdtempSync(join(tmpdir(), 'leakstop-nag-'));
  // The app exactly as bin/app.ts builds it: AwsSolutions registered as a validation plugin.
  ({ app } = createLeakstopApp({ context: CDK_CONTEXT, outdir }));
  beforeSynth = new AwsSolutionsChecks().validateScope(app);
  assemblyDir = app.synth().directory;
});

describe('cdk-nag AwsSolutions', () => {
  it('finds no unacknowledged error or warning', () => {
    expect(describeViolations(beforeSynth)).toEqual([]);
  });

  it('synthesis with the plugin leaves an empty validation report', () => {
    const report = JSON.parse(readFileSync(join(assemblyDir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations?: unknown[] }[];
    };
    const violations = report.pluginReports.flatMap((plugin) =>
      (plugin.violations ?? []).map((violation) => ({ plugin: plugin.pluginName, violation })),
    );
    expect(violations).toEqual([]);
  });

  it('every acknowledgement names one rule, and IAM4/IAM5 ones name one finding', () => {
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id, ack.path).toMatch(/^AwsSolutions-[A-Z]+\d+/);
      if (/^AwsSolutions-IAM[45]/.test(ack.id))
        expect(ack.id, ack.path).toMatch(/^AwsSolutions-IAM[45]\[.+\]$/);
      expect(ack.id, ack.path).not.toMatch(/\[\*\]$/);
      expect(ack.reason.length, ack.path).toBeGreaterThanOrEqual(60);
    }
  });

  it('no acknowledgement is placed on the stack or the app (no blanket suppression)', () => {
    for (const ack of acknowledgements(app)) expect(ack.path.split('/').length, ack.id).toBeGreaterThan(1);
  });

  it('a bare `*` resource is acknowledged only on policies that hold nothing but X-Ray or key-owner lookup actions', () => {
    const wildcard = acknowledgements(app).filter((ack) => ack.id.endsWith('[Resource::*]'));
    expect(wildcard.length).toBeGreaterThan(0);
    for (const ack of wildcard) {
      const policies = ack.construct.node.findAll().filter((c): c is CfnPolicy => c instanceof CfnPolicy);
      expect(policies, ack.path).toHaveLength(1);
      const policy = policies[0] as CfnPolicy;
      const document = Stack.of(policy).resolve(policy.policyDocument) as {
        Statement: { Action: string | string[]; Resource: unknown }[];
      };
      for (const statement of document.Statement) {
        expect([[...TRACING_ACTIONS].sort(), [...KEY_OWNER_LOOKUP_ACTIONS]], ack.path).toContainEqual(
          [statement.Action].flat().sort(),
        );
        expect(statement.Resource).toBe('*');
      }
    }
  });

  it('every acknowledgement is needed: without them, exactly the acknowledged findings appear', () => {
    // Prepare: the same stack with acknowledge() turned into a no-op (no bundling needed for this).
    const acknowledged = new Set(acknowledgements(app).map((ack) => ack.id));
    const spy = vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
    try {
      const { app: bare } = createLeakstopApp({
        context: { ...CDK_CONTEXT, ...NO_BUNDLING },
        validate: false,
      });
      // Act
      const findings = new AwsSolutionsChecks().validateScope(bare).violations.map((v) => v.ruleName);
      // Assess
      expect(new Set(findings)).toEqual(acknowledged);
    } finally {
      spy.mockRestore();
    }
  });
});

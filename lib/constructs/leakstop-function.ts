import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import { Effect, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type CfnFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { FunctionDefinition } from '../../functions/shared/resources.ts';

/** The repository root: entries in resources.ts are relative to it, and its package-lock.json pins the bundle. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Every function runs the same pinned runtime. nodejs24.x: the newest Lambda Node.js runtime, supported
 * until 2028 and what cdk-nag (AwsSolutions-L1) expects; NODEJS_LATEST is avoided because it moves with CDK.
 */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
/** esbuild target that matches LAMBDA_RUNTIME. */
export const BUNDLE_TARGET = 'node24';

/**
 * ESM bundles of CommonJS dependencies still call `require` (e.g. for Node built-ins): define it.
 * The alias avoids clashing with anything the bundle itself declares.
 */
const REQUIRE_SHIM =
  "import { createRequire as __leakstopCreateRequire } from 'node:module'; const require = __leakstopCreateRequire(import.meta.url);";

/** X-Ray accepts trace segments only on `*`: it has no resource-level permissions. */
export const TRACING_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;

export interface LeakstopFunctionProps {
  /** The function's entry in `FUNCTIONS` (resources.ts): entry, handler, timeout, memory, description. */
  readonly definition: FunctionDefinition;
  /**
   * Environment of the function. Merged over the construct's defaults (POWERTOOLS_SERVICE_NAME,
   * POWERTOOLS_METRICS_NAMESPACE, NODE_OPTIONS): a value given here always wins.
   * @default - only the defaults
   */
  readonly environment?: Record<string, string>;
  /**
   * How long the function's log group keeps events.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
  /**
   * KMS key that encrypts the log group. Its key policy must let CloudWatch Logs use it.
   * @default - CloudWatch Logs' own server-side encryption
   */
  readonly logEncryptionKey?: IKey;
}

/**
 * The one Lambda function construct of leakstop: pinned runtime, arm64, active tracing, a dedicated
 * encrypted log group with retention, ESM bundling with source maps, and its own role that starts
 * with nothing but writing its own logs and traces. Callers add every other permission with grants.
 */
export class LeakstopFunction extends NodejsFunction {
  /** The execution role; it holds only what grants add to it. */
  public readonly executionRole: Role;
  /** The function's entry in resources.ts. */
  public readonly definition: FunctionDefinition;

  constructor(scope: Construct, id: string, props: LeakstopFunctionProps) {
    const { definition } = props;
    // A role of our own instead of the default one: the default attaches the AWS managed
    // AWSLambdaBasicExecutionRole (logs:CreateLogGroup etc. on every log group, cdk-nag IAM4).
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `leakstop ${definition.name}: execution role`,
    });
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      encryptionKey: props.logEncryptionKey,
    });

    super(scope, id, {
      entry: join(PROJECT_ROOT, definition.entry),
      handler: definition.handler,
      description: definition.description,
      timeout: Duration.seconds(definition.timeoutSeconds),
      memorySize: definition.memoryMb,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      role,
      logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      // Defaults first, the caller's environment over them: a caller value is never replaced.
      environment: {
        POWERTOOLS_SERVICE_NAME: 'leakstop',
        POWERTOOLS_METRICS_NAMESPACE: 'leakstop',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE_TARGET,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        banner: REQUIRE_SHIM,
        // The AWS SDK v3 comes with the runtime and stays out of the bundle (CDK's default).
      },
    });
    this.executionRole = role;
    this.definition = definition;

    logGroup.grantWrite(role);

    // Active tracing is set on the function itself rather than with `tracing: Tracing.ACTIVE`,
    // which would put `xray:* on *` into the role's default policy beside every other grant. In a
    // policy of its own, the cdk-nag acknowledgement of that wildcard covers X-Ray and nothing else.
    (this.node.defaultChild as CfnFunction).tracingConfig = { mode: 'Active' };
    const tracing = new Policy(this, 'TracingPolicy', {
      statements: [
        new PolicyStatement({ effect: Effect.ALLOW, actions: [...TRACING_ACTIONS], resources: ['*'] }),
      ],
    });
    role.attachInlinePolicy(tracing);
    Validations.of(tracing).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; this policy holds only those two actions.',
    });
  }
}

/**
 * Copies search in Lambda environment variables: ListFunctions with `FunctionVersion=ALL` (every
 * published version keeps the variables it was published with), 50 per page, each variable compared
 * with the credential (value, parts, fingerprint). Variables Lambda cannot decrypt for us (a
 * customer-managed KMS key we may not use) are counted as unreadable.
 */
import { LambdaClient, ListFunctionsCommand, type FunctionConfiguration } from '@aws-sdk/client-lambda';
import { awsCopyLocation } from '../../domain/containment/copies.ts';
import { AwsCopiesTracer, recordCopy, type ScopeContext } from './copies-search.ts';
import { eachPage } from '../tracing/calls.ts';

export class LambdaEnvCopiesTracer extends AwsCopiesTracer {
  readonly name = 'lambda-env';
  protected readonly examines = ['Lambda function version', 'Lambda function versions'] as const;

  protected async searchScope(context: ScopeContext): Promise<{ truncated: boolean }> {
    const { scope } = context;
    const client = this.settings.clients.get('lambda', scope, (config) => new LambdaClient(config));
    const complete = await eachPage(
      context.pageBudget,
      (marker) =>
        context.call((abortSignal) =>
          client.send(
            new ListFunctionsCommand({
              FunctionVersion: 'ALL',
              MaxItems: 50,
              ...(marker ? { Marker: marker } : {}),
            }),
            {
              abortSignal,
            },
          ),
        ),
      (page) => page.NextMarker,
      (page) => {
        for (const fn of page.Functions ?? []) inspect(fn, context);
      },
    );
    return { truncated: !complete };
  }
}

function inspect(fn: FunctionConfiguration, { scope, matcher, findings }: ScopeContext): void {
  findings.examined++;
  if (fn.Environment?.Error) {
    findings.unreadable++;
    return;
  }
  const name = fn.FunctionName ?? 'unknown';
  for (const [variable, value] of Object.entries(fn.Environment?.Variables ?? {})) {
    const match = matcher.locate(value, variable);
    if (!match) continue;
    recordCopy(
      findings,
      awsCopyLocation({
        ...scope,
        service: 'lambda',
        resource: [name, 'env', variable],
        version: fn.Version ?? '$LATEST',
        line: match.line,
      }),
    );
  }
}

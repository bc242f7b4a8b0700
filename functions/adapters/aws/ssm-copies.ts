/**
 * Copies search in SSM Parameter Store: DescribeParameters (50 per page) for the names, then
 * GetParameters in batches of 10 with decryption, so SecureString values are compared too (that
 * needs kms:Decrypt on their keys). A StringList is compared whole and item by item. A batch the
 * caller may not read is counted as unreadable and the search goes on.
 */
import {
  DescribeParametersCommand,
  GetParametersCommand,
  SSMClient,
  type Parameter,
} from '@aws-sdk/client-ssm';
import { awsCopyLocation } from '../../domain/containment/copies.ts';
import { AwsCopiesTracer, recordCopy, type ScopeContext } from './copies-search.ts';
import { DeadlineReached, describeError, eachPage, mapLimit } from '../tracing/calls.ts';

const GET_PARAMETERS_MAX = 10;

export class SsmParameterCopiesTracer extends AwsCopiesTracer {
  readonly name = 'ssm-parameters';
  protected readonly examines = ['SSM parameter', 'SSM parameters'] as const;

  protected async searchScope(context: ScopeContext): Promise<{ truncated: boolean }> {
    const { scope, findings } = context;
    const client = this.settings.clients.get('ssm', scope, (config) => new SSMClient(config));
    const complete = await eachPage(
      context.pageBudget,
      (token) =>
        context.call((abortSignal) =>
          client.send(
            new DescribeParametersCommand({ MaxResults: 50, ...(token ? { NextToken: token } : {}) }),
            { abortSignal },
          ),
        ),
      (page) => page.NextToken,
      async (page) => {
        const names = (page.Parameters ?? []).flatMap((p) => (p.Name ? [p.Name] : []));
        const batches: string[][] = [];
        for (let i = 0; i < names.length; i += GET_PARAMETERS_MAX)
          batches.push(names.slice(i, i + GET_PARAMETERS_MAX));
        await mapLimit(batches, 3, async (batch) => {
          try {
            const answer = await context.call((abortSignal) =>
              client.send(new GetParametersCommand({ Names: batch, WithDecryption: true }), { abortSignal }),
            );
            // Names listed as InvalidParameters were deleted since the listing: nothing to compare.
            for (const parameter of answer.Parameters ?? []) inspect(parameter, context);
          } catch (error) {
            if (error instanceof DeadlineReached) throw error;
            findings.examined += batch.length;
            findings.unreadable += batch.length;
            findings.notes.push(`GetParameters: ${describeError(error, context.scrubber)}`);
          }
        });
      },
    );
    return { truncated: !complete };
  }
}

function inspect(parameter: Parameter, { scope, matcher, findings }: ScopeContext): void {
  findings.examined++;
  const name = parameter.Name ?? 'unknown';
  const value = parameter.Value ?? '';
  const match =
    matcher.locate(value, name) ??
    (parameter.Type === 'StringList'
      ? value
          .split(',')
          .map((item) => matcher.locate(item, name))
          .find(Boolean)
      : undefined);
  if (!match) return;
  recordCopy(
    findings,
    awsCopyLocation({
      ...scope,
      service: 'ssm',
      resource: [name],
      version: String(parameter.Version ?? 'unknown'),
      line: match.line,
    }),
  );
}

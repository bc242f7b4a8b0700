/**
 * Copies search in Secrets Manager, and the containment step for credentials kept there: ListSecrets
 * (100 per page), GetSecretValue of each secret's AWSCURRENT version and, when the listing shows one,
 * its AWSPREVIOUS version (needs kms:Decrypt on its key), compared with the credential — whole, each
 * JSON field, and by fingerprint. A value rotated out minutes ago is still one GetSecretValue away
 * (and clients fall back to AWSPREVIOUS during a rotation), so it is a copy too. leakstop's own vault
 * (`leakstop/vault/…`) holds the leaked value by design and is never searched.
 *
 * A copy found in a secret with rotation configured: in `enforce`, RotateSecret starts a rotation
 * (its ClientRequestToken derives from the incident and the secret version, so a retried containment
 * names the same rotation rather than starting another) and is reported in `actions`; otherwise the
 * detail says what would be done.
 */
import {
  GetSecretValueCommand,
  ListSecretsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  type SecretListEntry,
} from '@aws-sdk/client-secrets-manager';
import { createHash } from 'node:crypto';
import { awsCopyLocation, type Scrubber } from '../../domain/containment/copies.ts';
import type { TraceInput, TraceResult } from '../../domain/containment/tracing.ts';
import { VAULT_PREFIX } from '../../shared/resources.ts';
import { AwsCopiesTracer, copiesResult, recordCopy, type ScopeContext } from './copies-search.ts';
import { awsRetry, type AwsScope } from './trace-calls.ts';
import { DeadlineReached, describeError, eachPage, mapLimit } from '../tracing/calls.ts';

/** A secret holding a copy: where, which version, and whether rotation is configured. */
interface SecretCopy {
  readonly scope: AwsScope;
  readonly arn: string;
  readonly name: string;
  readonly versionId: string;
  readonly rotationEnabled: boolean;
  /** Only the AWSPREVIOUS version holds it: the secret was rotated since; nothing to rotate. */
  readonly previousOnly: boolean;
}

export class SecretsManagerCopiesTracer extends AwsCopiesTracer {
  readonly name = 'secrets-manager';
  protected readonly examines = ['secret', 'secrets'] as const;
  /** Each trace's secrets holding a copy, for the rotation that follows the search. */
  private readonly found = new WeakMap<TraceInput, SecretCopy[]>();

  override async trace(input: TraceInput): Promise<TraceResult> {
    const found: SecretCopy[] = [];
    this.found.set(input, found);
    const search = await this.search(input);
    const rotation = await this.rotate(found, input, search.scrubber);
    return copiesResult(search, rotation);
  }

  private client(scope: AwsScope): SecretsManagerClient {
    return this.settings.clients.get('secretsmanager', scope, (config) => new SecretsManagerClient(config));
  }

  protected async searchScope(context: ScopeContext): Promise<{ truncated: boolean }> {
    const found = this.found.get(context.input) ?? [];
    const client = this.client(context.scope);
    const complete = await eachPage(
      context.pageBudget,
      (token) =>
        context.call((abortSignal) =>
          client.send(new ListSecretsCommand({ MaxResults: 100, ...(token ? { NextToken: token } : {}) }), {
            abortSignal,
          }),
        ),
      (page) => page.NextToken,
      async (page) => {
        const entries = (page.SecretList ?? []).filter(
          (s) => s.ARN && s.Name && !s.Name.startsWith(VAULT_PREFIX),
        );
        await mapLimit(entries, 5, (entry) => this.inspect(entry, client, context, found));
      },
    );
    return { truncated: !complete };
  }

  private async inspect(
    entry: SecretListEntry,
    client: SecretsManagerClient,
    context: ScopeContext,
    found: SecretCopy[],
  ): Promise<void> {
    const { scope, matcher, findings } = context;
    findings.examined++;
    const previous = Object.entries(entry.SecretVersionsToStages ?? {}).find(([, stages]) =>
      stages.includes('AWSPREVIOUS'),
    )?.[0];
    for (const versionId of [undefined, ...(previous ? [previous] : [])]) {
      const version = await this.read(entry, client, context, versionId);
      if (!version) continue;
      const match = matcher.locate(version.value, entry.Name!);
      if (!match) continue;
      recordCopy(
        findings,
        awsCopyLocation({
          ...scope,
          service: 'secretsmanager',
          resource: match.field ? [entry.Name!, match.field] : [entry.Name!],
          version: version.versionId,
          line: match.line,
        }),
      );
      found.push({
        scope,
        arn: entry.ARN!,
        name: entry.Name!,
        versionId: version.versionId,
        rotationEnabled: entry.RotationEnabled === true,
        previousOnly: versionId !== undefined,
      });
      // A copy in the current value is the one to rotate away; the previous version then need not be read.
      return;
    }
  }

  /** One version's value (AWSCURRENT, or the version id given); undefined when gone or unreadable. */
  private async read(
    entry: SecretListEntry,
    client: SecretsManagerClient,
    context: ScopeContext,
    versionId: string | undefined,
  ): Promise<{ value: string; versionId: string } | undefined> {
    const { findings } = context;
    try {
      const answer = await context.call((abortSignal) =>
        client.send(
          new GetSecretValueCommand({ SecretId: entry.ARN, ...(versionId ? { VersionId: versionId } : {}) }),
          { abortSignal },
        ),
      );
      const value =
        answer.SecretString ??
        (answer.SecretBinary ? Buffer.from(answer.SecretBinary).toString('utf8') : undefined);
      return value === undefined
        ? undefined
        : { value, versionId: answer.VersionId ?? versionId ?? 'AWSCURRENT' };
    } catch (error) {
      if (error instanceof DeadlineReached) throw error;
      // Deleted since the listing, or no such version: nothing to compare.
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      findings.unreadable++;
      findings.notes.push(`GetSecretValue: ${describeError(error, context.scrubber)}`);
      return undefined;
    }
  }

  /** Starts rotation of each secret holding a copy (enforce only); says what was or would be done. */
  private async rotate(
    found: readonly SecretCopy[],
    input: TraceInput,
    scrubber: Scrubber,
  ): Promise<{ detail?: string; actions?: string[] }> {
    const all = [...new Map(found.map((s) => [s.arn, s])).values()];
    const secrets = all.filter((s) => !s.previousOnly);
    const rotatable = secrets.filter((s) => s.rotationEnabled);
    const manual = secrets.filter((s) => !s.rotationEnabled);
    const notes: string[] = [];
    const rotatedOut = all.filter((s) => s.previousOnly);
    if (rotatedOut.length)
      notes.push(
        `only the previous version (AWSPREVIOUS) of ${rotatedOut.map(label).join(', ')} holds it: already rotated out of AWSCURRENT`,
      );
    if (manual.length)
      notes.push(`no rotation configured for ${manual.map(label).join(', ')}: replace the value by hand`);
    if (rotatable.length === 0) return notes.length ? { detail: notes.join('; ') } : {};
    if (input.mode !== 'enforce') {
      notes.push(`${input.mode}: would start rotation of ${rotatable.map(label).join(', ')}`);
      return { detail: notes.join('; ') };
    }
    const actions: string[] = [];
    for (const secret of rotatable) {
      try {
        const answer = await awsRetry(
          (abortSignal) =>
            this.client(secret.scope).send(
              new RotateSecretCommand({
                SecretId: secret.arn,
                ClientRequestToken: rotationToken(input.incident.id, secret),
                RotateImmediately: true,
              }),
              { abortSignal },
            ),
          input.deadline,
          this.settings.timing,
        );
        actions.push(`started rotation of ${label(secret)} (new version ${answer.VersionId ?? 'unknown'})`);
      } catch (error) {
        // A rotation already running (ours from an earlier attempt, or a scheduled one) replaces the value too.
        const { name, message } = error as { name?: string; message?: string };
        if (name === 'InvalidRequestException' && /previous rotation|in progress/i.test(message ?? ''))
          actions.push(`rotation of ${label(secret)} already in progress`);
        else notes.push(`rotation of ${label(secret)} failed: ${describeError(error, scrubber)}`);
      }
    }
    return { ...(notes.length ? { detail: notes.join('; ') } : {}), actions };
  }
}

const label = (s: SecretCopy) =>
  `Secrets Manager secret ${s.name} (aws:${s.scope.account}:${s.scope.region})`;

/** 64 hex characters (RotateSecret takes 32–64): the same incident and secret version, the same rotation. */
function rotationToken(incidentId: string, secret: SecretCopy): string {
  return createHash('sha256')
    .update(`leakstop:${incidentId}:${secret.arn}:${secret.versionId}`)
    .digest('hex');
}

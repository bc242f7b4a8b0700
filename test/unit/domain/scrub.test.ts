import { describe, expect, it } from 'vitest';
import { scrubbing, scrubSecret, type Revoker } from '../../../functions/domain/containment/revokers.ts';
import type { Incident } from '../../../functions/domain/incidents/incident.ts';
import { awsProviderError } from '../../../functions/adapters/aws/provider-errors.ts';
import { awsKeyPair, githubToken } from '../../helpers/credentials.ts';

describe('keeping credentials out of what containment records', () => {
  it('removes a token, and each part of an AWS pair, from a provider message', () => {
    const token = githubToken();
    expect(scrubSecret(`rejected ${token} (401)`, token)).toBe('rejected … (401)');
    const pair = awsKeyPair();
    const text = scrubSecret(`key ${pair.accessKeyId} / ${pair.secretAccessKey}`, JSON.stringify(pair));
    expect(text).not.toContain(pair.accessKeyId);
    expect(text).not.toContain(pair.secretAccessKey);
  });

  it('drops access key ids from AWS error messages (IAM names the key it could not find)', () => {
    const { accessKeyId } = awsKeyPair();
    const error = Object.assign(new Error(`The Access Key with id ${accessKeyId} cannot be found.`), {
      name: 'NoSuchEntityException',
      $metadata: { httpStatusCode: 404 },
    });
    const wrapped = awsProviderError('aws', 'iam:UpdateAccessKey', error);
    expect(wrapped.message).not.toContain(accessKeyId);
    expect(wrapped.message).toContain('NoSuchEntity');
    expect(wrapped.transient).toBe(false);
  });

  it('a revoker that echoes the credential has it scrubbed from reasons, identities and actions', async () => {
    const token = githubToken();
    const echoing: Revoker = {
      provider: 'github',
      types: ['github_pat_classic'],
      verifyWithinMs: 1000,
      probe: async (value) => ({ state: 'live', identity: `owner of ${value}`, details: { seen: value } }),
      revoke: async (value) => ({ outcome: 'revoked', actions: [`revoked ${value}`] }),
    };
    const safe = scrubbing(echoing, token);
    const incident = {} as Incident;
    expect(JSON.stringify(await safe.probe(token, incident))).not.toContain(token);
    expect(JSON.stringify(await safe.revoke(token, incident, { deadline: Date.now() + 1000 }))).not.toContain(
      token,
    );
  });
});

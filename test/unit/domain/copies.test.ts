import { describe, expect, it } from 'vitest';
import {
  awsCopyLocation,
  CopyMatcher,
  credentialParts,
  Scrubber,
  scrubberFor,
} from '../../../functions/domain/containment/copies.ts';
import { classifySecret } from '../../../functions/domain/detection/index.ts';
import { awsKeyPair, githubToken } from '../../helpers/credentials.ts';

const KEY = 'unit-fingerprint-key';

function matcherFor(value: string): { matcher: CopyMatcher; secret: string } {
  const classified = classifySecret(value, { fingerprintKey: KEY })!;
  return {
    matcher: new CopyMatcher({
      fingerprint: classified.fingerprint,
      plaintext: classified.secret,
      fingerprintKey: KEY,
    }),
    secret: classified.secret,
  };
}

describe('credentialParts', () => {
  it('splits the vault’s AWS key-pair JSON into the key id and the secret key', () => {
    const pair = awsKeyPair();
    expect(credentialParts(JSON.stringify(pair))).toEqual({
      value: JSON.stringify(pair),
      parts: [pair.accessKeyId, pair.secretAccessKey],
      accessKeyId: pair.accessKeyId,
      secretAccessKey: pair.secretAccessKey,
    });
  });

  it('adds the longest line of a multi-line value, which a log line can hold', () => {
    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';
    const parts = credentialParts(
      `-----BEGIN PRIVATE KEY-----\n${body}\nabc\n-----END PRIVATE KEY-----`,
    ).parts;
    expect(parts[1]).toBe(body);
  });
});

describe('CopyMatcher', () => {
  it('matches the exact value, and the value inside text at token boundaries', () => {
    const token = githubToken();
    const { matcher } = matcherFor(token);
    expect(matcher.locate(token)).toEqual({ line: 1 });
    expect(matcher.locate(`  ${token}\n`)).toEqual({ line: 1 });
    expect(matcher.locate(`export A=1\nexport GH="${token}"`)).toEqual({ line: 2 });
  });

  it('does not match a different value with the same prefix, nor the value inside a longer token', () => {
    const token = githubToken();
    const { matcher } = matcherFor(token);
    const sibling = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(matcher.locate(sibling)).toBeUndefined();
    expect(matcher.locate(`${token}A`)).toBeUndefined();
    expect(matcher.locate(`x_${token}`)).toBeUndefined();
    expect(matcher.locate(token.slice(0, 20))).toBeUndefined();
  });

  it('matches an AWS key by its key id or its secret key, and a field of a JSON document by path', () => {
    const pair = awsKeyPair();
    const { matcher } = matcherFor(JSON.stringify(pair));
    expect(matcher.locate(pair.accessKeyId)).toEqual({ line: 1 });
    expect(matcher.locate(pair.secretAccessKey)).toEqual({ line: 1 });
    expect(matcher.locate(JSON.stringify({ db: { user: 'x' }, aws: { key: pair.accessKeyId } }))).toEqual({
      line: 1,
      field: '$.aws.key',
    });
    expect(matcher.locate(awsKeyPair().accessKeyId)).toBeUndefined();
  });

  it('matches by fingerprint what the engine finds inside a value (same identity, other surroundings)', () => {
    const pair = awsKeyPair();
    const { matcher } = matcherFor(JSON.stringify({ accessKeyId: pair.accessKeyId }));
    // The key id next to a different secret: the same AWS credential (its identity is the key id).
    expect(
      matcher.locate(
        `[default]\naws_access_key_id=${pair.accessKeyId}\naws_secret_access_key=${awsKeyPair().secretAccessKey}`,
        'credentials',
      ),
    ).toEqual({ line: 2 });
  });

  it('offers only single-line parts without quotes or backslashes as log search terms', () => {
    const pair = awsKeyPair();
    expect(matcherFor(JSON.stringify(pair)).matcher.searchTerms).toEqual([
      pair.accessKeyId,
      pair.secretAccessKey,
    ]);
    const weird = new CopyMatcher({
      fingerprint: '0'.repeat(64),
      plaintext: 'pass"word\\value-long-enough',
      fingerprintKey: KEY,
    });
    expect(weird.searchTerms).toEqual([]);
  });
});

describe('Scrubber', () => {
  it('replaces a whole secret and withholds text that still quotes part of one', () => {
    const token = githubToken();
    const scrubber = scrubberFor(token);
    expect(scrubber.clean(`name-${token}-x`)).toBe('name-[redacted]-x');
    expect(scrubber.clean(`prefix ${token.slice(2, 20)} suffix`)).toBe(
      '[withheld: it quoted part of the credential]',
    );
    expect(scrubber.clean('nothing secret here')).toBe('nothing secret here');
  });

  it('cleans every string of a result, however deep', () => {
    const scrubber = new Scrubber(['supersecretvalue-123456']);
    expect(
      scrubber.cleanDeep({ a: ['x supersecretvalue-123456'], b: { c: 1, d: 'supersecretvalue-123456' } }),
    ).toEqual({
      a: ['x [redacted]'],
      b: { c: 1, d: '[redacted]' },
    });
  });
});

describe('awsCopyLocation', () => {
  it('names the account and Region as the repo, the resource as the path, the version as the commit', () => {
    expect(
      awsCopyLocation({
        account: '123456789012',
        region: 'eu-west-1',
        service: 'lambda',
        resource: ['fn', 'env', 'TOKEN'],
        version: '3',
      }),
    ).toEqual({
      repo: 'aws:123456789012:eu-west-1',
      commit: '3',
      path: 'lambda:fn:env:TOKEN',
      line: 1,
      source: 'copies_search',
    });
  });
});

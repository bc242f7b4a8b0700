/**
 * A finding says whether leakstop revokes its kind on its own (`revocable`): that promise holds
 * only when the containment function is wired with a revoker for the kind.
 */
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../../functions/domain/detection/index.ts';
import { revokers } from '../../../functions/handlers/common/containment-wiring.ts';
import { ENV } from '../../../functions/shared/resources.ts';

describe('the containment function wiring', () => {
  const wired = revokers(
    {
      vault: { put: async () => {}, get: async () => undefined, delete: async () => {} } as never,
      clock: { now: () => new Date() } as never,
      credentialsFor: (async () => ({})) as never,
    },
    { [ENV.tableName]: 'leakstop-test', AWS_REGION: 'us-east-1' },
  );

  it('has a revoker for every kind detection reports as revocable, and only those', () => {
    const handled = (type: string, provider: string): boolean =>
      wired.some((r) => r.provider === provider && r.types.includes(type));
    expect(KINDS.filter((k) => k.revocable && !handled(k.type, k.provider)).map((k) => k.type)).toEqual([]);
    expect(KINDS.filter((k) => !k.revocable && handled(k.type, k.provider)).map((k) => k.type)).toEqual([]);
  });
});

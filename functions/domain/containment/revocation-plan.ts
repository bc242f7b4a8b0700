/**
 * What containment would do for each kind of credential, in words an on-call engineer can follow.
 * Dry-run records this plan on the timeline; credentials without an automatic revoker get it as
 * their manual containment task.
 */

export interface RevocationPlan {
  /** The provider calls leakstop makes (or, for manual providers, the steps a person takes). */
  readonly steps: readonly string[];
  /** How "dead" is proven afterwards. */
  readonly verification: string;
}

const PLANS: Record<string, RevocationPlan> = {
  aws: {
    steps: [
      'sts:GetAccessKeyInfo → owning account; assume the leakstop containment role there',
      'iam:GetAccessKeyLastUsed → owning user',
      'iam:UpdateAccessKey Status=Inactive',
      'attach a deny-all quarantine policy to the user',
    ],
    verification: 'sts:GetCallerIdentity with the old key fails with InvalidClientTokenId',
  },
  github: {
    steps: ['POST /credentials/revoke with the token (unauthenticated, batched)'],
    verification: 'GET /user with the old token answers 401',
  },
  slack: {
    steps: ['auth.revoke called with the leaked token itself'],
    verification: 'auth.test answers invalid_auth or token_revoked',
  },
  gitlab: {
    steps: ['DELETE /api/v4/personal_access_tokens/self with the leaked token'],
    verification: 'GET /api/v4/personal_access_tokens/self answers 401',
  },
  npm: {
    steps: ['DELETE /-/npm/v1/tokens/token/{key} on the registry with the leaked token'],
    verification: 'GET /-/whoami answers 401',
  },
};

export function revocationPlanFor(provider: string, type: string): RevocationPlan {
  return (
    PLANS[provider] ?? {
      steps: [
        `revoke or roll the ${type} in the ${provider} console or API (leakstop has no automatic revoker for it)`,
        'record who did it on this incident',
      ],
      verification: `an authenticated call to ${provider} with the old value fails`,
    }
  );
}

export function describePlan(plan: RevocationPlan): string {
  return `${plan.steps.join('; ')}; then verify: ${plan.verification}`;
}

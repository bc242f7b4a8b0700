/**
 * GitHub App authentication: installation tokens, cached by @octokit/auth-app until shortly before
 * they expire (1 h). Without App credentials the client calls GitHub unauthenticated, which reads
 * public repositories within the anonymous rate limit.
 */
import { createAppAuth } from '@octokit/auth-app';
import type { TokenProvider } from './github-client.ts';

export function appTokenProvider(appId: string | undefined, privateKey: string | undefined): TokenProvider {
  if (!appId || !privateKey) return async () => undefined;
  const auth = createAppAuth({ appId, privateKey: privateKey.replace(/\\n/g, '\n') });
  return async (installationId) => {
    if (installationId === undefined) return undefined;
    const { token } = await auth({ type: 'installation', installationId });
    return token;
  };
}

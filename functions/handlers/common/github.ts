/**
 * The GitHub client the detect and notify functions share: GitHub App installation tokens when the
 * App id and private key are configured, else anonymous calls (public repositories, no writes).
 * Rebuilt when the key changes (secrets are re-read every five minutes), reused otherwise, so warm
 * invocations keep their cached installation tokens.
 */
import { appTokenProvider } from '../../adapters/github/app-auth.ts';
import { GitHubClient } from '../../adapters/github/github-client.ts';
import { getSecret, hasSecret } from '../../adapters/secrets/secret-source.ts';
import { ENV } from '../../shared/resources.ts';

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

let current: { key: string | undefined; client: GitHubClient; app: boolean } | undefined;

export async function githubClient(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ readonly client: GitHubClient; readonly app: boolean }> {
  const appId = env[ENV.githubAppId];
  const key =
    appId && hasSecret('githubAppPrivateKey', env) ? await getSecret('githubAppPrivateKey', env) : undefined;
  if (!current || current.key !== key) {
    const baseUrl = env[ENV.githubApiUrl] ?? DEFAULT_GITHUB_API_URL;
    current = {
      key,
      client: new GitHubClient(baseUrl, appTokenProvider(appId, key, baseUrl)),
      app: key !== undefined,
    };
  }
  return current;
}

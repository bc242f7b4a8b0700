/**
 * Reads leakstop's own secrets (webhook secret, Slack tokens, fingerprint key, App key). A plain
 * environment variable wins (local runs); otherwise `<VAR>_ARN` names a Secrets Manager secret,
 * fetched once and cached for five minutes so warm invocations make no call. Values are never logged.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SECRETS, type SecretName } from '../../shared/resources.ts';

const TTL_MS = 5 * 60_000;
const cache = new Map<SecretName, { value: string; until: number }>();
let client: SecretsManagerClient | undefined;

export function secretsManagerClient(): SecretsManagerClient {
  client ??= new SecretsManagerClient({});
  return client;
}

export class MissingSecret extends Error {
  constructor(name: SecretName) {
    const env = SECRETS[name].env;
    super(`${SECRETS[name].description} is not configured: set ${env} (local) or ${env}_ARN (AWS)`);
    this.name = 'MissingSecret';
  }
}

export function hasSecret(name: SecretName, env: NodeJS.ProcessEnv = process.env): boolean {
  const variable = SECRETS[name].env;
  return Boolean(env[variable] || env[`${variable}_ARN`]);
}

export async function getSecret(name: SecretName, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const variable = SECRETS[name].env;
  const direct = env[variable];
  if (direct) return direct;
  const arn = env[`${variable}_ARN`];
  if (!arn) throw new MissingSecret(name);
  const cached = cache.get(name);
  if (cached && cached.until > Date.now()) return cached.value;
  const { SecretString } = await secretsManagerClient().send(new GetSecretValueCommand({ SecretId: arn }));
  if (!SecretString) throw new MissingSecret(name);
  cache.set(name, { value: SecretString, until: Date.now() + TTL_MS });
  return SecretString;
}

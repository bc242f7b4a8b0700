/** Reads the environment once per cold start and reports every missing variable in one error. */
export class MissingConfiguration extends Error {
  constructor(missing: readonly string[]) {
    super(`missing configuration: ${missing.join(', ')}`);
    this.name = 'MissingConfiguration';
  }
}

export function requireEnv<const K extends string>(
  names: readonly K[],
  env: NodeJS.ProcessEnv = process.env,
): Record<K, string> {
  const missing = names.filter((name) => !env[name]);
  if (missing.length) throw new MissingConfiguration(missing);
  return Object.fromEntries(names.map((name) => [name, env[name] as string])) as Record<K, string>;
}

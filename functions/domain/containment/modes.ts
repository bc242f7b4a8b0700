/** Containment modes: dry-run plans and records, enforce acts, approval acts once a person approves. */

export const MODES = ['dry-run', 'enforce', 'approval'] as const;
export type Mode = (typeof MODES)[number];

export interface ModeConfig {
  readonly default: Mode;
  readonly perProvider: Readonly<Record<string, Mode>>;
}

export function isMode(value: string): value is Mode {
  return (MODES as readonly string[]).includes(value);
}

/** Parses `LEAKSTOP_MODE` and the JSON `LEAKSTOP_PROVIDER_MODES`; throws on anything unknown. */
export function parseModeConfig(
  defaultMode: string | undefined,
  perProviderJson: string | undefined,
  /** How the two settings are called where they came from, for the error message. */
  names = { mode: 'LEAKSTOP_MODE', providerModes: 'LEAKSTOP_PROVIDER_MODES' },
): ModeConfig {
  const fallback = defaultMode ?? 'dry-run';
  if (!isMode(fallback))
    throw new Error(`${names.mode} must be one of ${MODES.join(', ')}, not '${fallback}'`);
  const perProvider: Record<string, Mode> = {};
  if (perProviderJson) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(perProviderJson);
    } catch {
      throw new Error(`${names.providerModes} must be a JSON object such as {"aws":"enforce"}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error(`${names.providerModes} must be a JSON object`);
    for (const [provider, mode] of Object.entries(parsed)) {
      if (typeof mode !== 'string' || !isMode(mode))
        throw new Error(`${names.providerModes}.${provider} must be one of ${MODES.join(', ')}`);
      perProvider[provider] = mode;
    }
  }
  return { default: fallback, perProvider };
}

export function modeFor(config: ModeConfig, provider: string): Mode {
  return config.perProvider[provider] ?? config.default;
}

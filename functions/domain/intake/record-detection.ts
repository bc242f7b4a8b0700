/**
 * Records one detected credential: plaintext into the vault first (so containment can always read
 * it), then the incident — opened for a new fingerprint or merged — then containment and Slack work.
 * Every step is idempotent, so an SQS redelivery or a Lambda retry repeats it without a second effect.
 */
import type { Exposure, NewIncident } from '../incidents/incident.ts';
import { incidentIdFor, SYSTEM } from '../incidents/incident.ts';
import { containmentEnded } from '../incidents/lifecycle.ts';
import type { IncidentJob } from '../jobs.ts';
import type { Clock, DetectionResult, IncidentRepository, Queue, Vault } from '../ports.ts';

export interface DetectionDeps {
  readonly incidents: IncidentRepository;
  readonly vault: Vault;
  readonly containment: Queue<IncidentJob>;
  readonly notifications: Queue<IncidentJob>;
  readonly clock: Clock;
}

export interface DetectedCredential extends NewIncident {
  /** Plaintext: goes to the vault and nowhere else. */
  readonly secret: string;
}

/**
 * The detection engine vaults an AWS key as `{"accessKeyId","secretAccessKey"}`, without the secret
 * when none was found near the id (a GitHub alert on the key id alone): such a value must not
 * overwrite a complete one already in the vault.
 */
function isPartialValue(secret: string): boolean {
  if (!secret.startsWith('{')) return false;
  try {
    const value = JSON.parse(secret) as Record<string, unknown>;
    return typeof value.accessKeyId === 'string' && typeof value.secretAccessKey !== 'string';
  } catch {
    return false;
  }
}

export async function recordDetection(
  deps: DetectionDeps,
  credential: DetectedCredential,
  location: Omit<Exposure, 'detectedAt'>,
): Promise<DetectionResult> {
  const { secret, ...identity } = credential;
  const id = incidentIdFor(identity.fingerprint);
  const at = deps.clock.now().toISOString();
  const existing = await deps.incidents.get(id);
  // Once containment has ended the value is no longer needed: do not bring it back into the vault.
  // Nor may a partial value (a bare AWS key id from a GitHub alert) replace the full pair a push found.
  const needsVault = !existing || (!containmentEnded(existing.status) && !isPartialValue(secret));
  if (needsVault) await deps.vault.put(identity.fingerprint, secret);

  const where = `${location.repo}@${location.commit.slice(0, 7)}:${location.path}:${location.line}`;
  const result = await deps.incidents.recordDetection(
    identity,
    { ...location, detectedAt: at },
    {
      at,
      type: 'detected',
      actor: SYSTEM,
      detail: `${identity.type} ${identity.redacted} found at ${where} (${location.source})`,
    },
  );
  if (needsVault && containmentEnded(result.incident.status)) {
    // Containment ended between our read and our write: take the value back out.
    await deps.vault.delete(identity.fingerprint);
  }
  // Enqueue while containment has not started, also on a retry after a crash: the containment
  // worker's conditional transition makes a second message harmless.
  if (result.incident.status === 'open') await deps.containment.send([{ incidentId: id }]);
  if (result.created || result.exposureAdded) await deps.notifications.send([{ incidentId: id }]);
  return result;
}

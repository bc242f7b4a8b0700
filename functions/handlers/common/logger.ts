/**
 * One structured logger for every function (Powertools). Log lines carry ids, fingerprints and
 * redacted previews only — never a request body, a signature or a credential.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'leakstop' });

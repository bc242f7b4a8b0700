/**
 * The AWS stand-ins the usage lookup and copies search talk to, mounted together under
 * `/sandbox/aws/<service>`, and the `AWS_ENDPOINT_URL_<SERVICE>` variables (the names the SDK
 * derives from each client's service id) that point the SDK clients at them.
 */
import type { HttpRequest, HttpResponse } from '../http.ts';
import type { AwsStandInOptions } from './aws-json.ts';
import {
  createCloudTrailStandIn,
  type CloudTrailStandIn,
  type CloudTrailStandInOptions,
} from './aws-cloudtrail.ts';
import { createLambdaStandIn } from './aws-lambda.ts';
import { createLogsStandIn, type LogsStandInOptions } from './aws-logs.ts';
import {
  createSecretsManagerStandIn,
  type SecretsManagerStandIn,
  type SecretsManagerStandInOptions,
} from './aws-secrets-manager.ts';
import { createSsmStandIn } from './aws-ssm.ts';
import type { AwsStandIn } from './aws-json.ts';

export interface TraceStandIns {
  readonly cloudtrail: CloudTrailStandIn;
  readonly logs: AwsStandIn;
  readonly lambda: AwsStandIn;
  readonly ssm: AwsStandIn;
  readonly secretsManager: SecretsManagerStandIn;
  handle(req: HttpRequest): Promise<HttpResponse | undefined>;
}

export type TraceStandInOptions = AwsStandInOptions &
  Pick<CloudTrailStandInOptions, 'lookupsPerSecond'> &
  Pick<LogsStandInOptions, 'scanPerCall'> &
  Pick<SecretsManagerStandInOptions, 'completeRotations'>;

export function createTraceStandIns(options: TraceStandInOptions = {}): TraceStandIns {
  const cloudtrail = createCloudTrailStandIn(options);
  const logs = createLogsStandIn(options);
  const lambda = createLambdaStandIn(options);
  const ssm = createSsmStandIn(options);
  const secretsManager = createSecretsManagerStandIn(options);
  const all: AwsStandIn[] = [cloudtrail, logs, lambda, ssm, secretsManager];
  return {
    cloudtrail,
    logs,
    lambda,
    ssm,
    secretsManager,
    async handle(req) {
      for (const standIn of all) {
        const response = await standIn.handle(req);
        if (response) return response;
      }
      return undefined;
    },
  };
}

/** `AWS_ENDPOINT_URL_<SERVICE ID>` for each stand-in, given the sandbox's base URL. */
export function traceEndpointEnv(baseUrl: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_CLOUDTRAIL: `${baseUrl}/sandbox/aws/cloudtrail`,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: `${baseUrl}/sandbox/aws/logs`,
    AWS_ENDPOINT_URL_LAMBDA: `${baseUrl}/sandbox/aws/lambda`,
    AWS_ENDPOINT_URL_SSM: `${baseUrl}/sandbox/aws/ssm`,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `${baseUrl}/sandbox/aws/secretsmanager`,
  };
}

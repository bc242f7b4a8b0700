#!/usr/bin/env -S npx tsx
/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` run this (see cdk.json). Configuration comes from
 * CDK context, e.g. `npx cdk deploy -c mode=enforce -c slackChannel=C0123456789`; docs/deploy.md lists the keys.
 */
import { createLeakstopApp } from '../lib/leakstop-app.ts';

createLeakstopApp();

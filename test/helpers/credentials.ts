/** Test-time fake credentials: the sandbox's generators, one place for the formats. */
export * from '../../functions/local/sandbox/fake-credentials.ts';

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'cdk.out/**', 'dist/**', 'coverage/**', '.leakstop/**', 'bench/.corpus/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Plain JavaScript entry points run on Node.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
  {
    // The domain stays free of SDKs: adapters implement its ports.
    files: ['functions/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', '@octokit/*', '@slack/*', '@middy/*', '@aws-lambda-powertools/*'],
              message: 'The domain is SDK-free; add a port and an adapter.',
            },
            {
              group: ['**/adapters/**', '**/handlers/**', '**/local/**'],
              message: 'The domain must not depend on adapters, handlers or the local runtime.',
            },
          ],
        },
      ],
    },
  },
);

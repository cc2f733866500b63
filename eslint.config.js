import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Vendor SDKs live only in server adapters and in the core's chat and call engines (STYLE.md 12). */
const VENDOR_SDKS = [
  'stream-chat',
  '@100mslive/*',
  'firebase-admin',
  'firebase-admin/*',
  'web-push',
  'nodemailer',
  'pg',
  '@electric-sql/pglite',
];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', 'dist/**', '.hub-data/**', 'storybook-static/**', 'test-results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name=/^(it|describe|test)$/][callee.property.name='only']",
          message: 'No focused tests.',
        },
      ],
    },
  },
  {
    files: ['server/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['hono', 'hono/*', '@hono/*', 'kysely', ...VENDOR_SDKS],
              message: 'The domain imports no Hono, no vendor SDK and no database driver.',
            },
            {
              group: ['**/adapters/**', '**/routes/**', '**/emulators/**'],
              message: 'The domain depends on nothing outside it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['server/src/routes/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: VENDOR_SDKS, message: 'Vendor SDKs are used only in adapters.' },
            { group: ['**/emulators/**'], message: 'Routes do not know the emulator.' },
          ],
        },
      ],
    },
  },
  {
    files: ['server/src/emulators/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/domain/**', '**/routes/**'],
              message: 'The emulator stands in for GetStream: it knows nothing of the hub.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@teacher-hub/core',
                '@teacher-hub/elements',
                '**/server/**',
                'lit',
                'lit/*',
                ...VENDOR_SDKS,
              ],
              message: 'protocol depends on nothing but zod.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/core/**/*.ts'],
    ignores: ['packages/core/src/chat/**', 'packages/core/src/calls/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@teacher-hub/elements', '**/server/**', 'lit', 'lit/*', ...VENDOR_SDKS],
              message: 'core: no DOM rendering, no server code; vendor SDKs only under chat/ and calls/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/elements/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/**', ...VENDOR_SDKS],
              message: 'Elements call @teacher-hub/core, never a vendor SDK or the server.',
            },
          ],
        },
      ],
    },
  },
);

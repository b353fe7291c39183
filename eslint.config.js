// ESLint flat config: typed rules (no-floating-promises) everywhere, at most 400 lines per product module, and a
// sandbox rule for workflows/: workflow code runs in Temporal's deterministic V8 isolate, so Node built-ins, the
// non-workflow Temporal packages and modules that use them must never be imported there (they break the bundle or
// determinism). The floors between folders are checked by dependency-cruiser (.dependency-cruiser.js).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.data/**', 'dist/**', 'build/**', 'ui/dist/**', 'coverage/**', 'db/migrations/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'cli/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  // flowctl's executable is plain JavaScript for Node.
  { files: ['cli/*.mjs'], languageOptions: { globals: { process: 'readonly' } } },
  {
    // Product modules stay small enough to read in one sitting (issue #15): split along a seam instead.
    files: ['{activities,api,cli,db,domain,gitops,integrations,lib,sim,workflows}/**/*.ts', 'worker.ts', 'ui/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'ui/src/api-types.ts'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }] },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'Workflow code runs in the Temporal sandbox: no Node built-ins.' })),
            ...['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing'].map((name) => ({
              name,
              message: 'Workflow code may import only @temporalio/workflow and @temporalio/common.',
            })),
          ],
          patterns: [
            {
              group: ['../activities/*'],
              allowTypeImports: true,
              message: 'Workflows import activities as types only (and call them through proxyActivities).',
            },
            {
              group: [
                '../api/*',
                '../db/*',
                '../gitops/*',
                '../integrations/*',
                '../lib/*',
                '../sim/*',
                '../dev/*',
                '../test/*',
                '../bench/*',
                '../worker*',
              ],
              allowTypeImports: true,
              message: 'Workflow code imports only workflows/ and the pure domain/ modules at run time (types from elsewhere are fine).',
            },
            {
              group: ['../domain/digest*'],
              allowTypeImports: true,
              message: 'domain/digest uses node:crypto, which the Temporal sandbox does not have.',
            },
          ],
        },
      ],
    },
  },
);

// Lint, including the layer rules that keep the architecture visible:
// renderer → no main/, electron or node:*; shared → only shared; electron only in main/electron/.
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import vueParser from 'vue-eslint-parser'

const nodeBuiltins = ['fs', 'path', 'os', 'net', 'dgram', 'child_process', 'worker_threads', 'http', 'crypto', 'url', 'util', 'stream']

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'coverage/**', 'tests/fixtures/**'] },
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/no-v-html': 'error',
    },
  },
  {
    files: ['**/*.{ts,js,vue}'],
    ignores: ['main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['electron', 'electron/*'], message: 'Only main/electron/ may import electron.' }] },
      ],
    },
  },
  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/main/**', '../main/*', '../../main/*'], message: 'renderer/ must not import main/: go through the LabClient.' },
            { group: ['electron', 'electron/*'], message: 'renderer/ must not import electron: only main/electron/ does.' },
            { group: ['node:*'], message: 'renderer/ runs in a browser: no Node built-ins.' },
          ],
          paths: nodeBuiltins.map((name) => ({ name, message: 'renderer/ runs in a browser: no Node built-ins.' })),
        },
      ],
    },
  },
  {
    files: ['shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!\\.{1,2}/)', message: 'shared/ imports nothing but shared/: no packages, no Node or browser APIs.' },
            { group: ['**/main/**', '**/renderer/**', '../main/*', '../renderer/*', '../../main/*', '../../renderer/*'], message: 'shared/ must not import main/ or renderer/.' },
          ],
        },
      ],
    },
  },
)

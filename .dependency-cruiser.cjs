/**
 * The import direction of src/ (README, "Layout"), checked by `npm run check:imports`, which
 * `npm test` runs first. Bottom to top: model → store, ops, http → the five stages → the
 * composition root (relay.ts, config.ts, main.ts, cli.ts). Stages never import one another:
 * they meet only in relay.ts, through ports (accept, report, commit hook).
 */
const STAGES = '(intake|carriage|lifecycle|routing|dispatch)';
const ROOT = '^src/(relay|config|main|cli)[.]ts$';

module.exports = {
  forbidden: [
    {
      name: 'model-imports-nothing',
      comment: 'src/model holds the shared types and pure rules; it imports nothing else of the project.',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { path: '^src/', pathNot: ['^src/model/', '^src/types/'] },
    },
    {
      name: 'store-imports-only-model',
      comment: 'The store knows the model only (and the environment reader its options.ts uses).',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/', pathNot: ['^src/store/', '^src/model/', '^src/types/', '^src/ops/env[.]ts$'] },
    },
    {
      name: 'support-imports-only-model',
      comment: 'ops (metrics, environment) and http (problem+json) sit under every stage.',
      severity: 'error',
      from: { path: '^src/(ops|http)/' },
      to: { path: '^src/', pathNot: ['^src/$1/', '^src/model/', '^src/types/'] },
    },
    {
      name: 'stages-do-not-import-each-other',
      comment: 'A stage talks to another only through a port wired in relay.ts.',
      severity: 'error',
      from: { path: `^src/${STAGES}/` },
      to: { path: `^src/${STAGES}/`, pathNot: '^src/$1/' },
    },
    {
      name: 'nothing-imports-the-root',
      comment: 'relay.ts, config.ts, main.ts and cli.ts compose the parts; no part imports them.',
      severity: 'error',
      from: { path: '^src/', pathNot: ROOT },
      to: { path: ROOT },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};

/**
 * The dependency rules `npm test` checks (npm run lint:deps): no import cycle anywhere under src/,
 * type imports included, and layers that point one way. From the bottom:
 *
 *   model < core < kernels < text < corpus < options < engine
 *         < features (compare, dedup, baseline, index) < report < cli
 *
 * A module may import its own layer and the layers below it, never one above. The library
 * entry (src/api.ts) sits on top. Each third-party library is imported by one module.
 */
const LAYERS = [
  ['model'],
  ['core'],
  ['kernels'],
  ['text'],
  ['corpus'],
  ['options'],
  ['engine'],
  ['compare', 'dedup', 'baseline', 'index'],
  ['report'],
  ['cli'],
];

const folders = (names) => `^src/(${names.join('|')})/`;

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.join('-')}`,
  comment: `${layer.join(', ')} may not import a higher layer (${LAYERS.slice(i + 1)
    .flat()
    .join(', ')})`,
  severity: 'error',
  from: { path: folders(layer) },
  to: { path: [folders(LAYERS.slice(i + 1).flat()), '^src/api\\.ts$'] },
}));

/** A third-party package and the one module allowed to import it. */
const ONE_MODULE = {
  natural: 'src/text/tokenize.ts',
  chalk: 'src/report/style.ts',
  commander: 'src/cli/program.ts',
  'better-sqlite3': 'src/index/store/sqlite.ts',
  ignore: 'src/corpus/walk.ts',
  htmlparser2: 'src/corpus/extract.ts',
  'mdast-util-from-markdown': 'src/corpus/extract.ts',
};

const libraryRules = Object.entries(ONE_MODULE).map(([pkg, owner]) => ({
  name: `only-${owner
    .replace(/^src\//, '')
    .replace(/\.ts$/, '')
    .replace(/\//g, '-')}-imports-${pkg}`,
  comment: `${pkg} is imported by ${owner} only`,
  severity: 'error',
  from: { path: '^src/', pathNot: `^${owner.replace(/\./g, '\\.')}$` },
  to: { path: `node_modules/${pkg}/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycles, type imports included',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...layerRules,
    ...libraryRules,
    {
      name: 'no-dev-dependencies-in-src',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};

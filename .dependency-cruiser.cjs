/**
 * The layers, from the floor up: lib → contracts, db → broker, http → platform → services, saga →
 * app, scripts. A folder may import its own layer and those below it, never one above. Entry
 * points (app/, scripts/) compose everything; the setup commands of broker/ and db/ keep to their
 * layer like the rest of it. A test beside the code belongs to its folder's layer and keeps to
 * it like the code; a test that crosses layers lives under tests/, which may import anything and
 * which nothing else imports. No file is exempt by its name.
 * Every top-level folder of code must be placed here: `npm run lint` cruises the whole
 * repository, and a module of a folder with no layer fails it.
 */
const tests = '^tests/';
/** Every top-level folder of code has a layer (or is tests/, bin/); the root holds config files only. */
const placed = '^(lib|contracts|db|broker|http|platform|services|saga|app|scripts|tests|bin)/|^[^/]+$';
const entryPoints = '(^app/|^scripts/)';
const upFrom = (from, above) => ({
  name: `${from}-only-looks-down`,
  comment: `${from}/ may not import ${above.join(', ')}: they sit above it`,
  severity: 'error',
  from: { path: `^${from}/`, pathNot: `${tests}|${entryPoints}` },
  to: { path: `^(${above.join('|')})/` },
});

module.exports = {
  forbidden: [
    upFrom('lib', ['contracts', 'db', 'broker', 'http', 'platform', 'services', 'saga', 'app', 'scripts']),
    upFrom('contracts', ['db', 'broker', 'http', 'platform', 'services', 'saga', 'app', 'scripts']),
    upFrom('db', ['contracts', 'broker', 'http', 'platform', 'services', 'saga', 'app', 'scripts']),
    upFrom('broker', ['http', 'platform', 'services', 'saga', 'app', 'scripts']),
    upFrom('http', ['broker', 'db', 'platform', 'services', 'saga', 'app', 'scripts']),
    upFrom('platform', ['services', 'saga', 'app', 'scripts']),
    upFrom('saga', ['services', 'app', 'scripts']),
    upFrom('services', ['saga', 'app', 'scripts']),
    {
      name: 'the-decider-is-pure',
      comment: 'saga/decider/ decides without I/O: of the project it reads the contracts and lib/ alone',
      severity: 'error',
      from: { path: '^saga/decider/' },
      to: { path: '^(saga/(?!decider/)|db|broker|http|platform|services|app|scripts)/' },
    },
    {
      name: 'the-decider-imports-no-node-module',
      comment: 'no file, network or clock of its own: time and ids are given to it (its tests draw ids from lib/ids)',
      severity: 'error',
      from: { path: '^saga/decider/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'services-keep-to-themselves',
      comment: 'a service shares only contracts, broker, platform and the helpers below with the others',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'only-tests-import-tests',
      comment: 'the code and the tests beside it, the conformance suites included, stand without the test suite',
      severity: 'error',
      from: { pathNot: tests },
      to: { path: '^tests/' },
    },
    {
      name: 'every-folder-has-a-layer',
      comment: 'a new top-level folder has no layer until it is placed in this file (placed, above)',
      severity: 'error',
      from: { pathNot: placed },
      to: {},
    },
    {
      name: 'every-folder-has-a-layer-even-without-imports',
      comment: 'the same for a module that imports nothing',
      severity: 'error',
      from: { orphan: true, pathNot: placed },
      to: {},
    },
    {
      name: 'no-cycles',
      comment: 'modules that import each other in a circle cannot be read, or changed, one at a time',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // `^\\.[^./]`: the dot-folders (.ci, .stryker-tmp), not `./` or `../`, the name an import that
    // resolves nowhere keeps: no-unresolvable must see it.
    exclude: { path: '(^node_modules|^data/|^dist/|^reports/|^docs/|^deploy/|^\\.[^./]|/migrations/)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};

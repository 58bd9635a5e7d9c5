/**
 * `npm run test:mutation`: Stryker mutates the pure core (the saga's decider, the services'
 * decisions and handlers, the contracts) and runs the unit tests against each mutant; the
 * report lands in reports/mutation/. What is left out is I/O (stores, routes, runner, broker),
 * which the embedded and RabbitMQ suites test against the real thing.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'stryker.vitest.config.ts' },
  coverageAnalysis: 'perTest',
  // A mutant that runs as a module loads (the contracts' schemas and tables, the step table)
  // has no test of its own, so the whole suite reruns for each: 367 of them took four fifths
  // of the run. The embedded suite exercises those tables on every scenario.
  ignoreStatic: true,
  concurrency: 2,
  // Below 85 % the run fails: a change to the core that no unit test notices is a regression.
  thresholds: { high: 95, low: 90, break: 85 },
  mutate: [
    'saga/decider/*.ts',
    // The decider's test support: the harness, the explorer and the fixtures.
    '!saga/decider/*.test.ts',
    '!saga/decider/*.fixtures.ts',
    '!saga/decider/harness.ts',
    '!saga/decider/explorer.ts',
    'saga/trace/step-log.ts',
    'services/*/stock.ts',
    'services/*/handlers.ts',
    'services/*/charge.ts',
    'services/*/outcomes.ts',
    'services/*/verify-user.ts',
    'services/*/throttle.ts',
    'contracts/*.ts',
    '!contracts/*.test.ts',
  ],
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  tempDirName: '.stryker-tmp',
};

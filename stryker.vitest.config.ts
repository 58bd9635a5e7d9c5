import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import shared from './vitest.config';

/**
 * The unit project alone, for `npm run test:mutation`: Stryker's vitest runner (9.x) has no
 * option to pick a project, and the other projects drive the whole system, RabbitMQ or a
 * browser, which a mutant of the pure core does not need.
 */
const unit = (shared.test?.projects ?? []).filter(
  (project): project is TestProjectInlineConfiguration =>
    typeof project === 'object' && 'test' in project && project.test?.name === 'unit',
);

export default defineConfig({ test: { ...shared.test, projects: unit } });

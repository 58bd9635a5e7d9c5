/**
 * What `npm run build` compiles (scripts/build.ts), as `dist/<name>.js` → its source: the server,
 * the command line and the broker's and the database's least-privilege setups, which the image
 * and docker compose run.
 */
export const entries = {
  main: 'app/server/main.ts',
  'saga-shop': 'app/cli/index.ts',
  'broker-setup': 'broker/operator/setup-cli.ts',
  'db-setup': 'db/operator/setup-cli.ts',
} as const;

/** What a module finds next to itself, copied to the same place under dist/. */
export const besideTheirModules = [
  'services/users/sqlite/migrations',
  'services/products/sqlite/migrations',
  'services/orders/sqlite/migrations',
  'services/payments/sqlite/migrations',
  'saga/runtime/sqlite/migrations',
  'services/users/postgres/migrations',
  'services/products/postgres/migrations',
  'services/orders/postgres/migrations',
  'services/payments/postgres/migrations',
  'saga/runtime/postgres/migrations',
  'app/server/health-thread.mjs',
  'app/operator/ui/public',
] as const;

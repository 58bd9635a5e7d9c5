import { cp, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { besideTheirModules, entries } from './build-entries';

/**
 * `npm run build`: the server, the command line and the broker setup compiled to JavaScript in
 * dist/ (scripts/build-entries.ts), for `npm run start:prod` and the image, which run them with
 * plain node: no tsx, no TypeScript, no development dependencies.
 *
 * One bundle per entry of the project's code, every package left to node_modules. What a module finds
 * next to itself (a service's migrations, the health thread, the web view's files) is copied
 * to the same place under dist/, and `import.meta.url` in each module is made to name that
 * place, so `new URL('./migrations', import.meta.url)` means in the bundle what it means in
 * the source.
 */

const root = join(import.meta.dirname, '..');
const out = join(root, 'dist');

const ownModuleUrls: Plugin = {
  name: 'own-module-urls',
  setup(context) {
    context.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('node_modules')) return undefined;
      const source = await readFile(args.path, 'utf8');
      const self = `./${relative(root, args.path).replaceAll('\\', '/')}`;
      return {
        contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(self)}, import.meta.url).href`),
        loader: 'ts',
      };
    });
  },
};

await rm(out, { recursive: true, force: true });
await build({
  entryPoints: Object.fromEntries(Object.entries(entries).map(([name, source]) => [name, join(root, source)])),
  outdir: out,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [ownModuleUrls],
});
for (const path of besideTheirModules) await cp(join(root, path), join(out, path), { recursive: true });
// Mermaid is a development dependency: the web view's copy of its one script goes with the build.
await cp(join(root, 'node_modules/mermaid/dist/mermaid.min.js'), join(out, 'app/operator/ui/public/mermaid.min.js'));
console.log(
  `built ${Object.keys(entries)
    .map((name) => `dist/${name}.js`)
    .join(', ')}`,
);

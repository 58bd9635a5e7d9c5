#!/usr/bin/env node
// The `saga-shop` command (package.json "bin"): tsx's loader, then the TypeScript CLI.
import { register } from 'tsx/esm/api';

register();
await import('../app/cli/index.ts');

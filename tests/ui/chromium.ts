import { existsSync } from 'node:fs';

/** Where Debian's chromium package puts the browser, then Ubuntu's older one. */
const INSTALLED = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const HOW = 'install Debian’s chromium (apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary';

/** The browser the tests drive: `CHROMIUM_PATH` if set, else the first of INSTALLED there is. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync) {
  const wanted = env.CHROMIUM_PATH;
  if (wanted) {
    if (exists(wanted)) return wanted;
    throw new Error(`no Chromium at CHROMIUM_PATH=${wanted}: ${HOW}`);
  }
  const found = INSTALLED.find((path) => exists(path));
  if (found) return found;
  throw new Error(`no Chromium at ${INSTALLED.join(' or ')}: ${HOW}`);
}

/**
 * globalSetup of the `browser` project: without a browser, the run stops before any test, in
 * one line. Vitest would print an error thrown here under a banner with its stack, and every
 * test of the file would fail on the launch, each with a stack of its own.
 */
export default function setup() {
  try {
    chromiumPath();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

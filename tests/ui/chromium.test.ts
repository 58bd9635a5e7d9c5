import { describe, expect, it } from 'vitest';
import { chromiumPath } from './chromium';

const HOW = 'install Debian’s chromium (apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary';
const onDisk =
  (...paths: string[]) =>
  (path: string) =>
    paths.includes(path);

describe('the Chromium the browser tests drive', () => {
  it('is CHROMIUM_PATH when set, whatever is installed', () => {
    const exists = onDisk('/opt/chrome/chrome', '/usr/bin/chromium');
    expect(chromiumPath({ CHROMIUM_PATH: '/opt/chrome/chrome' }, exists)).toBe('/opt/chrome/chrome');
  });

  it('is otherwise Debian’s chromium, or else chromium-browser', () => {
    expect(chromiumPath({}, onDisk('/usr/bin/chromium', '/usr/bin/chromium-browser'))).toBe('/usr/bin/chromium');
    expect(chromiumPath({}, onDisk('/usr/bin/chromium-browser'))).toBe('/usr/bin/chromium-browser');
    expect(chromiumPath({ CHROMIUM_PATH: '' }, onDisk('/usr/bin/chromium'))).toBe('/usr/bin/chromium');
  });

  it('is missing with one line naming where it looked and how to get one', () => {
    expect(() => chromiumPath({}, onDisk())).toThrow(
      new Error(`no Chromium at /usr/bin/chromium or /usr/bin/chromium-browser: ${HOW}`),
    );
    expect(() => chromiumPath({ CHROMIUM_PATH: '/nonexistent' }, onDisk('/usr/bin/chromium'))).toThrow(
      new Error(`no Chromium at CHROMIUM_PATH=/nonexistent: ${HOW}`),
    );
  });
});

/**
 * Just enough of an nginx configuration to check it against the code: its upstreams, its
 * resolver, the port it listens on, and which location (so which upstream, or which file) a path
 * reaches, by nginx's rules: an exact location (=) first, then the first regular expression (~)
 * that matches, else the longest matching prefix.
 */

export interface Location {
  modifier: '' | '=' | '~';
  pattern: string;
  /** The upstream it proxies to (`proxy_pass`), or else the file it serves (`alias`). */
  upstream?: string;
  file?: string;
}

export interface Upstream {
  host: string;
  port: number;
  /** The server's parameters (`resolve`, `weight=2`, …). */
  parameters: string[];
  /** Its shared memory zone, which `resolve` needs. */
  zone?: string;
}

export interface NginxConfig {
  listen: number;
  /** The name servers of `resolver`, and its other parameters (`valid=5s`, …). */
  resolver?: string[];
  upstreams: Map<string, Upstream>;
  locations: Location[];
}

export function parseNginx(text: string): NginxConfig {
  const code = text.replace(/#.*$/gm, '');
  // An upstream of one server (host:port and its parameters), after its zone if it has one.
  const upstreams = new Map(
    [
      ...code.matchAll(
        /upstream\s+(\w+)\s*\{\s*(?:zone\s+(\w+)\s+\w+;\s*)?server\s+([\w.-]+):(\d+)((?:\s+[\w=.]+)*);\s*\}/g,
      ),
    ].map(
      ([, name, zone, host, port, parameters]) =>
        [
          name!,
          { host: host!, port: Number(port), parameters: parameters!.split(/\s+/).filter(Boolean), zone },
        ] as const,
    ),
  );
  const upstreamsWritten = [...code.matchAll(/\bupstream\b/g)].length;
  if (upstreamsWritten !== upstreams.size)
    throw new Error(`${upstreamsWritten - upstreams.size} upstreams not understood`);
  const locations = [
    ...code.matchAll(/location\s+(=|~)?\s*(\S+)\s*\{\s*(?:proxy_pass\s+http:\/\/(\w+)|alias\s+(\S+));\s*\}/g),
  ].map(([, modifier, pattern, upstream, file]) => ({
    modifier: (modifier ?? '') as Location['modifier'],
    pattern: pattern!,
    upstream,
    file,
  }));
  // Every location must be one of the forms above, or it would be left out unnoticed.
  const written = [...code.matchAll(/\blocation\b/g)].length;
  if (written !== locations.length) throw new Error(`${written - locations.length} locations not understood`);
  const listen = Number(/listen\s+(\d+);/.exec(code)?.[1]);
  const resolver = /\bresolver\s+([^;]+);/.exec(code)?.[1]!.trim().split(/\s+/);
  return { listen, resolver, upstreams, locations };
}

export function locationOf(config: NginxConfig, path: string): Location | undefined {
  const exact = config.locations.find((l) => l.modifier === '=' && l.pattern === path);
  if (exact) return exact;
  const regex = config.locations.find((l) => l.modifier === '~' && new RegExp(l.pattern).test(path));
  if (regex) return regex;
  return config.locations
    .filter((l) => l.modifier === '' && path.startsWith(l.pattern))
    .sort((a, b) => b.pattern.length - a.pattern.length)[0];
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The parts of a V8 `.cpuprofile` this summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  where: string;
  share: number;
}

const root = new URL('../..', import.meta.url).pathname;

/**
 * Where a function lives, coarse enough to act on: the npm package, node's own internals, or
 * the project's file; V8's pseudo-frames (garbage collector, program) as they are.
 */
export function placeOf({ functionName, url }: { functionName: string; url: string }): string {
  if (url === '') return functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1]!;
  if (url.startsWith('node:')) return 'node';
  return relative(root, url.replace(/^file:\/\//, ''));
}

/**
 * Self time of a CPU profile by place, as a share of the time the process was busy (idle left
 * out), largest first.
 */
export function summarise(profile: CpuProfile): Share[] {
  const placeById = new Map(profile.nodes.map((node) => [node.id, placeOf(node.callFrame)]));
  const time = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const place = placeById.get(id)!;
    if (place === '(idle)') return;
    time.set(place, (time.get(place) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const busy = [...time.values()].reduce((sum, t) => sum + t, 0);
  return [...time].map(([where, t]) => ({ where, share: busy === 0 ? 0 : t / busy })).sort((a, b) => b.share - a.share);
}

/** The profile of a process's main thread: of the profiles in `dir`, one per thread, the largest. */
export function mainThreadProfile(dir: string): { file: string; profile: CpuProfile } {
  const [file] = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (!file) throw new Error(`no CPU profile in ${dir}`);
  return { file, profile: JSON.parse(readFileSync(file, 'utf8')) as CpuProfile };
}

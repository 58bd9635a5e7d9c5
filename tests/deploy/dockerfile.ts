import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Dockerfile read as `docker build` reads it, for what the image runs with, since no Docker engine runs here. */

const root = join(import.meta.dirname, '..', '..');

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  /** The image it starts from: `node:24-bookworm`. */
  base: string;
  instructions: Instruction[];
}

export interface Image {
  /** Every stage's base image, the last one's being what the image is built on. */
  bases: string[];
  /** The environment the last stage sets (ENV). */
  env: Record<string, string>;
  /** CMD, in its exec form. */
  cmd: string[];
  /** HEALTHCHECK's command, in its exec form. */
  healthcheck: string[];
}

/** The stages, each with its instructions: comments dropped, continued lines joined. */
function stagesOf(text: string): Stage[] {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [, keyword, args] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
      if (!keyword) throw new Error(`a Dockerfile line not understood: ${line}`);
      return { keyword: keyword.toUpperCase(), args: args!.trim() };
    });
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') stages.push({ base: instruction.args.split(/\s+/)[0]!, instructions: [] });
    else if (stages.length === 0) throw new Error(`${instruction.keyword} before the first FROM`);
    else stages.at(-1)!.instructions.push(instruction);
  }
  return stages;
}

/** An exec form (`["node", "dist/main.js"]`); the shell form would run under sh, which the image avoids. */
function execForm(args: string, keyword: string): string[] {
  if (!args.startsWith('[')) throw new Error(`${keyword} is not in its exec form: ${args}`);
  return JSON.parse(args) as string[];
}

/** `ENV A=1 B=2`; the older `ENV A 1` form, or quotes, are refused rather than misread. */
function envPairs(args: string): [string, string][] {
  return args.split(/\s+/).map((pair) => {
    const [, name, value] = /^(\w+)=([^"'\s]*)$/.exec(pair) ?? [];
    if (!name) throw new Error(`ENV ${args}: not NAME=value pairs`);
    return [name, value!];
  });
}

export function imageOf(text = readFileSync(join(root, 'Dockerfile'), 'utf8')): Image {
  const stages = stagesOf(text);
  const final = stages.at(-1)!.instructions;
  const only = (keyword: string) => {
    const found = final.filter((instruction) => instruction.keyword === keyword);
    if (found.length !== 1) throw new Error(`the last stage has ${found.length} ${keyword}, not one`);
    return found[0]!.args;
  };
  const healthcheck = /^(?:--\w+=\S+\s+)*CMD\s+(.*)$/.exec(only('HEALTHCHECK'))?.[1];
  if (healthcheck === undefined) throw new Error(`HEALTHCHECK not understood: ${only('HEALTHCHECK')}`);
  return {
    bases: stages.map((stage) => stage.base),
    env: Object.fromEntries(
      final.filter((instruction) => instruction.keyword === 'ENV').flatMap((instruction) => envPairs(instruction.args)),
    ),
    cmd: execForm(only('CMD'), 'CMD'),
    healthcheck: execForm(healthcheck, 'HEALTHCHECK'),
  };
}

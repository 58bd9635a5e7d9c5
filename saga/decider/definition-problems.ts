import type { SagaDefinition } from '../../contracts/steps';

/**
 * What is wrong with a set of step tables, none when they can run: versions rising, and in
 * each table steps that name only its own steps, compensations that need nothing and undo
 * nothing, no message used twice, and needs without a cycle (or a step would never start).
 */
export function definitionProblems(definitions: readonly SagaDefinition[]): string[] {
  if (definitions.length === 0) return ['no step table'];
  const problems: string[] = [];
  definitions.forEach((definition, i) => {
    if (i > 0 && definition.version <= definitions[i - 1]!.version)
      problems.push(`version ${definition.version} follows version ${definitions[i - 1]!.version}`);
    problems.push(...tableProblems(definition).map((problem) => `version ${definition.version}: ${problem}`));
  });
  return problems;
}

function tableProblems({ steps }: SagaDefinition): string[] {
  const problems: string[] = [];
  const names = Object.keys(steps);
  for (const [name, record] of Object.entries(steps)) {
    for (const need of record.needs ?? []) if (!(need in steps)) problems.push(`${name} needs an unknown step ${need}`);
    const undo = record.undoneBy;
    if (undo !== undefined && steps[undo]?.kind !== 'compensation')
      problems.push(`${name} is undone by ${undo}, which is not a compensation`);
    if (record.kind === 'compensation' && (record.needs?.length || undo))
      problems.push(`compensation ${name} has needs or an undo of its own`);
    if (record.kind === 'compensation' && !names.some((other) => steps[other]!.undoneBy === name))
      problems.push(`compensation ${name} undoes no step`);
    if (record.kind === 'forward' && record.failed !== undefined && !record.failure)
      problems.push(`${name} can fail but says not why`);
  }
  const messages = Object.values(steps).flatMap((record) =>
    [record.command, record.succeeded, record.failed ?? []].flat(),
  );
  const repeated = messages.filter((type, i) => messages.indexOf(type) !== i);
  if (repeated.length > 0) problems.push(`messages used twice: ${[...new Set(repeated)].join(', ')}`);
  const started = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [name, record] of Object.entries(steps)) {
      if (record.kind === 'compensation' || started.has(name)) continue;
      if (!(record.needs ?? []).every((need) => started.has(need))) continue;
      started.add(name);
      grew = true;
    }
  }
  const never = names.filter((name) => steps[name]!.kind !== 'compensation' && !started.has(name));
  if (never.length > 0) problems.push(`steps that could never start: ${never.join(', ')}`);
  return problems;
}

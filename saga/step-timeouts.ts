import type { StepName } from './steps';

/**
 * How long each step may take before the saga stops waiting. Forward steps then cancel the
 * order with STEP_TIMEOUT; commits and compensations are sent again instead.
 */
export const defaultStepTimeoutsMs: Record<StepName, number> = {
  verifyUser: 10_000,
  reserveStock: 10_000,
  settlePayment: 30_000,
  commitStock: 10_000,
  releaseStock: 10_000,
  refundPayment: 30_000,
};

/**
 * Reads `SAGA_STEP_TIMEOUTS_MS`: one number for every step, or `step=ms` pairs separated by
 * commas (`settlePayment=60000,verifyUser=5000`) overriding the defaults.
 */
export function parseStepTimeouts(text: string | undefined): Record<StepName, number> {
  const timeouts = { ...defaultStepTimeoutsMs };
  if (!text?.trim()) return timeouts;
  const positive = (value: string) => {
    const ms = Number(value);
    if (!Number.isInteger(ms) || ms <= 0) throw new Error(`SAGA_STEP_TIMEOUTS_MS: ${value} is not a positive integer`);
    return ms;
  };
  if (!text.includes('=')) {
    const ms = positive(text.trim());
    for (const step of Object.keys(timeouts) as StepName[]) timeouts[step] = ms;
    return timeouts;
  }
  for (const pair of text.split(',')) {
    const [step, value = ''] = pair.split('=').map((part) => part.trim());
    if (!step || !(step in timeouts)) throw new Error(`SAGA_STEP_TIMEOUTS_MS: unknown step ${step}`);
    timeouts[step as StepName] = positive(value);
  }
  return timeouts;
}

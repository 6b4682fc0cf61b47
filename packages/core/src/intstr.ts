/** A Kubernetes IntOrString field such as `maxSurge: 1` or `maxUnavailable: "25%"`. */
export type IntOrPercent = number | string;

/** Thrown for a value Kubernetes itself would reject; `code` is stable. */
export class IntOrPercentError extends Error {
  override name = 'IntOrPercentError';
  readonly code = 'ERR_ZERODROP_INT_OR_PERCENT';
}

/** True when the value is a percentage string like "25%". */
export function isPercent(value: IntOrPercent): value is string {
  return typeof value === 'string' && value.trim().endsWith('%');
}

/**
 * Scales an int-or-percent against `total` the way the Deployment and disruption controllers do
 * (intstr.GetScaledValueFromIntOrPercent): an integer is taken as is; "N%" is N% of total, rounded up or down.
 */
export function scaleIntOrPercent(value: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) {
      throw new IntOrPercentError(`expected a non-negative integer or a percentage like "25%", got ${value}`);
    }
    return value;
  }
  if (typeof value !== 'string') {
    // Manifests are untrusted: a map or list here is a user error, not a crash.
    throw new IntOrPercentError(`expected an integer or a percentage like "25%", got ${JSON.stringify(value)}`);
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const match = /^(\d+)%$/.exec(text);
  if (!match) throw new IntOrPercentError(`expected an integer or a percentage like "25%", got "${value}"`);
  const exact = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

import type { Timeline, Workload } from '@zerodrop/core';
import type { Edit } from './rule.js';

/**
 * The preStop runs inside the grace period and is cut at its end, so a fix that lengthens the preStop must also
 * raise terminationGracePeriodSeconds to what the timeline requires; undefined when the grace period already fits.
 */
export function graceEditFor(workload: Workload, timeline: Timeline): Edit | undefined {
  const need = timeline.required.gracePeriodSeconds;
  if (workload.terminationGracePeriodSeconds >= need) return undefined;
  return {
    op: 'set',
    object: workload.doc,
    path: [...workload.podSpecPath, 'terminationGracePeriodSeconds'],
    value: need,
  };
}

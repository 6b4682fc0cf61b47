import { imageTagOf } from '@zerodrop/core';
import type { Rule } from '../rule.js';

export const rule: Rule = {
  meta: {
    id: 'image-tag-unpinned',
    description:
      'A container image has no tag, :latest or a channel tag such as :stable (a floating node:20 at info), so pods can run a build other than the one tested',
    severity: 'warning',
    fixable: false,
    condition: '2-app-drains',
    options: {
      requireDigest: {
        description: 'Report every image without an @sha256 digest, also a release tag such as v5 or 1.4.2',
        default: false,
      },
    },
  },
  check(context) {
    const requireDigest = context.options.requireDigest === true;
    for (const w of context.set.workloads) {
      for (const c of w.containers) {
        if (c.image === '') continue;
        const { kind, tag = '', repository } = imageTagOf(c.image);
        let what: string;
        // A major or major.minor of an image whose publisher moves it: a smaller step than :latest, so at info.
        let mild = false;
        if (kind === 'none') what = 'has no tag, which means :latest';
        else if (kind === 'latest') what = 'uses :latest';
        else if (kind === 'channel') what = `uses the channel tag :${tag}, which is pushed again for every build`;
        else if (kind === 'floating') {
          const moves = /^v?\d+\.\d+/.test(tag) ? 'patch' : 'minor and patch';
          what = `uses :${tag}, a tag ${repository}'s publisher moves to every new ${moves} release`;
          mild = !requireDigest;
        } else if (kind === 'release' && requireDigest) what = `uses :${tag} without a digest (requireDigest)`;
        else continue;
        context.report({
          object: w.doc,
          path: [...c.path, 'image'],
          message: `${context.describe(w, c)}: image ${c.image} ${what}: a rollout, or a pod rescheduled by a drain, can pull a different build than the one whose drain was rehearsed, and two replicas can run different code. Pin it with a digest (${repository}@sha256:...)${requireDigest ? '' : ' or a full release tag such as 1.4.2'}`,
          ...(mild ? { atMost: 'info' as const } : {}),
        });
      }
    }
  },
};

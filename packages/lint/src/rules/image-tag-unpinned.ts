import type { Rule } from '../rule.js';

/** Tag and digest of an image reference: `registry:5000/team/app:1.4.2@sha256:...`. */
function splitImage(image: string): { tag: string | undefined; digest: string | undefined } {
  const at = image.indexOf('@');
  const digest = at === -1 ? undefined : image.slice(at + 1);
  const name = at === -1 ? image : image.slice(0, at);
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  const colon = lastPart.indexOf(':');
  return { tag: colon === -1 ? undefined : lastPart.slice(colon + 1), digest };
}

/** Tags that name a channel, not a build: they are pushed again and again. */
const CHANNEL =
  /^(latest|stable|main|master|dev|develop|edge|nightly|canary|lts|current|next|release|prod|production|staging|beta|alpha|snapshot)([-_][a-z][a-z0-9]*)*$/i;
/^(latest|stable|main|master|dev|develop|edge|nightly|canary|lts|current|next|release|prod|production|staging|beta|alpha|snapshot)([-_.].*)?$/i;
/** `20`, `1.25`, `v3`, `20-alpine`, `1.25-slim`: by the usual convention these move with every patch release. */
const PARTIAL_VERSION = /^v?\d{1,3}(\.\d+)?([-_][a-z].*)?$/i;

export const rule: Rule = {
  meta: {
    id: 'image-tag-unpinned',
    description:
      'A container image has no tag, :latest, or a moving tag without a digest, so pods can run a build other than the one tested',
    severity: 'warning',
    fixable: false,
    condition: '2-app-drains',
    options: {
      requireDigest: {
        description: 'Report every image without an @sha256 digest, also a full version tag such as 1.4.2',
        default: false,
      },
    },
  },
  check(context) {
    const requireDigest = context.options.requireDigest === true;
    for (const w of context.set.workloads) {
      for (const c of w.containers) {
        if (c.image === '') continue;
        const { tag, digest } = splitImage(c.image);
        if (digest?.startsWith('sha256:')) continue;
        let what: string;
        if (tag === undefined) what = 'has no tag, which means :latest';
        else if (/^latest$/i.test(tag)) what = 'uses :latest';
        else if (CHANNEL.test(tag)) what = `uses the channel tag :${tag}, which is pushed again for every build`;
        else if (PARTIAL_VERSION.test(tag)) what = `uses :${tag}, a tag that moves with every patch release`;
        else if (requireDigest) what = `uses :${tag} without a digest (requireDigest)`;
        else continue;
        context.report({
          object: w.doc,
          path: [...c.path, 'image'],
          message: `${context.describe(w, c)}: image ${c.image} ${what}: a rollout, or a pod rescheduled by a drain, can pull a different build than the one whose drain was rehearsed, and two replicas can run different code. Pin it with a digest (${c.image.split('@')[0]}@sha256:...)${requireDigest ? '' : ' or a full version tag such as 1.4.2'}`,
        });
      }
    }
  },
};

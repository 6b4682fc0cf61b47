import { rule } from '../../src/rules/image-tag-unpinned.js';
import { deployment } from '../support/manifests.js';
import { ruleTester } from '../support/rule-tester.js';

const withImage = (image: string) => deployment().replace('ghcr.io/acme/web:1.0', image);
const DIGEST = 'sha256:3f1a4c0d6e9b2a7c5d8e1f0a3b6c9d2e5f8a1b4c7d0e3f6a9b2c5d8e1f4a7b0c';

ruleTester(rule, {
  valid: [
    { name: 'a full version tag', yaml: withImage('ghcr.io/acme/web:1.4.2') },
    { name: 'a v-prefixed version with a variant', yaml: withImage('ghcr.io/acme/web:v1.4.2-alpine') },
    { name: 'a git commit tag', yaml: withImage('ghcr.io/acme/web:3f1a4c0') },
    { name: 'a digest only', yaml: withImage(`ghcr.io/acme/web@${DIGEST}`) },
    { name: 'latest, but pinned by digest', yaml: withImage(`ghcr.io/acme/web:latest@${DIGEST}`) },
    { name: 'a registry port is not a tag', yaml: withImage('registry.local:5000/acme/web:2.0.1') },
    {
      name: 'requireDigest: a digest passes',
      yaml: withImage(`ghcr.io/acme/web:1.4.2@${DIGEST}`),
      settings: { rules: { 'image-tag-unpinned': { options: { requireDigest: true } } } },
    },
  ],
  invalid: [
    {
      name: 'no tag',
      yaml: withImage('ghcr.io/acme/web'),
      errors: [
        {
          message:
            /Deployment default\/web container "app": image ghcr.io\/acme\/web has no tag, which means :latest: a rollout, or a pod rescheduled by a drain, can pull a different build.*Pin it with a digest \(ghcr.io\/acme\/web@sha256:...\) or a full version tag/,
          line: 17,
        },
      ],
    },
    { name: ':latest', yaml: withImage('nginx:latest'), errors: [{ message: /image nginx:latest uses :latest/ }] },
    {
      name: 'a registry with a port and no tag',
      yaml: withImage('registry.local:5000/acme/web'),
      errors: [{ message: /registry.local:5000\/acme\/web has no tag/ }],
    },
    {
      name: 'a channel tag',
      yaml: withImage('ghcr.io/acme/web:stable-alpine'),
      errors: [{ message: /uses the channel tag :stable-alpine, which is pushed again/ }],
    },
    {
      name: 'a major.minor tag',
      yaml: withImage('node:20.11-slim'),
      errors: [{ message: /uses :20.11-slim, a tag that moves with every patch release/ }],
    },
    {
      name: 'requireDigest: a full version tag is reported too',
      yaml: withImage('ghcr.io/acme/web:1.4.2'),
      settings: { rules: { 'image-tag-unpinned': { options: { requireDigest: true } } } },
      errors: [{ message: /uses :1.4.2 without a digest \(requireDigest\).*@sha256:...\)$/ }],
    },
  ],
});

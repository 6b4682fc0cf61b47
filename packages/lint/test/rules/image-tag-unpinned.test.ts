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
    // Release tags are pushed once by convention, whatever their shape.
    { name: 'a v-major release tag', yaml: withImage('gcr.io/google-samples/gb-frontend:v5') },
    { name: 'a two-digit v release tag', yaml: withImage('registry.k8s.io/e2e-test-images/agnhost:v11') },
    { name: 'a numeric build tag', yaml: withImage('ghcr.io/acme/web:123') },
    { name: 'a 0.x release', yaml: withImage('quay.io/acme/tool:0.8') },
    { name: 'a vendor major.minor release', yaml: withImage('envoyproxy/envoy:v1.31') },
    { name: 'a full version of an official image', yaml: withImage('node:20.11.1-slim') },
    { name: 'a registry on localhost is not Docker Hub', yaml: withImage('localhost:5000/node:20') },
    { name: 'a single-word image that is no well-known official one', yaml: withImage('app:v1') },
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
            /Deployment default\/web container "app": image ghcr.io\/acme\/web has no tag, which means :latest: a rollout, or a pod rescheduled by a drain, can pull a different build.*Pin it with a digest \(ghcr.io\/acme\/web@sha256:...\) or a full release tag/,
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
      name: 'a channel tag of an official image',
      yaml: withImage('nginx:mainline-alpine'),
      errors: [{ message: /uses the channel tag :mainline-alpine/ }],
    },
    { name: 'no tag on Docker Hub', yaml: withImage('redis'), errors: [{ message: /image redis has no tag/ }] },
    {
      name: 'a floating major of an official image: at info, saying so',
      yaml: withImage('node:20'),
      errors: [
        {
          message:
            /image node:20 uses :20, a tag node's publisher moves to every new minor and patch release: a rollout/,
          severity: 'info',
        },
      ],
    },
    {
      name: 'a floating major.minor with a variant, spelled with the library/ prefix',
      yaml: withImage('docker.io/library/python:3.12-slim'),
      errors: [{ message: /uses :3.12-slim, a tag .* every new patch release/, severity: 'info' }],
    },
    { name: 'Bitnami', yaml: withImage('bitnami/redis:7.2'), errors: [{ message: /uses :7.2/, severity: 'info' }] },
    {
      name: 'a floating tag stays at info when the rule is raised to error',
      yaml: withImage('redis:7'),
      settings: { rules: { 'image-tag-unpinned': { severity: 'error' } } },
      errors: [{ message: /uses :7,/, severity: 'info' }],
    },
    {
      name: 'requireDigest: a floating tag is as unpinned as any other',
      yaml: withImage('node:20'),
      settings: { rules: { 'image-tag-unpinned': { options: { requireDigest: true } } } },
      errors: [{ message: /uses :20, a tag/ }],
    },
    {
      name: 'requireDigest: a full version tag is reported too',
      yaml: withImage('ghcr.io/acme/web:1.4.2'),
      settings: { rules: { 'image-tag-unpinned': { options: { requireDigest: true } } } },
      errors: [{ message: /uses :1.4.2 without a digest \(requireDigest\).*@sha256:...\)$/ }],
    },
  ],
});

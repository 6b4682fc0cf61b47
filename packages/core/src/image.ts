import { imageRepository } from './dockerfile.js';

/**
 * What an image reference's tag says about the build it runs:
 * - `digest`: `@sha256:...`, pinned whatever the tag;
 * - `none`: no tag, which means `:latest`; `latest`;
 * - `channel`: a tag named for a channel (`stable`, `main`, `edge`, `lts`, ...), pushed again for every build;
 * - `floating`: a major or major.minor version (`20`, `3.12-slim`) of an image whose publisher moves those tags with
 *   every patch release: Docker Hub's official images, Bitnami's, Microsoft's .NET images;
 * - `release`: any other tag (`v5`, `0.8`, `1.4.2`, `123`, a commit hash), pushed once by the usual convention.
 */
export type ImageTagKind = 'digest' | 'none' | 'latest' | 'channel' | 'floating' | 'release';

export interface ImageTag {
  kind: ImageTagKind;
  repository: string;
  tag: string | undefined;
}

const CHANNEL =
  /^(latest|stable|mainline|main|master|dev|develop|edge|nightly|canary|lts|current|next|release|prod|production|staging|beta|alpha|snapshot|unstable|testing)([-_][a-z][a-z0-9]*)*$/i;

/** `20`, `v3`, `1.25`, `20-alpine`, `3.12-slim-bookworm`: a major or major.minor version, with a variant. */
const PARTIAL_VERSION = /^v?\d{1,4}(\.\d+)?([-_][a-z].*)?$/i;

/**
 * Well-known Docker Hub official images: their publishers push `major` and `major.minor` tags again with every
 * release (`node:20`, `postgres:16`, `python:3.12-slim`). A single-word image outside this list (`app:v1` in a test,
 * a private mirror) is not taken for one.
 */
const OFFICIAL_IMAGES = new Set([
  'alpine',
  'almalinux',
  'amazoncorretto',
  'amazonlinux',
  'bash',
  'buildpack-deps',
  'busybox',
  'caddy',
  'cassandra',
  'centos',
  'clojure',
  'consul',
  'couchbase',
  'couchdb',
  'debian',
  'docker',
  'eclipse-mosquitto',
  'eclipse-temurin',
  'elasticsearch',
  'elixir',
  'erlang',
  'fedora',
  'flink',
  'gcc',
  'ghost',
  'golang',
  'gradle',
  'groovy',
  'haproxy',
  'haskell',
  'httpd',
  'influxdb',
  'jetty',
  'julia',
  'kibana',
  'kong',
  'logstash',
  'mariadb',
  'maven',
  'memcached',
  'mongo',
  'mysql',
  'nats',
  'neo4j',
  'nginx',
  'node',
  'openjdk',
  'oraclelinux',
  'percona',
  'perl',
  'php',
  'postgres',
  'pypy',
  'python',
  'rabbitmq',
  'redis',
  'redmine',
  'registry',
  'rockylinux',
  'ruby',
  'rust',
  'solr',
  'sonarqube',
  'swift',
  'telegraf',
  'tomcat',
  'traefik',
  'ubuntu',
  'varnish',
  'wordpress',
  'zookeeper',
]);

/** Publishers known to move major and major.minor tags (`node:20`, `bitnami/redis:7.2`) with every release. */
function movesPartialVersions(repository: string): boolean {
  const r = repository.toLowerCase().replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  const official = r.startsWith('library/') ? r.slice('library/'.length) : r;
  if (OFFICIAL_IMAGES.has(official)) return true;
  return r.startsWith('bitnami/') || r.startsWith('mcr.microsoft.com/dotnet/');
}

/** Classifies an image reference's tag (see ImageTagKind). */
export function imageTagOf(image: string): ImageTag {
  const repository = imageRepository(image);
  const at = image.indexOf('@');
  const digest = at === -1 ? undefined : image.slice(at + 1);
  const name = at === -1 ? image : image.slice(0, at);
  const tag = name.length > repository.length ? name.slice(repository.length + 1) : undefined;
  const kind: ImageTagKind = digest?.startsWith('sha256:')
    ? 'digest'
    : tag === undefined || tag === ''
      ? 'none'
      : /^latest$/i.test(tag)
        ? 'latest'
        : CHANNEL.test(tag)
          ? 'channel'
          : PARTIAL_VERSION.test(tag) && movesPartialVersions(repository)
            ? 'floating'
            : 'release';
  return { kind, repository, tag: tag === '' ? undefined : tag };
}

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import {
  type AppDrainConfig,
  DEFAULT_APP_DRAIN,
  DEFAULT_MARGIN_SECONDS,
  isProfileId,
  PROFILE_IDS,
} from '@zerodrop/core';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { UserInputError } from './errors.js';
import { RULES } from './registry.js';
import type { LintSettings, SeveritySetting } from './rule.js';

export const CONFIG_FILE_NAMES = ['.zerodrop.yaml', '.zerodrop.yml'];
/** The target Kubernetes version when none is configured: the native sleep preStop is on by default from 1.30. */
export const DEFAULT_KUBERNETES_VERSION = '1.30';

export function defaultSettings(): LintSettings {
  return {
    kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
    marginSeconds: DEFAULT_MARGIN_SECONDS,
    app: { ...DEFAULT_APP_DRAIN },
    dockerfiles: [],
    rules: {},
  };
}

/** `.zerodrop.yaml` in `dir` or the nearest parent folder, if any. */
export function findConfig(dir: string): string | undefined {
  let current = resolve(dir);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(current, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

const SEVERITIES: SeveritySetting[] = ['off', 'info', 'warning', 'error'];
const APP_KEYS = ['drainSeconds', 'drainDelaySeconds', 'delayAfterSignalSeconds'];
const TOP_KEYS = ['profile', 'kubernetesVersion', 'marginSeconds', 'propagationSeconds', 'app', 'rules', 'dockerfiles'];

/**
 * Reads and validates a config file. `cwd` is where displayed paths are relative to (Dockerfile paths in the
 * config are relative to the config file).
 */
export function loadConfig(file: string, cwd = process.cwd()): LintSettings {
  const shown = relative(cwd, file) || file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserInputError('ERR_ZERODROP_CONFIG', shown, `cannot read the config file: ${(error as Error).message}`);
  }
  return parseConfig(text, shown, dirname(resolve(file)), cwd);
}

/** Validates config text; every error names the line and what to write instead. */
export function parseConfig(text: string, file: string, baseDir: string, cwd = process.cwd()): LintSettings {
  const lineCounter = new LineCounter();
  // Warnings (a map used as a key) go to the checks below, not to the console.
  const doc = parseDocument(text, { lineCounter, logLevel: 'error' });
  const fail = (message: string, offset = 0): never => {
    const p = lineCounter.linePos(offset);
    throw new UserInputError('ERR_ZERODROP_CONFIG', file, message, p.line, p.col);
  };
  if (doc.errors[0]) fail(`invalid YAML: ${doc.errors[0].message.split('\n')[0]}`, doc.errors[0].pos[0]);
  const settings = defaultSettings();
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return settings;
  if (!isMap(doc.contents)) fail('the config must be a mapping (keys like `profile:` and `rules:`)');
  const at = (...path: string[]): number => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return node.range[0];
    return (doc.getIn(path.slice(0, -1), true) as { range?: number[] } | undefined)?.range?.[0] ?? 0;
  };
  const raw = doc.toJS() as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!TOP_KEYS.includes(key)) fail(`unknown key "${key}": expected one of ${TOP_KEYS.join(', ')}`, at(key));
  }
  const seconds = (value: unknown, ...path: string[]): number => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      fail(`${path.join('.')} must be a number of seconds >= 0, got ${JSON.stringify(value)}`, at(...path));
    return value as number;
  };
  if (raw.profile !== undefined) {
    const profile = raw.profile;
    if (!isProfileId(profile))
      return fail(`profile must be one of ${PROFILE_IDS.join(', ')}, got ${JSON.stringify(profile)}`, at('profile'));
    settings.profile = profile;
  }
  if (raw.kubernetesVersion !== undefined) {
    const v = String(raw.kubernetesVersion);
    if (!/^v?\d+\.\d+(\.\d+)?$/.test(v))
      fail(`kubernetesVersion must look like "1.30", got "${v}"`, at('kubernetesVersion'));
    settings.kubernetesVersion = v.replace(/^v/, '');
  }
  if (raw.marginSeconds !== undefined) settings.marginSeconds = seconds(raw.marginSeconds, 'marginSeconds');
  if (raw.propagationSeconds !== undefined)
    settings.propagationSeconds = seconds(raw.propagationSeconds, 'propagationSeconds');
  if (raw.app !== undefined) {
    if (typeof raw.app !== 'object' || raw.app === null || Array.isArray(raw.app))
      fail('app must be a mapping with drainSeconds, drainDelaySeconds and/or delayAfterSignalSeconds', at('app'));
    for (const [key, value] of Object.entries(raw.app as Record<string, unknown>)) {
      if (!APP_KEYS.includes(key)) fail(`unknown key "app.${key}": expected ${APP_KEYS.join(', ')}`, at('app', key));
      settings.app[key as keyof AppDrainConfig] = seconds(value, 'app', key);
    }
  }
  if (raw.rules !== undefined) {
    if (typeof raw.rules !== 'object' || raw.rules === null || Array.isArray(raw.rules))
      fail('rules must be a mapping of rule id to off/info/warning/error', at('rules'));
    for (const [id, value] of Object.entries(raw.rules as Record<string, unknown>)) {
      const rule = RULES.find((r) => r.meta.id === id);
      if (!rule) fail(`unknown rule "${id}" (see docs/rules/README.md for the list)`, at('rules', id));
      if (typeof value === 'string') {
        if (!SEVERITIES.includes(value as SeveritySetting))
          fail(`rules.${id} must be one of ${SEVERITIES.join(', ')}, got "${value}"`, at('rules', id));
        settings.rules[id] = { severity: value as SeveritySetting };
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        fail(`rules.${id} must be a severity or a mapping with severity and options`, at('rules', id));
      const { severity, ...options } = value as Record<string, unknown>;
      if (severity !== undefined && !SEVERITIES.includes(severity as SeveritySetting))
        fail(`rules.${id}.severity must be one of ${SEVERITIES.join(', ')}`, at('rules', id, 'severity'));
      for (const [name, v] of Object.entries(options)) {
        const known = rule?.meta.options?.[name];
        if (!known) {
          const names = Object.keys(rule?.meta.options ?? {});
          fail(
            `rule ${id} has no option "${name}"${names.length ? ` (options: ${names.join(', ')})` : ''}`,
            at('rules', id, name),
          );
        }
        if (typeof v !== typeof known?.default)
          fail(`rules.${id}.${name} must be a ${typeof known?.default}`, at('rules', id, name));
      }
      settings.rules[id] = { ...(severity ? { severity: severity as SeveritySetting } : {}), options };
    }
  }
  if (raw.dockerfiles !== undefined) {
    if (!Array.isArray(raw.dockerfiles))
      fail('dockerfiles must be a list of { path, images: [...] }', at('dockerfiles'));
    (raw.dockerfiles as unknown[]).forEach((entry, i) => {
      const e = (entry ?? {}) as Record<string, unknown>;
      const images = e.images ?? (e.image !== undefined ? [e.image] : undefined);
      if (typeof e.path !== 'string' || !Array.isArray(images) || !images.every((x) => typeof x === 'string'))
        fail(`dockerfiles[${i}] must have path: <Dockerfile> and images: [<repository>, ...]`, at('dockerfiles'));
      const dockerfile = relative(cwd, resolve(baseDir, e.path as string));
      settings.dockerfiles.push({ dockerfile, images: images as string[] });
    });
  }
  return settings;
}

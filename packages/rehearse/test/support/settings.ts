import { fileURLToPath } from 'node:url';
import { getProfile, type ProfileId } from '@zerodrop/core';
import { defaultReadiness, defaultSettings, type RehearsalSettings } from '../../src/settings.js';

/**
 * The command that runs a compiled fixture app, with a unique marker argument (the app ignores it) so a test can
 * find its own processes, and only those, in /proc.
 */
export function fixtureCommand(name: string, marker = uniqueMarker()): string[] {
  return [process.execPath, fileURLToPath(new URL(`../fixtures/${name}.js`, import.meta.url)), marker];
}

export function uniqueMarker(): string {
  return `--zerodrop-test=${process.pid}-${Math.random().toString(36).slice(2)}`;
}

/** Small, fast settings for tests: 2 replicas, --speed 4, 100 req/s over 8 connections, short warm-up and settle. */
export function testSettings(
  app: string,
  profile: ProfileId = 'kube-proxy',
  overrides: Partial<RehearsalSettings> = {},
): RehearsalSettings {
  const settings = defaultSettings(fixtureCommand(app), getProfile(profile), {
    speed: 4,
    warmupMs: 750,
    settleMs: 750,
    ...overrides,
  });
  settings.pod.readiness = defaultReadiness('/health/ready');
  settings.pod.gracePeriodSeconds = 10;
  settings.load.rate = 100;
  settings.load.connections = 8;
  return settings;
}

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { renderHtmlReport } from '../src/report/html.js';
import { rolloutWithFailures, rolloutWithoutFailures } from './fixtures/report-result.js';

const CHROMIUM = '/usr/bin/chromium';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found: install chromium to render the report in a browser`;

describe('HTML report in headless Chromium', { skip }, () => {
  let browser: Browser;
  let dir: string;

  before(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    dir = await mkdtemp(join(tmpdir(), 'zerodrop-report-'));
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function open(html: string, name: string) {
    const file = join(dir, `${name}.html`);
    await writeFile(file, html);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => {
      if (request.url() !== pathToFileURL(file).href) requests.push(request.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="1"]');
    return { page, errors, requests };
  }

  test('draws one lane per pod, a bar per bucket and the failures, with no errors and no network', async () => {
    const result = rolloutWithFailures();
    result.failures[0]!.detail = 'reset <img src="http://127.0.0.1:9/x.png" onerror="document.title=1">';
    const { page, errors, requests } = await open(renderHtmlReport(result), 'failures');

    const lanes = await page.$$eval('svg.timeline g.lane', (els) => els.map((el) => el.getAttribute('data-pod')));
    assert.equal(lanes.length, result.pods.length);
    assert.deepEqual([...lanes].sort(), result.pods.map((p) => p.name).sort());
    // Old pods come first.
    assert.deepEqual(
      await page.$$eval('svg.timeline g.lane', (els) => els.map((el) => el.getAttribute('data-revision'))),
      ['old', 'old', 'old', 'new', 'new', 'new'],
    );
    assert.equal(await page.locator('svg.timeline g.bucket').count(), result.timeline.buckets.length);
    const failBars = result.timeline.buckets.filter((b) => b.failed > 0).length;
    assert.equal(await page.locator('svg.timeline rect.fail-bar').count(), failBars);
    assert.equal(await page.locator('svg.timeline .fail-mark').count(), result.failures.filter((f) => f.pod).length);
    assert.equal(await page.locator('svg.timeline g.end-killed').count(), 1);
    assert.equal(await page.locator('svg.timeline g.end-exited').count(), 2);
    // The bars have a real size on screen.
    const box = await page.locator('svg.timeline g.bucket').nth(10).boundingBox();
    assert.ok(box && box.height > 10 && box.width > 0, `bucket bar box ${JSON.stringify(box)}`);

    const verdict = await page.textContent('#verdict');
    assert.match(verdict ?? '', /16 dropped requests/);
    const stats = await page.textContent('#stats');
    assert.match(stats ?? '', new RegExp(result.requests.total.toLocaleString('en-US')));
    assert.match(stats ?? '', /48\.7 ms/);
    assert.match((await page.textContent('#by-kind')) ?? '', /refused/);

    // User data stays text: no element was injected, the title is untouched.
    assert.equal(await page.locator('img').count(), 0);
    assert.match((await page.textContent('#failures')) ?? '', /<img src=/);
    assert.match(await page.title(), /dropped/);

    // Tooltips show on hover.
    await page.locator('svg.timeline g.bucket').nth(34).hover();
    assert.match((await page.textContent('#tip')) ?? '', /failed/);

    const png = join(dir, 'failures.png');
    await page.screenshot({ path: png, fullPage: true });
    const image = await readFile(png);
    assert.ok(image.length > 10_000, `screenshot is ${image.length} bytes`);
    assert.deepEqual(image.subarray(0, 8), PNG_SIGNATURE);
    if (process.env.ZERODROP_REPORT_SCREENSHOT) await writeFile(process.env.ZERODROP_REPORT_SCREENSHOT, image);

    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
    await page.close();
  });

  test('a run without failures reads as a pass', async () => {
    const { page, errors, requests } = await open(renderHtmlReport(rolloutWithoutFailures()), 'clean');
    assert.match((await page.textContent('#verdict')) ?? '', /Zero dropped requests/);
    assert.equal(await page.locator('svg.timeline rect.fail-bar').count(), 0);
    assert.match((await page.textContent('svg.timeline g.failures')) ?? '', /no failed requests/);
    const png = join(dir, 'clean.png');
    await page.screenshot({ path: png, fullPage: true });
    assert.ok((await stat(png)).size > 10_000);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
    await page.close();
  });
});

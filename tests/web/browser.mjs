// Browser test of the web UI in headless Chromium driven by playwright-core.
// Usage: node browser.mjs URL PROJECT_PATH SCREENSHOT_DIR
import { createRequire } from 'module';
const require = createRequire(import.meta.url);
const { chromium } = require(process.env.WT_PLAYWRIGHT || 'playwright-core');
const [url, project, shots] = process.argv.slice(2);
let passed = 0, failed = 0;
const check = (cond, what) => { if (cond) passed++; else { failed++; console.log('FAIL: ' + what); } };

const browser = await chromium.launch({
  executablePath: process.env.WT_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const ctx = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  let dialogs = 0;
  page.on('dialog', async (d) => { if (d.type() !== 'confirm') dialogs++; await d.dismiss(); });
  const cspErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') cspErrors.push(m.text()); });

  await page.goto(url + '/watchtower-aishield');
  await page.screenshot({ path: `${shots}/1-form.png`, fullPage: true });
  // validation message next to the field, without a request
  await page.click('#start');
  check((await page.textContent('[data-err="path"]')).includes('Enter'), 'empty path shows a validation message');

  await page.fill('#f-path', project);
  await page.click('#start');
  await page.waitForSelector('#results:not(.hidden)', { timeout: 30000 });
  await page.waitForSelector('#findings tbody tr.finding', { timeout: 10000 });
  const rows = await page.$$('#findings tbody tr.finding');
  check(rows.length >= 2, 'results table lists findings');
  await page.screenshot({ path: `${shots}/2-results.png`, fullPage: true });

  // the hostile file name is shown as text, never as markup
  const names = await page.$$eval('#findings tbody td:nth-child(3)', (tds) => tds.map((t) => t.textContent));
  check(names.some((n) => n.includes('<img src=x onerror=alert(1)>')), 'XSS file name rendered as text');
  check((await page.$$('#findings img')).length === 0, 'no <img> element injected');

  // filter by severity
  await page.selectOption('#flt-sev', 'medium');
  await page.waitForTimeout(400);
  const sevs = await page.$$eval('#findings tbody .sev', (s) => s.map((x) => x.textContent));
  check(sevs.length > 0 && sevs.every((s) => s === 'medium'), 'severity filter shows only medium');
  await page.selectOption('#flt-sev', '');
  await page.waitForTimeout(300);

  // open a finding
  await page.click('#findings tbody tr.finding');
  await page.waitForSelector('#detail:not(.hidden)');
  const detail = await page.textContent('#d-list');
  check(detail.includes('CWE'), 'detail panel shows the standards mapping');
  await page.screenshot({ path: `${shots}/3-detail.png`, fullPage: true });
  await page.click('#detail-close');

  // download a report
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#dl-summary')]);
  const path = await dl.path();
  const fs = await import('fs');
  const body = JSON.parse(fs.readFileSync(path, 'utf8'));
  check('Total Number of Model Found' in body, 'summary report downloads');

  // history lists the scan
  const hist = await page.textContent('#scans tbody');
  check(hist.includes('done'), 'history shows the finished scan');
  await page.screenshot({ path: `${shots}/4-history.png`, fullPage: true });
  check(dialogs === 0, 'no script from scanned content ran');
  check(!cspErrors.some((e) => /Content Security Policy/i.test(e)), 'no CSP violations: ' + cspErrors.join('; '));
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

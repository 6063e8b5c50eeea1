// Browser tests of the catalog UI, run by CatalogUiIT against a live online service:
// playwright-core drives Debian's chromium headless. Every step is an interaction a person makes;
// one failing step fails the run (exit 1). Screenshots go to $OUT.
//
// Environment: BASE_URL (http://localhost:port), API_KEY (a key of consumer fraud-scoring),
// EXPECTED_TXN (txn_count_1h of customer c-1), OUT (screenshot directory), CHROMIUM (executable).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const base = process.env.BASE_URL;
const key = process.env.API_KEY;
const expectedTxn = process.env.EXPECTED_TXN;
const out = process.env.OUT || 'target/ui-screenshots';
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
page.setDefaultTimeout(15000);
const failures = [];

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function step(name, body) {
  try {
    await body();
    console.log(`PASS ${name}`);
  } catch (e) {
    failures.push(name);
    console.log(`FAIL ${name}: ${e.message.split('\n')[0]}`);
    await page.screenshot({ path: `${out}/FAILED-${name.replace(/\W+/g, '-')}.png`, fullPage: true }).catch(() => {});
  }
}

// Accessibility basics on the page shown: every form field has a label, and text contrast is at
// least 4.5:1 (3:1 for large text), SVG text against the shape it sits on. A problem is a failure
// of its own ("accessibility: <page>"), so the interaction that follows still runs.
async function accessibility(where) {
  try {
    await checkAccessibility(where);
    console.log(`PASS accessibility: ${where}`);
  } catch (e) {
    failures.push(`accessibility: ${where}`);
    console.log(`FAIL accessibility: ${where}: ${e.message}`);
  }
}

async function checkAccessibility(where) {
  const problems = [];
  const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
    .filter((el) => {
      const label = el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
      return !(label && label.textContent.trim()) && !el.closest('label') && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby');
    }).map((el) => el.outerHTML.slice(0, 120)));
  if (unlabelled.length > 0) problems.push(`form fields without a label: ${unlabelled.join(' | ')}`);
  const low = await page.evaluate(() => {
    const parse = (c) => {
      const m = c && c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const background = (el) => {
      const layers = [];
      for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
      }
      let bg = { r: 255, g: 255, b: 255 };
      for (const l of layers.reverse()) bg = { r: l.r * l.a + bg.r * (1 - l.a), g: l.g * l.a + bg.g * (1 - l.a), b: l.b * l.a + bg.b * (1 - l.a) };
      return bg;
    };
    const bad = [];
    for (const el of document.querySelectorAll('body *')) {
      const text = Array.from(el.childNodes).filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join('');
      if (!text) continue;
      const cs = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (cs.display === 'none' || cs.visibility === 'hidden' || box.width === 0 || box.right < 0) continue;
      let fg; let bg;
      if (el instanceof SVGElement) {
        if (el.tagName.toLowerCase() !== 'text') continue;
        fg = parse(cs.fill);
        const shape = el.classList.contains('chart-axis') ? el.ownerSVGElement.querySelector('rect.chart-bg') : el.parentElement.querySelector('rect');
        bg = shape ? parse(getComputedStyle(shape).fill) : background(el.ownerSVGElement);
      } else {
        fg = parse(cs.color);
        bg = background(el);
      }
      if (!fg || !bg) continue;
      const size = parseFloat(cs.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
      const r = ratio(fg, bg);
      if (r < (large ? 3 : 4.5)) bad.push(`${el.tagName.toLowerCase()}.${el.className.baseVal ?? el.className} "${text.slice(0, 30)}" ${r.toFixed(2)}:1`);
    }
    return bad;
  });
  if (low.length > 0) problems.push(`${low.length} texts below the contrast minimum, e.g. ${low.slice(0, 4).join(' | ')}`);
  check(problems.length === 0, problems.join('; '));
}

await step('sign-in: a wrong key is refused, the right one opens the index', async () => {
  await page.goto(`${base}/ui`);
  check(page.url().includes('/ui/login'), `not sent to the sign-in form: ${page.url()}`);
  await accessibility('sign-in form');
  await page.getByLabel('API key').fill('not-a-key');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
  check(await page.locator('#login-problem').isVisible(), 'no error shown for a wrong key');
  await page.screenshot({ path: `${out}/01-sign-in-refused.png` });
  await page.getByLabel('API key').fill(key);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
  check(new URL(page.url()).pathname === '/ui', `after sign-in at ${page.url()}`);
  check((await page.locator('.who').textContent()).includes('fraud-scoring'), 'the signed-in consumer is not shown');
  const sets = await page.locator('#feature-sets a.fs-link').count();
  check(sets >= 4, `index lists ${sets} feature sets, expected at least 4`);
  await page.screenshot({ path: `${out}/02-index.png`, fullPage: true });
  await accessibility('index');
});

await step('keyboard: arrows, Home and End move through the list, Enter opens a feature set', async () => {
  await page.goto(`${base}/ui`);
  const refs = await page.locator('#feature-sets a.fs-link').evaluateAll((links) => links.map((a) => a.dataset.ref));
  // Tab from the top of the page reaches the list
  await page.locator('body').press('Tab');
  let reached = false;
  for (let i = 0; i < 12 && !reached; i++) {
    reached = await page.evaluate(() => document.activeElement?.classList.contains('fs-link'));
    if (!reached) await page.keyboard.press('Tab');
  }
  check(reached, 'Tab never reached the feature set list');
  const focused = () => page.evaluate(() => document.activeElement?.dataset?.ref);
  check(await focused() === refs[0], `Tab reached ${await focused()}, expected the first, ${refs[0]}`);
  await page.keyboard.press('ArrowDown');
  check(await focused() === refs[1], `ArrowDown focused ${await focused()}, expected ${refs[1]}`);
  await page.keyboard.press('End');
  check(await focused() === refs[refs.length - 1], `End focused ${await focused()}`);
  await page.keyboard.press('ArrowUp');
  check(await focused() === refs[refs.length - 2], `ArrowUp focused ${await focused()}`);
  await page.keyboard.press('Home');
  check(await focused() === refs[0], `Home focused ${await focused()}`);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  check(page.url().endsWith(`/ui/feature-sets/${refs[0]}`), `Enter opened ${page.url()}`);
});

await step('feature set: the contract for people, and freshness against its SLA with a chart', async () => {
  await page.goto(`${base}/ui/feature-sets/customer_activity@1`);
  check((await page.locator('h1').textContent()).includes('customer_activity'), 'wrong page');
  const features = await page.locator('table.features tbody tr').count();
  check(features === 5, `${features} feature rows, expected 5`);
  check((await page.locator('#feature-txn_count_1h').textContent()).includes('count'), 'txn_count_1h does not show its aggregate');
  check((await page.locator('dl.facts').textContent()).includes('risk-data'), 'the owner is not shown');
  check((await page.locator('ul.rules').textContent()).includes('amount must not be null'), 'the quality rules are not shown');
  const value = await page.locator('#value-freshness-p99').textContent();
  check(!value.includes('no samples'), `freshness p99 has no samples: ${value}`);
  const target = await page.locator('#metric-freshness-p99 .metric-target').textContent();
  check(target.includes('SLA 1.0 min'), `freshness target: ${target}`);
  const state = (await page.locator('#metric-freshness-p99 .badge').textContent()).trim();
  check(state === 'ok', `freshness p99 ${value} against SLA 1 min shows '${state}', expected ok`);
  const drawn = await page.locator('#metric-freshness-p99 svg .chart-line').count();
  check(drawn >= 1, 'the freshness chart draws no samples');
  check(await page.locator('#metric-completeness').isVisible() && await page.locator('#metric-changelog-lag').isVisible(),
    'completeness or changelog lag is missing');
  await page.locator('#sla').screenshot({ path: `${out}/03-freshness-against-sla.png` });
  await page.screenshot({ path: `${out}/04-feature-set.png`, fullPage: true });
  await accessibility('feature set page');
});

await step('feature set: DLQ counts by reason with samples, and the version history with its diff', async () => {
  await page.goto(`${base}/ui/feature-sets/customer_activity@1`);
  const dlq = await page.locator('table.dlq').textContent();
  check(dlq.includes('quality_rule'), `DLQ table: ${dlq}`);
  check(await page.locator('ol.letters li').count() >= 1, 'no sample rejected events');
  check(await page.locator('#version-0\\.9\\.0').count() === 1, 'version 0.9.0 is not in the history');
  const summary = await page.locator('#version-1\\.0\\.0 summary').textContent();
  check(summary.includes('Changes from 0.9.0') && summary.includes('MINOR'), `diff summary: ${summary}`);
  const diff = await page.locator('#version-1\\.0\\.0 pre.diff').textContent();
  check(diff.includes('amount_avg_7d'), `the diff does not name the added feature: ${diff}`);
});

await step('lookup: the form answers the stored values', async () => {
  await page.goto(`${base}/ui/feature-sets/customer_activity@1`);
  await page.getByLabel('customer_id').fill('c-1');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Look up' }).click()]);
  check((await page.locator('#lookup-status').textContent()) === 'OK', 'lookup status is not OK');
  const txn = await page.locator('table.values tr', { hasText: 'txn_count_1h' }).locator('td').textContent();
  check(txn.trim() === expectedTxn, `txn_count_1h of c-1 is ${txn}, expected ${expectedTxn}`);
  await page.locator('#try').screenshot({ path: `${out}/05-lookup.png` });
  await page.getByLabel('customer_id').fill('c-never-seen');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Look up' }).click()]);
  check((await page.locator('#lookup-status').textContent()) === 'MISSING', 'an unknown customer is not MISSING');
});

await step('lineage: from the picture to the source topic and to a consumer', async () => {
  await page.goto(`${base}/ui/feature-sets/customer_activity@1`);
  await page.locator('#lineage').screenshot({ path: `${out}/06-lineage.png` });
  await Promise.all([page.waitForNavigation(), page.locator('svg.lineage a[aria-label="source payments.transactions"]').click()]);
  check(page.url().endsWith('/ui/topics/payments.transactions'), `source node opened ${page.url()}`);
  const fed = await page.locator('#related').textContent();
  check(fed.includes('customer_activity@1') && fed.includes('merchant_risk@2'), `topic page lists: ${fed}`);
  await page.goBack();
  await Promise.all([page.waitForNavigation(), page.locator('svg.lineage a[aria-label="consumer fraud-scoring"]').click()]);
  check(page.url().endsWith('/ui/consumers/fraud-scoring'), `consumer node opened ${page.url()}`);
  check((await page.locator('#related').textContent()).includes('customer_activity@1'), 'consumer page does not list customer_activity@1');
  await page.screenshot({ path: `${out}/07-consumer.png` });
  await Promise.all([page.waitForNavigation(), page.locator('#related a', { hasText: 'customer_activity@1' }).click()]);
  check(page.url().endsWith('/ui/feature-sets/customer_activity@1'), 'the consumer page does not lead back to the feature set');
});

await step('search: a feature found across feature sets opens at its deep link', async () => {
  await page.goto(`${base}/ui`);
  await page.getByLabel('Search feature sets and features').fill('avg');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Search' }).click()]);
  const hits = await page.locator('#hits').textContent();
  check(hits.includes('customer_activity:amount_avg_7d') && hits.includes('merchant_risk:amount_avg_24h'), `hits: ${hits}`);
  await page.screenshot({ path: `${out}/08-search.png` });
  await accessibility('search results');
  await Promise.all([page.waitForNavigation(), page.locator('#hits a', { hasText: 'customer_activity:amount_avg_7d' }).click()]);
  check(page.url().endsWith('/ui/feature-sets/customer_activity@1#feature-amount_avg_7d'), `deep link: ${page.url()}`);
  check(await page.evaluate(() => document.querySelector(':target')?.id) === 'feature-amount_avg_7d', 'the feature row is not the target');
});

await step('errors are pages, never stack traces; signing out ends the session', async () => {
  const answer = await page.goto(`${base}/ui/feature-sets/no_such_set`);
  check(answer.status() === 404, `status ${answer.status()}`);
  check((await page.locator('[role=alert]').textContent()).includes("Unknown feature set 'no_such_set'"), 'the error does not name the feature set');
  const html = await page.content();
  check(!/Exception|\tat [a-z]/.test(html), 'the page shows a stack trace');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign out' }).click()]);
  await page.goto(`${base}/ui/feature-sets/customer_activity@1`);
  check(page.url().includes('/ui/login'), `after sign-out a page opened: ${page.url()}`);
});

await browser.close();
console.log(failures.length === 0 ? 'catalog UI: all steps passed' : `catalog UI: ${failures.length} step(s) failed: ${failures.join('; ')}`);
process.exit(failures.length === 0 ? 0 : 1);

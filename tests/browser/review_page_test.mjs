// The review page in a real browser (issue 16): headless Debian chromium driven by playwright-core.
// Makes a folder from the repository's examples, starts `neardup serve` on it, opens the page,
// inspects a pair, trashes the copies of one group, checks the freedesktop Trash, undoes, checks
// the files are back byte-identical, and saves screenshots.
//   node review_page_test.mjs NEARDUP_BIN EXAMPLES_DIR OUT_DIR
// Needs playwright-core in NODE_PATH (scripts/browser_test_setup.sh) and /usr/bin/chromium.
import {spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);
const {chromium} = require('playwright-core');

const [bin, examples, outDir] = process.argv.slice(2);
if (!bin || !examples || !outDir) {
  console.error('usage: node review_page_test.mjs NEARDUP_BIN EXAMPLES_DIR OUT_DIR');
  process.exit(2);
}
const fail = (msg) => { throw new Error(msg); };
const sha = (p) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'neardup-browser-'));
const photos = path.join(tmp, 'photos');
fs.mkdirSync(photos);
for (const name of fs.readdirSync(examples)) {
  if (/\.(jpe?g|png)$/i.test(name)) fs.copyFileSync(path.join(examples, name), path.join(photos, name));
}
const before = new Map(fs.readdirSync(photos).map((n) => [n, sha(path.join(photos, n))]));
const token = 'browser-test-token-' + process.pid + '-0123456789';
fs.writeFileSync(path.join(tmp, 'token'), token + '\n');
fs.mkdirSync(outDir, {recursive: true});

const server = spawn(bin, ['serve', photos, '--bind', '127.0.0.1:0', '--no-cache', '-q',
  '--token-file', path.join(tmp, 'token'), '--journal-dir', path.join(tmp, 'journal'),
  '--thumbs', path.join(tmp, 'thumbs')],
  {env: {...process.env, XDG_DATA_HOME: path.join(tmp, 'xdg')}, stdio: ['ignore', 'pipe', 'inherit']});
const port = await new Promise((resolve, reject) => {
  let printed = '';
  const timer = setTimeout(() => reject(new Error('server did not start: ' + printed)), 60000);
  server.stdout.on('data', (d) => {
    printed += d;
    const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(printed);
    if (m) { clearTimeout(timer); resolve(+m[1]); }
  });
  server.on('exit', (code) => reject(new Error('server exited with ' + code + ': ' + printed)));
});

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
});
let ok = false;
try {
  const page = await browser.newPage({viewport: {width: 1280, height: 900}});
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/#token=${token}`);
  await page.waitForSelector('.group', {timeout: 120000});
  // Thumbnails are loaded (the server made them).
  await page.waitForFunction(() => [...document.querySelectorAll('.file img')]
      .every((i) => i.complete && i.naturalWidth > 0), null, {timeout: 60000});
  const groups = await page.locator('.group').count();
  console.log(`page shows ${groups} groups: ${await page.textContent('#summary')}`);
  await page.screenshot({path: path.join(outDir, 'review-groups.png'), fullPage: true});

  // The pair view: verdicts, the evidence, and the overlay canvases sized to the images.
  await page.locator('.group').first().locator('.inspect').click();
  await page.waitForFunction(() => /score/.test(document.getElementById('pair-text').textContent),
                             null, {timeout: 120000});
  await page.waitForFunction(() => document.getElementById('over-a').width > 0);
  console.log('pair view: ' + (await page.textContent('#pair-text')).split('\n')[0]);
  await page.keyboard.press('+');
  await page.click('#zoom-in');
  await page.screenshot({path: path.join(outDir, 'review-pair.png')});
  await page.keyboard.press('Escape');
  if (!(await page.locator('#pair').isHidden())) fail('Escape did not close the pair view');

  // Keyboard: j moves the focus; choose to trash only the first group's copies.
  await page.keyboard.press('j');
  const focused = await page.locator('.group.focused').getAttribute('data-index');
  if (groups > 1 && focused !== '1') fail('j did not move to the next group: ' + focused);
  await page.keyboard.press('k');
  const boxes = page.locator('.group .select');
  for (let i = 1; i < groups; ++i) await boxes.nth(i).uncheck();
  const first = page.locator('.group').first();
  const names = await first.locator('.file .meta').allTextContents();
  const keepName = path.basename(await first.locator('.file.keep').getAttribute('data-path'));
  console.log('group 1: ' + names.length + ' files, keep ' + keepName);
  await page.click('#apply');
  await page.waitForSelector('#confirm:not([hidden])');
  console.log('confirm: ' + await page.textContent('#confirm-text'));
  await page.click('#confirm-yes');
  await page.waitForFunction(() => /Applied/.test(document.getElementById('status').textContent),
                             null, {timeout: 60000});
  console.log('status: ' + await page.textContent('#status'));
  const trashFiles = path.join(tmp, 'xdg', 'Trash', 'files');
  const trashed = fs.existsSync(trashFiles) ? fs.readdirSync(trashFiles) : [];
  if (trashed.length !== names.length - 1) fail(`expected ${names.length - 1} files in the trash, found ${trashed}`);
  for (const n of trashed) {
    if (fs.existsSync(path.join(photos, n))) fail(n + ' is still in the folder');
    if (!fs.existsSync(path.join(tmp, 'xdg', 'Trash', 'info', n + '.trashinfo'))) fail('no .trashinfo for ' + n);
  }
  if (!fs.existsSync(path.join(photos, keepName))) fail('the kept file is gone: ' + keepName);
  await page.waitForSelector('.group');
  await page.screenshot({path: path.join(outDir, 'review-after-trash.png'), fullPage: true});

  // Undo (the u key): every file back, byte-identical; the trash empty.
  await page.keyboard.press('u');
  await page.waitForFunction(() => /Undone/.test(document.getElementById('status').textContent),
                             null, {timeout: 60000});
  console.log('status: ' + await page.textContent('#status'));
  for (const [n, h] of before) {
    if (!fs.existsSync(path.join(photos, n))) fail(n + ' did not come back');
    if (sha(path.join(photos, n)) !== h) fail(n + ' came back changed');
  }
  if (fs.readdirSync(trashFiles).length !== 0) fail('the trash is not empty after undo');
  await page.waitForFunction((n) => document.querySelectorAll('.group').length === n, groups,
                             {timeout: 60000});
  await page.screenshot({path: path.join(outDir, 'review-after-undo.png'), fullPage: true});
  if (errors.length) fail('page errors: ' + errors.join('; '));
  ok = true;
  console.log(`browser test passed; screenshots in ${outDir}`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
  fs.rmSync(tmp, {recursive: true, force: true});
}
process.exit(ok ? 0 : 1);

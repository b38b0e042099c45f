// The console's message catalogues (web/i18n/en.json, zh-CN.json) against each other and the
// code: every key in both languages, every key the code uses (t('key') in web/js, data-i18n*
// attributes in web/*.html) in both, no {placeholder} in Chinese that the English lacks, and
// no key that nothing uses. No server needed;
// run by run.sh with the browser tests, or alone: node --test i18n_check.mjs.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
const kLanguages = ['en', 'zh-CN'];
const catalogues = Object.fromEntries(kLanguages.map((l) =>
  [l, JSON.parse(readFileSync(join(web, 'i18n', `${l}.json`), 'utf8'))]));

// Keys the code uses, with where: Map key -> first file.
export function usedKeys() {
  const used = new Map();
  const note = (key, file) => { if (!used.has(key)) used.set(key, file); };
  for (const f of readdirSync(join(web, 'js')).filter((n) => n.endsWith('.js'))) {
    const text = readFileSync(join(web, 'js', f), 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'([^'$]+)'/g)) note(m[1], `js/${f}`);
  }
  for (const f of readdirSync(web).filter((n) => n.endsWith('.html'))) {
    const text = readFileSync(join(web, f), 'utf8');
    for (const m of text.matchAll(/data-i18n(?:-label|-placeholder)?="([^"]+)"/g)) note(m[1], f);
  }
  return used;
}

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('both catalogues have the same keys', () => {
  const [a, b] = kLanguages.map((l) => new Set(Object.keys(catalogues[l])));
  assert.deepEqual([...a].filter((k) => !b.has(k)), [], 'keys missing in zh-CN.json');
  assert.deepEqual([...b].filter((k) => !a.has(k)), [], 'keys missing in en.json');
});

test('every key the code uses is in both catalogues', () => {
  for (const l of kLanguages) {
    const missing = [...usedKeys()].filter(([k]) => !(k in catalogues[l])).map(([k, f]) => `${k} (${f})`);
    assert.deepEqual(missing, [], `keys used in the code but missing in ${l}.json`);
  }
});

test('translations use only their English placeholders and are not empty', () => {
  const wrong = [];
  for (const [k, en] of Object.entries(catalogues.en)) {
    const zh = catalogues['zh-CN'][k];
    if (typeof zh !== 'string' || !zh.trim() || !en.trim()) wrong.push(`${k}: empty`);
    // A translation may leave a placeholder out (the English keeps the server's own words), never add one.
    else if (placeholders(zh).some((p) => !placeholders(en).includes(p))) wrong.push(`${k}: {${placeholders(zh)}} not in {${placeholders(en)}}`);
  }
  assert.deepEqual(wrong, []);
});

test('no key in the catalogues is unused', () => {
  const used = usedKeys();
  assert.deepEqual(Object.keys(catalogues.en).filter((k) => !used.has(k)), [], 'unused keys in the catalogues');
});

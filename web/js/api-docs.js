// The API reference page: fetches the server's OpenAPI 3.1 document (GET /api/v1/openapi.json,
// public) and renders its operations grouped by tag: method, path, summary, security,
// parameters, and the request and response schemas as expandable trees ($refs to
// #/components/schemas named and expandable, cycles cut). No viewer library: the subset of
// JSON Schema our document uses is small. The page's own words follow the console's language;
// the document (summaries, descriptions) is the API's, in English.

import { t, translatePage } from './i18n.js';
import { el, languageSwitch } from './shell.js';

const kMethods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

function resolve(doc, ref) {
  let at = doc;
  for (const raw of ref.replace(/^#\//, '').split('/')) {
    at = at?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return at;
}

function refName(ref) {
  return ref.split('/').pop();
}

function typeText(schema) {
  if (!schema || typeof schema !== 'object') return 'any';
  if (schema.$ref) return refName(schema.$ref);
  if ('const' in schema) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  for (const k of ['oneOf', 'anyOf']) {
    if (schema[k]) return schema[k].map(typeText).join(' | ');
  }
  if (schema.allOf) return schema.allOf.map(typeText).join(' & ');
  const t = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type || 'any';
  if (schema.type === 'array' && schema.items) return `${typeText(schema.items)}[]`;
  return schema.format ? `${t} (${schema.format})` : t;
}

function limitsText(schema) {
  const parts = [];
  for (const [k, word] of [['minimum', '≥'], ['maximum', '≤'], ['minLength', 'length ≥'],
    ['maxLength', 'length ≤']]) {
    if (k in schema) parts.push(`${word} ${schema[k]}`);
  }
  return parts.join(', ');
}

// A schema as a nested list; each named schema ($ref) is a <details> opened on demand, so that
// deep and recursive documents stay short.
function schemaTree(doc, schema, seen = new Set()) {
  if (!schema || typeof schema !== 'object') return el('span', { class: 'muted', text: t('apiDocs.any') });
  if (schema.$ref) {
    const name = refName(schema.$ref);
    if (seen.has(name)) return el('code', { text: name });
    const details = el('details', { class: 'schema' }, el('summary', {}, el('code', { text: name })));
    details.addEventListener('toggle', () => {
      if (!details.open || details.dataset.filled) return;
      details.dataset.filled = '1';
      details.append(schemaTree(doc, resolve(doc, schema.$ref), new Set([...seen, name])));
    });
    return details;
  }
  const box = el('div', { class: 'schema-body' });
  if (schema.description) box.append(el('p', { class: 'muted', text: schema.description }));
  const alternatives = schema.oneOf || schema.anyOf || schema.allOf;
  if (alternatives) {
    const word = schema.allOf ? t('apiDocs.allOf') : t('apiDocs.oneOf');
    box.append(el('p', { text: word }));
    box.append(el('ul', {}, ...alternatives.map((s) => el('li', {}, schemaTree(doc, s, seen)))));
    return box;
  }
  if (schema.properties) {
    const required = new Set(schema.required || []);
    const rows = Object.entries(schema.properties).map(([name, s]) => {
      const nested = s.$ref || s.properties || s.oneOf || s.anyOf || s.allOf ||
        (s.items && (s.items.$ref || s.items.properties));
      return el('tr', {},
        el('th', { scope: 'row' }, el('code', { text: name }), required.has(name) ? '' : '?'),
        el('td', {}, el('code', { text: typeText(s) })),
        el('td', {}, [s.description, limitsText(s)].filter(Boolean).join('; ')),
        el('td', {}, nested ? schemaTree(doc, s.items && !s.properties && !s.$ref ? s.items : s, seen) : ''));
    });
    box.append(el('table', { class: 'grid schema-table' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('apiDocs.field') }),
        el('th', { scope: 'col', text: t('apiDocs.type') }), el('th', { scope: 'col', text: t('apiDocs.notes') }),
        el('th', { scope: 'col', text: t('apiDocs.schema') }))),
      el('tbody', {}, ...rows)));
    if (schema.additionalProperties === false) {
      box.append(el('p', { class: 'muted', text: t('apiDocs.noFields') }));
    }
    return box;
  }
  box.append(el('code', { text: typeText(schema) }));
  const limits = limitsText(schema);
  if (limits) box.append(' ', el('span', { class: 'muted', text: limits }));
  return box;
}

function contentBlock(doc, content) {
  const out = el('div', {});
  for (const [type, media] of Object.entries(content || {})) {
    out.append(el('p', {}, el('code', { text: type })));
    if (media.schema) out.append(schemaTree(doc, media.schema));
    if ('example' in media) {
      out.append(el('details', { class: 'example' }, el('summary', { text: t('apiDocs.example') }),
        el('pre', {}, el('code', { text: JSON.stringify(media.example, null, 2) }))));
    }
  }
  return out;
}

function securityText(op, doc) {
  const sec = op.security ?? doc.security ?? [];
  if (sec.length === 0) return t('apiDocs.public');
  return sec.map((r) => Object.keys(r).join(' + ') || t('sync.none')).join(t('apiDocs.or'));
}

// Where a parameter travels, in the page's language.
function inText(where) {
  return ({ path: t('apiDocs.in.path'), query: t('apiDocs.in.query'), header: t('apiDocs.in.header'),
    cookie: t('apiDocs.in.cookie') })[where] || where;
}

function operationCard(doc, method, path, op) {
  const head = el('summary', { class: 'op-head' },
    el('span', { class: 'method', 'data-method': method, text: method.toUpperCase() }), ' ',
    el('code', { class: 'op-path', text: path }), ' ',
    el('span', { text: op.summary || '' }));
  const body = el('div', { class: 'op-body' });
  if (op.description) body.append(el('p', { text: op.description }));
  body.append(el('p', {}, el('strong', { text: t('apiDocs.security') }), securityText(op, doc),
    el('span', { class: 'muted', text: ` · operationId ${op.operationId}` })));
  if (op.parameters?.length) {
    body.append(el('h4', { text: t('apiDocs.parameters') }), el('table', { class: 'grid' },
      el('thead', {}, el('tr', {}, ...[t('apiDocs.param.name'), t('apiDocs.param.in'), t('apiDocs.type'),
        t('apiDocs.notes')].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...op.parameters.map((p) => el('tr', {},
        el('td', {}, el('code', { text: p.name }), p.required ? '' : '?'),
        el('td', { text: inText(p.in) }), el('td', {}, el('code', { text: typeText(p.schema) })),
        el('td', { text: p.description || '' }))))));
  }
  if (op.requestBody) {
    body.append(el('h4', { text: op.requestBody.required ? t('apiDocs.body') : t('apiDocs.bodyOptional') }),
      contentBlock(doc, op.requestBody.content));
  }
  body.append(el('h4', { text: t('apiDocs.responses') }));
  for (const [status, raw] of Object.entries(op.responses || {})) {
    const r = raw.$ref ? resolve(doc, raw.$ref) : raw;
    body.append(el('details', { class: 'response' },
      el('summary', {}, el('strong', { text: status }), ` ${r?.description || ''}`),
      contentBlock(doc, r?.content)));
  }
  return el('details', { class: 'card op', 'data-method': method.toUpperCase(), 'data-path': path },
    head, body);
}

function render(doc) {
  const byTag = new Map((doc.tags || []).map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const method of kMethods) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] || t('apiDocs.otherTag');
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(operationCard(doc, method, path, op));
    }
  }
  const intro = document.getElementById('intro');
  intro.replaceChildren(`${doc.info.title} ${doc.info.version} (OpenAPI ${doc.openapi}). `,
    doc.info.description || '', ` ${t('apiDocs.document')} `,
    el('a', { href: '/api/v1/openapi.json', text: '/api/v1/openapi.json' }), '.');
  const tags = document.getElementById('tags');
  const ops = document.getElementById('operations');
  for (const [tag, cards] of byTag) {
    if (cards.length === 0) continue;
    const id = `tag-${tag.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    tags.append(el('li', {}, el('a', { href: `#${id}`, text: `${tag} (${cards.length})` })));
    ops.append(el('section', { 'aria-labelledby': id, class: 'api-tag' },
      el('h2', { id, text: tag }), ...cards));
  }
  ops.removeAttribute('aria-busy');
}

async function main() {
  translatePage();
  languageSwitch(document.getElementById('language-anchor'));
  try {
    const res = await fetch('/api/v1/openapi.json', { headers: { Accept: 'application/json' } });
    const doc = await res.json();
    if (!res.ok) throw new Error(doc?.error?.message || `HTTP ${res.status}`);
    render(doc);
  } catch (e) {
    const error = document.getElementById('error');
    error.textContent = t('apiDocs.failed', { error: e.message });
    error.hidden = false;
    document.getElementById('operations').removeAttribute('aria-busy');
  }
}

main();

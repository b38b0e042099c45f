// The server's own sentences in the console's language (docs/api.md "Message codes"): beside
// an English sentence meant for an admin (a connector's last error, an audit entry's detail, a
// sync account's failure reason, presence sync's coverage, what a delete removed, a popup's
// error) the API sends its code and parameters. English shows the server's words; another
// language renders a known code from the catalogue (keys server.<code>) and falls back to the
// English for an unknown code or none, so a new server sentence is never lost, only untranslated.

import { words } from './format.js';
import { dateTime, lang, number, t } from './i18n.js';

const statusWords = (s) => ({ NotConfigured: t('connector.status.NotConfigured'), Authorizing: t('connector.status.Authorizing'),
  Active: t('connector.status.Active'), Inactive: t('connector.status.Inactive'),
  AuthorizationError: t('connector.status.AuthorizationError') })[s] || s;

// Parameters in words: times through Intl, statuses and on/off in the language, counts as numbers.
function localParams(params) {
  const out = { ...params };
  for (const [k, v] of Object.entries(params)) {
    if (k === 'at') {
      const d = new Date(v);
      if (!Number.isNaN(d.getTime())) out[k] = dateTime(d);
    } else if (k === 'from' || k === 'to' || k === 'status') {
      out[k] = statusWords(v);
    } else if (k === 'state') {
      out[k] = v === 'on' ? t('server.setting.on') : t('server.setting.off');
    } else if (/^\d+$/.test(v) && ['n', 'users', 'needed', 'healthy', 'uncovered', 'subscriptions', 'sessions', 'failed'].includes(k)) {
      out[k] = number(Number(v));
    }
  }
  return out;
}

// The optional tail "(code): reason" of a sentence, in the language.
function more({ code, reason }) {
  return (code ? t('server.more.code', { code }) : '') + (reason ? t('server.more.reason', { reason }) : '');
}

const kTexts = {
  'connector.not_admin': (p) => t('server.connector.not_admin', p),
  'connector.consent_not_admin': (p) => t('server.connector.consent_not_admin', p),
  'connector.consent_cancelled': (p) => t('server.connector.consent_cancelled', p),
  'connector.consent_refused': (p) => t('server.connector.consent_refused', p),
  'connector.answer_unknown': (p) => t('server.connector.answer_unknown', p),
  'connector.answer_used': (p) => t('server.connector.answer_used', p),
  'connector.setup_expired': (p) => t('server.connector.setup_expired', p),
  'connector.session_ended': (p) => t('server.connector.session_ended', p),
  'connector.consent_unconfirmed': (p) => t('server.connector.consent_unconfirmed', p),
  'connector.tenant_mismatch': (p) => t('server.connector.tenant_mismatch', p),
  'connector.tenant_taken': (p) => t('server.connector.tenant_taken', p),
  'connector.tenant_other': (p) => t('server.connector.tenant_other', p),
  'connector.no_sign_in_code': (p) => t('server.connector.no_sign_in_code', p),
  'connector.sign_in_unreachable': (p) => t('server.connector.sign_in_unreachable', p),
  'connector.sign_in_refused': (p) => t('server.connector.sign_in_refused', p),
  'connector.no_id_token': (p) => t('server.connector.no_id_token', p),
  'connector.roles_unreachable': (p) => t('server.connector.roles_unreachable', p),
  'connector.roles_refused': (p) => t('server.connector.roles_refused', p),
  'connector.roles_hidden': (p) => t('server.connector.roles_hidden', p),
  'connector.app_token_refused': (p) => t('server.connector.app_token_refused', p),
  'connector.token_unreadable': (p) => t('server.connector.token_unreadable', p),
  'connector.token_tenant': (p) => t('server.connector.token_tenant', p),
  'connector.no_permission': (p) => t('server.connector.no_permission', p),
  'connector.entra_unreachable': (p) => t('server.connector.entra_unreachable', p),
  'connector.id_token_refused': (p) => t('server.connector.id_token_refused', p),
  'connector.not_set_up': (p) => t('server.connector.not_set_up', p),
  'connector.server_not_configured': (p) => t('server.connector.server_not_configured', p),
  'connector.already_active': (p) => t('server.connector.already_active', p),
  'connector.reactivate_instead': (p) => t('server.connector.reactivate_instead', p),
  'connector.not_expected': (p) => t('server.connector.not_expected', p),
  'connector.not_active': (p) => t('server.connector.not_active', p),
  'connector.delete_stopped': (p) => t('server.connector.delete_stopped', p),
  'audit.setup_started': (p) => t('server.audit.setup_started', p),
  'audit.signed_in': (p) => t('server.audit.signed_in', p),
  'audit.consented': (p) => t('server.audit.consented', p),
  'audit.authorization_error': (p) => t('server.audit.authorization_error', p),
  'audit.deleted': (p) => t('server.audit.deleted', p),
  'audit.transition': (p) => t('server.audit.transition', p),
  'audit.update': (p) => t('server.audit.update', p),
  'setting.show_user_details': (p) => t('server.setting.show_user_details', p),
  'setting.presence_sync': (p) => t('server.setting.presence_sync', p),
  'setting.presence_mapping': (p) => t('server.setting.presence_mapping', p),
  'removed.presence_sync': (p) => t('server.removed.presence_sync', p),
  'removed.presence_sync_none': (p) => t('server.removed.presence_sync_none', p),
  'removed.directory': (p) => t('server.removed.directory', p),
  'removed.sync_accounts': (p) => t('server.removed.sync_accounts', p),
  'sync.no_state': (p) => t('server.sync.no_state', p),
  'sync.answer_unknown': (p) => t('server.sync.answer_unknown', p),
  'sync.answer_used': (p) => t('server.sync.answer_used', p),
  'sync.expired': (p) => t('server.sync.expired', p),
  'sync.session_ended': (p) => t('server.sync.session_ended', p),
  'sync.admin_only': (p) => t('server.sync.admin_only', p),
  'sync.sign_in_cancelled': (p) => t('server.sync.sign_in_cancelled', p),
  'sync.sign_in_refused': (p) => t('server.sync.sign_in_refused', p),
  'sync.no_code': (p) => t('server.sync.no_code', p),
  'sync.unreachable': (p) => t('server.sync.unreachable', p),
  'sync.finish_refused': (p) => t('server.sync.finish_refused', p),
  'sync.no_id_token': (p) => t('server.sync.no_id_token', p),
  'sync.no_identity': (p) => t('server.sync.no_identity', p),
  'sync.other_app': (p) => t('server.sync.other_app', p),
  'sync.other_tenant': (p) => t('server.sync.other_tenant', p),
  'sync.no_presence_scope': (p) => t('server.sync.no_presence_scope', p),
  'sync.no_refresh_token': (p) => t('server.sync.no_refresh_token', p),
  'sync.token_unused': (p) => t('server.sync.token_unused', p),
  'sync.interaction_required': (p) => t('server.sync.interaction_required', p),
  'sync.consent_revoked': (p) => t('server.sync.consent_revoked', p),
  'sync.account_disabled': (p) => t('server.sync.account_disabled', p),
  'sync.conditional_access': (p) => t('server.sync.conditional_access', p),
  'sync.token_expired': (p) => t('server.sync.token_expired', p),
  'sync.account_added': (p) => t('server.sync.account_added', p),
  'sync.account_replaced': (p) => t('server.sync.account_replaced', p),
  'sync.account_removed': (p) => t('server.sync.account_removed', p),
  'sync.token_works': (p) => t('server.sync.token_works', p),
  'sync.account_failed': (p) => t('server.sync.account_failed', p),
  'coverage.no_public_url': (p) => t('server.coverage.no_public_url', p),
  'coverage.no_healthy_account': (p) => t('server.coverage.no_healthy_account', p),
  'coverage.not_enough': (p) => t('server.coverage.not_enough', p),
  'coverage.no_spare': (p) => t('server.coverage.no_spare', p),
  'idle_code.system': (p) => t('server.idle_code.system', p),
  'idle_code.in_use': (p) => t('server.idle_code.in_use', p),
};

// Codes whose wording depends on which parts are there, or that hold other sentences.
const kSpecial = {
  'connector.app_token_refused': (p) => t('server.connector.app_token_refused', { ...p, more: more(p) }),
  'sync.sign_in_cancelled': (p) => t('server.sync.sign_in_cancelled', { more: more({ reason: p.detail }) }),
  'sync.sign_in_refused': (p) => t('server.sync.sign_in_refused', { code: p.code, more: more({ reason: p.detail }) }),
  'removed.presence_sync': (p) => (p.failed ? t('server.removed.presence_sync_failed', p) : t('server.removed.presence_sync', p)),
  'sync.token_unused': (p) => t('server.sync.token_unused', { codes: p.codes || '' }),
  'sync.interaction_required': (p) => t('server.sync.interaction_required', { codes: p.codes || '' }),
  'sync.consent_revoked': (p) => t('server.sync.consent_revoked', { codes: p.codes || '' }),
  'sync.account_disabled': (p) => t('server.sync.account_disabled', { codes: p.codes || '' }),
  'sync.conditional_access': (p) => t('server.sync.conditional_access', { codes: p.codes || '' }),
  'sync.token_expired': (p) => t('server.sync.token_expired', { codes: p.codes || '' }),
  // The holders in the words of the delete dialog's own list (admin-config.js).
  'idle_code.in_use': (p) => {
    const holders = [];
    if (p.profiles) holders.push(t('idle.holder.profile', { name: p.profiles }));
    if (p.mapping) {
      const rules = p.mapping.split(', ').map((k) => k.split('/').map(words).join(' / '));
      holders.push(t('idle.holder.mapping', { rules: rules.join(t('common.listSep')) }));
    }
    return t('server.idle_code.in_use', { name: p.name, holders: holders.length ? holders.join(t('common.listSep')) : p.holders });
  },
};

// One coded sentence in the language; english is the server's words for it (the fallback).
function render(english, coded) {
  if (!coded || typeof coded.code !== 'string') return english;
  const params = localParams(coded.params || {});
  const parts = coded.parts || [];
  switch (coded.code) {
    case 'audit.update': {
      const words = String(english).split('; ');
      return parts.map((p, i) => render(words[i] ?? '', p)).join(t('common.listSep'));
    }
    case 'audit.deleted': {
      const words = String(english).split('; ').slice(1);
      const said = parts.map((p, i) => render(words[i] ?? '', p));
      return t('server.audit.deleted', { from: params.from, parts: said.length ? t('server.more.reason', { reason: said.join(t('common.listSep')) }) : '' });
    }
    case 'audit.authorization_error':
      return t('server.audit.authorization_error', { from: params.from, message: render(coded.params.message, parts[0]) });
    case 'sync.account_failed':
      return t('server.sync.account_failed', { upn: params.upn, reason: render(coded.params.reason, parts[0]) });
    default: break;
  }
  const f = kSpecial[coded.code] || kTexts[coded.code];
  return f ? f(params) : english;
}

// The text to show for a server sentence and its code (either may be null/undefined).
export function serverText(english, coded) {
  if (lang === 'en' || !coded) return english || '';
  return render(english || '', coded);
}

// The sentence in the console's language when that is not English and its code is known, else
// null (api.js: an error's own words then come with the general text for its error code).
export function translatedServerText(english, coded) {
  if (lang === 'en' || !coded || !(coded.code in kTexts)) return null;
  return render(english || '', coded);
}

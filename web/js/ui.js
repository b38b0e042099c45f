// Small building blocks the administration pages share: a polite status line for screen
// readers, tables built from column definitions, and modal confirmations in <dialog> (focus
// moves into the dialog, Escape cancels, focus returns to the button that opened it).
// Everything is built with DOM calls and textContent: no markup from data, ever.

import { dateTime, errorText, t } from './i18n.js';
import { el } from './shell.js';

// Says text in the page's aria-live status line (and shows it briefly).
export function announce(text) {
  const node = document.getElementById('status');
  if (!node) return;
  node.textContent = '';
  // A new text node each time makes screen readers repeat an identical message.
  requestAnimationFrame(() => { node.textContent = text; });
}

// columns: [[heading, (item) => string | Node], …]; the first column is the row header.
export function table(columns, items, { label, rowAttrs } = {}) {
  const head = el('tr', {}, ...columns.map(([name]) => el('th', { scope: 'col', text: name })));
  const rows = items.map((item) => el('tr', rowAttrs ? rowAttrs(item) : {},
    ...columns.map(([, f], i) => {
      const v = f(item);
      const cell = el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {});
      if (v instanceof Node) cell.append(v);
      else cell.textContent = v === undefined || v === null ? '' : String(v);
      return cell;
    })));
  const t = el('table', { class: 'grid' }, el('thead', {}, head), el('tbody', {}, ...rows));
  if (label) t.setAttribute('aria-label', label);
  return t;
}

export const yesNo = (v) => (v ? t('common.yes') : t('common.no'));

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime(d);
}

// A modal dialog. content: nodes for the body. Resolves true when the confirm button is used,
// false on Cancel or Escape. onConfirm (optional, async) runs with the dialog still open; if
// it throws, its message is shown inside the dialog and the dialog stays open.
export function confirmDialog({ title, content = [], confirmLabel = t('common.ok'), danger = false, onConfirm }) {
  const opener = document.activeElement;
  const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`;
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  const confirm = el('button', { type: 'submit', class: danger ? 'danger' : 'primary', text: confirmLabel,
    value: 'confirm' });
  const cancel = el('button', { type: 'button', text: t('common.cancel') });
  const form = el('form', { method: 'dialog' }, el('h2', { id: titleId, text: title }), ...content,
    error, el('div', { class: 'buttons' }, confirm, cancel));
  const dialog = el('dialog', { 'aria-labelledby': titleId, class: 'dialog' }, form);
  document.body.append(dialog);
  return new Promise((resolve) => {
    let result = false;
    const finish = () => {
      dialog.close();
      dialog.remove();
      if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
      resolve(result);
    };
    cancel.addEventListener('click', () => finish());
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); finish(); });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (onConfirm) {
        confirm.disabled = true;
        error.hidden = true;
        try {
          await onConfirm();
        } catch (err) {
          error.textContent = errorText(err);
          error.hidden = false;
          confirm.disabled = false;
          return;
        }
      }
      result = true;
      finish();
    });
    dialog.showModal();
    // The first field, or else Cancel: a destructive confirm is never the default focus.
    const field = form.querySelector('input, select, textarea');
    (field || cancel).focus();
  });
}

// A labelled input for dialogs and forms.
export function field(label, input) {
  const id = input.id || `f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  return el('div', { class: 'field' }, el('label', { for: id, text: label }), input);
}

// A checkbox with its label after it, as a switch reads.
export function checkbox(label, checked, attrs = {}) {
  const input = el('input', { type: 'checkbox', ...attrs });
  input.checked = Boolean(checked);
  return { input, node: el('label', { class: 'check' }, input, ' ' + label) };
}

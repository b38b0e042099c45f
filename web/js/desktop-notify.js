// Getting the agent's attention when the desktop is not in front: an offer and an Idle that
// Teams presence caused show in the tab title, play a short sound (switchable, remembered in
// this browser) and, when the agent allowed it, raise a browser notification.

import { t } from './i18n.js';

const kSoundKey = 'ccteams.desktop.sound';
const kBaseTitle = document.title;

let audio = null;

export function soundOn() {
  return localStorage.getItem(kSoundKey) !== 'off';
}

// Two short tones from the Web Audio API: no sound file, nothing fetched.
function beep() {
  if (!soundOn()) return;
  try {
    audio = audio || new AudioContext();
    const t = audio.currentTime;
    for (const [at, hz] of [[0, 880], [0.22, 660]]) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.15, t + at);
      gain.gain.exponentialRampToValueAtTime(0.001, t + at + 0.2);
      osc.connect(gain).connect(audio.destination);
      osc.start(t + at);
      osc.stop(t + at + 0.2);
    }
    document.body.dataset.lastSound = String(Date.now());
  } catch {
    // No audio device, or the browser wants a gesture first: the title and notification remain.
  }
}

function notify(title, body, tag) {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  try {
    const n = new Notification(title, { body, tag, icon: '/favicon.svg' });
    n.onclick = () => { window.focus(); n.close(); };
  } catch {
    // Some platforms allow notifications from service workers only.
  }
}

// What the agent should notice, or null: {title, body, tag}. Sets the tab title either way.
export function attention(what) {
  document.title = what ? `${what.title} — ${kBaseTitle}` : kBaseTitle;
  if (!what) return;
  beep();
  notify(what.title, what.body, what.tag);
}

// The alerts panel: the sound switch and the notification permission.
export function wireAlerts({ soundBox, allowButton, status }) {
  soundBox.checked = soundOn();
  soundBox.addEventListener('change', () => {
    localStorage.setItem(kSoundKey, soundBox.checked ? 'on' : 'off');
  });
  const show = () => {
    if (!('Notification' in window)) {
      allowButton.hidden = true;
      status.textContent = t('notify.unsupported');
      return;
    }
    const p = Notification.permission;
    allowButton.hidden = p !== 'default';
    status.textContent = p === 'granted' ? t('notify.on') : p === 'denied' ? t('notify.blocked') : '';
  };
  allowButton.addEventListener('click', async () => {
    try {
      await Notification.requestPermission();
    } finally {
      show();
    }
  });
  show();
}

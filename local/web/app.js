// The browser chat: one persona's Telegram chat with the bot, over npm start's local API. Every
// action (a text, a button, a file) goes to the local Telegram emulator, which turns it into an
// update for the bot's webhook; the bot's messages and edits come back live by server-sent events.

import { TEXTS } from './texts.js';

const $ = (id) => document.getElementById(id);
const state = {
  bot: { name: '', username: '' },
  timeZone: 'Asia/Shanghai',
  personas: [],
  samples: [],
  samplePhotos: [],
  places: [],
  current: undefined,
  entries: [],
  commands: [],
  unread: new Map(),
  /** Demo time minus this browser's time, to keep the clock ticking between server updates. */
  clockOffset: 0,
  pending: 0,
  /** The last server event applied, and the one the last action's replies reach (see renderBusy). */
  rev: 0,
  waitRev: 0,
};

// ---------------------------------------------------------------------------------------------
// API

async function api(path, options = {}) {
  const res = await fetch(path, {
    ...options,
    headers: { 'x-local-demo': '1', ...(options.headers ?? {}) },
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

const postJson = (path, body) =>
  api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Runs a chat action with the typing indicator; failures become a toast. */
async function act(work) {
  state.pending++;
  renderBusy();
  try {
    const result = await work();
    if (typeof result?.rev === 'number') state.waitRev = Math.max(state.waitRev, result.rev);
    if (result?.toast) toast(result.toast);
    return result;
  } catch (err) {
    toast(TEXTS.sendFailed(err.message));
  } finally {
    state.pending--;
    renderBusy();
  }
}

// ---------------------------------------------------------------------------------------------
// Telegram's HTML formatting, rendered as DOM nodes (never innerHTML): only the tags Telegram
// allows become elements; anything else stays visible text.

const ALLOWED = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'code', 'pre', 'a']);
const TAG = /<(\/?)([a-zA-Z-]+)((?:\s+[a-zA-Z-]+="[^"]*")*)\s*>/g;

function decodeEntities(text) {
  return text.replace(/&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/g, (_, e) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    const code = e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
    return Number.isFinite(code) ? String.fromCodePoint(code) : _;
  });
}

function renderHtml(text) {
  const root = document.createDocumentFragment();
  const stack = [root];
  const top = () => stack[stack.length - 1];
  let last = 0;
  for (const match of text.matchAll(TAG)) {
    const [whole, closing, rawName, attrs] = match;
    const name = rawName.toLowerCase();
    if (!ALLOWED.has(name)) continue;
    top().append(decodeEntities(text.slice(last, match.index)));
    last = match.index + whole.length;
    if (closing) {
      if (stack.length > 1 && top().localName === name) stack.pop();
      continue;
    }
    const el = document.createElement(name);
    if (name === 'a') {
      const href = /href="([^"]*)"/.exec(attrs)?.[1];
      const url = href ? decodeEntities(href) : '';
      if (/^https?:\/\//i.test(url)) {
        el.href = url;
        el.target = '_blank';
        el.rel = 'noopener noreferrer';
      }
    }
    top().append(el);
    stack.push(el);
  }
  top().append(decodeEntities(text.slice(last)));
  return root;
}

// ---------------------------------------------------------------------------------------------
// Time

function formatTime(date, withDate = false) {
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone: state.timeZone,
    hour12: false,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(date);
  const get = (type) => parts.find((p) => p.type === type)?.value ?? '';
  const time = `${get('hour')}:${get('minute')}`;
  return withDate ? `${get('year')}-${get('month')}-${get('day')} ${time}` : time;
}

function localInputValue(date) {
  return formatTime(date, true).replace(' ', 'T');
}

function dayLabel(date) {
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: state.timeZone,
    month: 'long',
    day: 'numeric',
    weekday: 'short',
  }).format(date);
}

const demoNow = () => new Date(Date.now() + state.clockOffset);

function setClock(iso) {
  state.clockOffset = new Date(iso).getTime() - Date.now();
  renderClock();
}

function renderClock() {
  const now = demoNow();
  $('clock-time').textContent = formatTime(now, true);
  $('clock-now').textContent = TEXTS.clockNow(formatTime(now, true));
}

// ---------------------------------------------------------------------------------------------
// Messages

function keyboardOf(entry) {
  if (!entry.buttons?.length) return undefined;
  const box = document.createElement('div');
  box.className = 'keyboard';
  for (const row of entry.buttons) {
    const line = document.createElement('div');
    line.className = 'keyboard-row';
    for (const b of row) {
      if (b.url) {
        const a = document.createElement('a');
        a.href = b.url;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        a.textContent = b.text;
        line.append(a);
        continue;
      }
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = b.text;
      button.title = b.text;
      button.addEventListener('click', () => press(entry, b.callback_data ?? '', box));
      line.append(button);
    }
    box.append(line);
  }
  return box;
}

function documentOf(entry) {
  const link = document.createElement('a');
  link.className = 'doc';
  link.href = entry.document.url;
  link.download = entry.document.fileName;
  link.title = TEXTS.download;
  const icon = document.createElement('span');
  icon.className = 'doc-icon';
  icon.textContent = '⬇';
  const info = document.createElement('span');
  const name = document.createElement('span');
  name.className = 'doc-name';
  name.textContent = entry.document.fileName;
  const size = document.createElement('span');
  size.className = 'doc-size';
  size.textContent = `${TEXTS.fileSize(entry.document.size)} · ${TEXTS.download}`;
  info.append(name, size);
  link.append(icon, info);
  return link;
}

function messageElement(entry) {
  const wrap = document.createElement('div');
  wrap.className = 'msg';
  wrap.dataset.from = entry.from;
  wrap.dataset.messageId = String(entry.message_id);
  const bubble = document.createElement('div');
  bubble.className = 'bubble';
  if (entry.document) {
    bubble.append(documentOf(entry));
    if (entry.text) {
      const caption = document.createElement('div');
      caption.className = 'doc-caption';
      caption.append(entry.parseMode === 'HTML' ? renderHtml(entry.text) : entry.text);
      bubble.append(caption);
    }
  } else if (entry.photo) {
    const img = document.createElement('img');
    img.className = 'photo';
    img.src = entry.photo.url;
    img.alt = TEXTS.photoAlt(entry.photo.caption);
    img.loading = 'lazy';
    bubble.append(img);
    if (entry.photo.caption) {
      const caption = document.createElement('div');
      caption.className = 'doc-caption';
      caption.textContent = entry.photo.caption;
      bubble.append(caption);
    }
  } else if (entry.location) {
    const card = document.createElement('div');
    card.className = 'location';
    const pin = document.createElement('strong');
    pin.textContent = TEXTS.locationCard(entry.location.lat, entry.location.lon);
    card.append(pin);
    if (entry.location.nearest) {
      const near = document.createElement('span');
      near.className = 'role';
      near.textContent = TEXTS.locationNear(entry.location.nearest.name, entry.location.nearest.km);
      card.append(near);
    }
    bubble.append(card);
  } else {
    const body = document.createElement('div');
    body.className = 'text';
    body.append(entry.parseMode === 'HTML' ? renderHtml(entry.text ?? '') : (entry.text ?? ''));
    bubble.append(body);
  }
  const meta = document.createElement('span');
  meta.className = 'meta';
  meta.textContent = `${entry.edits ? `${TEXTS.edited} ` : ''}${formatTime(new Date(entry.date * 1000))}`;
  bubble.append(meta);
  wrap.append(bubble);
  const keyboard = keyboardOf(entry);
  if (keyboard) wrap.append(keyboard);
  return wrap;
}

/** The reply keyboard in force: the newest bot message that set one or took it away decides. */
function renderReplyKeyboard() {
  const box = $('reply-keyboard');
  const last = [...state.entries]
    .reverse()
    .find((e) => e.from === 'bot' && (e.replyKeyboard || e.removeKeyboard));
  const rows = last?.replyKeyboard ?? [];
  box.replaceChildren();
  box.hidden = rows.length === 0;
  for (const row of rows) {
    const line = document.createElement('div');
    line.className = 'keyboard-row';
    for (const b of row) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = b.text;
      // Telegram asks for the phone's location; here the person picks where they are.
      button.addEventListener('click', () =>
        b.request_location ? openSheet('location-sheet') : void sendText(b.text),
      );
      line.append(button);
    }
    box.append(line);
  }
}

function dateChip(entry) {
  const chip = document.createElement('div');
  chip.className = 'date-chip';
  chip.textContent = TEXTS.dateChip(dayLabel(new Date(entry.date * 1000)));
  return chip;
}

function welcomeCard() {
  const card = document.createElement('div');
  card.className = 'welcome';
  const title = document.createElement('strong');
  title.textContent = TEXTS.welcomeTitle;
  const list = document.createElement('ol');
  for (const step of TEXTS.welcomeSteps) {
    const li = document.createElement('li');
    li.textContent = step;
    list.append(li);
  }
  const dismiss = document.createElement('button');
  dismiss.type = 'button';
  dismiss.textContent = TEXTS.welcomeDismiss;
  dismiss.addEventListener('click', () => {
    localStorage.setItem('welcomeDismissed', '1');
    card.remove();
  });
  card.append(title, list, dismiss);
  return card;
}

function nearBottom() {
  const box = $('messages');
  return box.scrollHeight - box.scrollTop - box.clientHeight < 120;
}

function scrollToBottom() {
  const box = $('messages');
  box.scrollTop = box.scrollHeight;
}

function renderMessages() {
  const box = $('messages');
  box.replaceChildren();
  if (!localStorage.getItem('welcomeDismissed')) box.append(welcomeCard());
  if (state.entries.length === 0) {
    const empty = document.createElement('div');
    empty.className = 'empty';
    empty.textContent = TEXTS.emptyChat;
    box.append(empty);
  }
  let day = '';
  for (const entry of state.entries) {
    const d = dayLabel(new Date(entry.date * 1000));
    if (d !== day) {
      box.append(dateChip(entry));
      day = d;
    }
    box.append(messageElement(entry));
  }
  renderReplyKeyboard();
  scrollToBottom();
}

function appendMessage(entry) {
  const stick = nearBottom() || entry.from === 'user';
  const previous = state.entries.at(-1);
  state.entries.push(entry);
  const box = $('messages');
  box.querySelector('.empty')?.remove();
  const d = dayLabel(new Date(entry.date * 1000));
  if (!previous || dayLabel(new Date(previous.date * 1000)) !== d) box.append(dateChip(entry));
  box.append(messageElement(entry));
  if (entry.replyKeyboard || entry.removeKeyboard) renderReplyKeyboard();
  if (stick) scrollToBottom();
}

function replaceMessage(entry) {
  const i = state.entries.findIndex((e) => e.from === entry.from && e.message_id === entry.message_id);
  if (i < 0) return;
  state.entries[i] = entry;
  const old = $('messages').querySelector(
    `.msg[data-from="${entry.from}"][data-message-id="${entry.message_id}"]`,
  );
  old?.replaceWith(messageElement(entry));
}

/**
 * Busy from an action until the bot's replies to it have arrived: the action's answer names the
 * server's event number, and the events up to it come over the event stream. (Tests wait on it.)
 */
function renderBusy() {
  const busy = state.pending > 0 || state.rev < state.waitRev;
  document.body.dataset.busy = String(busy);
  const el = $('typing');
  el.hidden = !busy;
  el.textContent = TEXTS.typing(state.bot.name);
}

// ---------------------------------------------------------------------------------------------
// Personas

function initials(name) {
  return name.slice(-2);
}

function personaGroups() {
  const groups = new Map();
  for (const p of state.personas) {
    const key =
      p.role === 'office' ? TEXTS.officeGroup : p.role === 'town_contact' ? TEXTS.townGroup : p.scope;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(p);
  }
  return groups;
}

function renderPersonas() {
  const list = $('persona-list');
  list.replaceChildren();
  for (const [title, people] of personaGroups()) {
    const heading = document.createElement('div');
    heading.className = 'persona-group';
    heading.textContent = title;
    list.append(heading);
    for (const p of people) {
      const item = document.createElement('button');
      item.type = 'button';
      item.className = 'persona';
      item.setAttribute('aria-current', String(p.id === state.current?.id));
      const avatar = document.createElement('span');
      avatar.className = 'avatar';
      avatar.textContent = initials(p.name);
      const who = document.createElement('span');
      who.className = 'who';
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = p.name;
      const role = document.createElement('span');
      role.className = 'role';
      role.textContent = `${p.roleLabel} · ${p.scope}`;
      who.append(name, role);
      item.append(avatar, who);
      const unread = state.unread.get(p.id) ?? 0;
      if (unread > 0) {
        const badge = document.createElement('span');
        badge.className = 'badge';
        badge.textContent = String(unread);
        badge.title = TEXTS.unreadTitle(unread);
        item.append(badge);
      }
      item.addEventListener('click', () => {
        closeSheets();
        void choosePersona(p.id);
      });
      list.append(item);
    }
  }
  const total = [...state.unread.values()].reduce((a, b) => a + b, 0);
  const badge = $('unread-total');
  badge.hidden = total === 0;
  badge.textContent = String(total);
  badge.title = TEXTS.unreadTitle(total);
}

async function choosePersona(id) {
  const p = state.personas.find((x) => x.id === id) ?? state.personas[0];
  if (!p) return;
  // Busy until the chosen person's chat is on screen: the old chat stays visible while it
  // loads, and what is read from the page in that moment belongs to the other person.
  state.pending++;
  renderBusy();
  try {
    state.current = p;
    localStorage.setItem('persona', String(p.id));
    state.unread.delete(p.id);
    $('persona-avatar').textContent = initials(p.name);
    $('persona-name').textContent = p.name;
    $('persona-role').textContent = `${p.roleLabel} · ${p.scope}`;
    renderPersonas();
    const chat = await api(`/api/chats/${p.id}`);
    if (state.current?.id !== p.id) return;
    state.entries = chat.entries;
    state.commands = chat.commands;
    renderMessages();
    renderCommands();
  } finally {
    state.pending--;
    renderBusy();
  }
}

function defaultPersona() {
  const saved = Number(localStorage.getItem('persona'));
  if (state.personas.some((p) => p.id === saved)) return saved;
  // The inspector who can try the first sample list right away.
  const group = state.samples.find((s) => s.groupId)?.groupId;
  const inspector = state.personas.find((p) => p.role === 'inspector' && p.groupId === group);
  return (inspector ?? state.personas[0])?.id;
}

// ---------------------------------------------------------------------------------------------
// Actions

function press(entry, data, keyboard) {
  for (const b of keyboard.querySelectorAll('button')) b.disabled = true;
  return act(() =>
    postJson(`/api/chats/${state.current.id}/press`, { messageId: entry.message_id, data }),
  ).finally(() => {
    for (const b of keyboard.querySelectorAll('button')) b.disabled = false;
  });
}

/** Telegram's limit on one message. */
const MAX_MESSAGE_CHARS = 4096;

function sendText(text) {
  const chat = state.current.id;
  return act(() => postJson(`/api/chats/${chat}/text`, { text }));
}

function sendFile(file) {
  const chat = state.current.id;
  return act(() =>
    api(`/api/chats/${chat}/document?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: file,
    }),
  );
}

function sendPhoto(file) {
  const chat = state.current.id;
  return act(() =>
    api(`/api/chats/${chat}/photo`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: file,
    }),
  );
}

function sendSamplePhoto(seed) {
  const chat = state.current.id;
  return act(() => postJson(`/api/chats/${chat}/sample-photo`, { seed }));
}

function sendPlace(villageId, far) {
  const chat = state.current.id;
  return act(() => postJson(`/api/chats/${chat}/location`, { villageId, far }));
}

function sendSample(file) {
  const chat = state.current.id;
  return act(() => postJson(`/api/chats/${chat}/sample`, { file }));
}

async function moveClock(body) {
  const result = await act(() => postJson('/api/clock', body));
  if (!result) return;
  setClock(result.now);
  toast(TEXTS.clockMoved(formatTime(new Date(result.now), true)));
}

// ---------------------------------------------------------------------------------------------
// Sheets

function openSheet(id) {
  closeSheets();
  $('overlay').hidden = false;
  $(id).hidden = false;
}

function closeSheets() {
  $('overlay').hidden = true;
  for (const sheet of document.querySelectorAll('.sheet')) sheet.hidden = true;
}

function renderSamples() {
  const list = $('sample-list');
  list.replaceChildren();
  for (const s of state.samples) {
    const li = document.createElement('li');
    const who = document.createElement('span');
    who.className = 'who';
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = s.file;
    const scope = document.createElement('span');
    scope.className = 'role';
    scope.textContent = TEXTS.sampleScope(s);
    who.append(name, scope);
    const download = document.createElement('a');
    download.href = s.url;
    download.download = s.file;
    download.textContent = TEXTS.downloadSample;
    const send = document.createElement('button');
    send.type = 'button';
    send.className = 'primary';
    send.textContent = TEXTS.sendSample;
    send.addEventListener('click', () => {
      closeSheets();
      void sendSample(s.file);
    });
    li.append(who, download, send);
    list.append(li);
  }
}

function renderEvidenceChoices() {
  const photos = $('sample-photos');
  photos.replaceChildren();
  for (const p of state.samplePhotos) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'chip';
    button.textContent = TEXTS.samplePhoto(p.caption);
    button.addEventListener('click', () => {
      closeSheets();
      void sendSamplePhoto(p.seed);
    });
    photos.append(button);
  }
  const list = $('place-list');
  list.replaceChildren();
  for (const v of state.places) {
    const li = document.createElement('li');
    const who = document.createElement('span');
    who.className = 'who';
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = v.name;
    const town = document.createElement('span');
    town.className = 'role';
    town.textContent = v.town;
    who.append(name, town);
    const here = document.createElement('button');
    here.type = 'button';
    here.className = 'primary';
    here.textContent = TEXTS.sendPlace;
    here.dataset.village = v.id;
    here.addEventListener('click', () => {
      closeSheets();
      void sendPlace(v.id, false);
    });
    const far = document.createElement('button');
    far.type = 'button';
    far.className = 'chip';
    far.textContent = TEXTS.sendFarPlace;
    far.dataset.villageFar = v.id;
    far.addEventListener('click', () => {
      closeSheets();
      void sendPlace(v.id, true);
    });
    li.append(who, here, far);
    list.append(li);
  }
}

function renderCommands() {
  const list = $('command-list');
  list.replaceChildren();
  if (state.commands.length === 0) {
    const li = document.createElement('li');
    li.textContent = TEXTS.menuEmpty;
    list.append(li);
  }
  for (const c of state.commands) {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    const command = document.createElement('span');
    command.className = 'command';
    command.textContent = `/${c.command}`;
    button.append(command, ` ${c.description}`);
    button.addEventListener('click', () => {
      closeSheets();
      void sendText(`/${c.command}`);
    });
    li.append(button);
    list.append(li);
  }
}

let toastTimer;
function toast(text) {
  const el = $('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, 3000);
}

// ---------------------------------------------------------------------------------------------
// Live updates

function connectEvents() {
  const source = new EventSource('/api/events');
  let lost = false;
  source.onmessage = (ev) => {
    const e = JSON.parse(ev.data);
    if (e.type === 'hello') {
      // A restarted server counts from zero again.
      state.rev = e.rev;
      state.waitRev = Math.min(state.waitRev, e.rev);
      renderBusy();
      setClock(e.now);
      if (lost && state.current) {
        lost = false;
        $('banner').hidden = true;
        toast(TEXTS.reconnected);
        void choosePersona(state.current.id);
      }
      return;
    }
    state.rev = Math.max(state.rev, e.rev);
    renderBusy();
    if (e.type === 'clock') return setClock(e.now);
    const mine = e.chatId === state.current?.id;
    if (e.type === 'commands') {
      if (mine) {
        state.commands = e.commands;
        renderCommands();
      }
      return;
    }
    if (!mine) {
      if (e.type === 'message' && e.entry.from === 'bot') {
        state.unread.set(e.chatId, (state.unread.get(e.chatId) ?? 0) + 1);
        renderPersonas();
      }
      return;
    }
    if (e.type === 'message') appendMessage(e.entry);
    else if (e.type === 'edit') replaceMessage(e.entry);
  };
  source.onerror = () => {
    lost = true;
    $('banner').textContent = TEXTS.offline;
    $('banner').hidden = false;
  };
}

// ---------------------------------------------------------------------------------------------
// Start

function applyStaticTexts() {
  document.title = TEXTS.pageTitle;
  for (const el of document.querySelectorAll('[data-text]')) el.textContent = TEXTS[el.dataset.text];
  for (const el of document.querySelectorAll('[data-placeholder]'))
    el.placeholder = TEXTS[el.dataset.placeholder];
  for (const el of document.querySelectorAll('[data-title]')) {
    el.title = TEXTS[el.dataset.title];
    el.setAttribute('aria-label', TEXTS[el.dataset.title]);
  }
}

function wire() {
  $('persona-button').addEventListener('click', () => openSheet('persona-sheet'));
  $('clock-button').addEventListener('click', () => {
    $('clock-input').value = localInputValue(demoNow());
    openSheet('clock-sheet');
  });
  $('attach-button').addEventListener('click', () => openSheet('attach-sheet'));
  $('menu-button').addEventListener('click', () => openSheet('menu-sheet'));
  $('overlay').addEventListener('click', closeSheets);
  for (const el of document.querySelectorAll('[data-close]')) el.addEventListener('click', closeSheets);
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') closeSheets();
  });
  $('choose-file').addEventListener('click', () => $('file-input').click());
  $('file-input').addEventListener('change', () => {
    const file = $('file-input').files?.[0];
    $('file-input').value = '';
    closeSheets();
    if (file) void sendFile(file);
  });
  $('choose-photo').addEventListener('click', () => $('photo-input').click());
  $('photo-input').addEventListener('change', () => {
    const file = $('photo-input').files?.[0];
    $('photo-input').value = '';
    closeSheets();
    if (file) void sendPhoto(file);
  });
  $('open-location').addEventListener('click', () => openSheet('location-sheet'));
  $('composer').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = $('text-input');
    const text = input.value.trim();
    if (!text || !state.current) return;
    // Kept in the box, so nothing typed is lost: the person shortens it or splits it.
    if ([...text].length > MAX_MESSAGE_CHARS) return toast(TEXTS.tooLong([...text].length));
    input.value = '';
    void sendText(text);
  });
  $('clock-set').addEventListener('click', () => {
    const value = $('clock-input').value;
    if (value) void moveClock({ local: value });
  });
  for (const el of document.querySelectorAll('[data-advance]')) {
    el.addEventListener('click', () => void moveClock({ advanceMinutes: Number(el.dataset.advance) }));
  }
  for (const el of document.querySelectorAll('[data-preset]')) {
    el.addEventListener('click', () => void moveClock({ local: el.dataset.preset }));
  }
}

async function start() {
  applyStaticTexts();
  wire();
  const s = await api('/api/state');
  state.bot = s.bot;
  state.timeZone = s.campaign.timeZone;
  state.personas = s.personas;
  state.samples = s.samples;
  state.samplePhotos = s.samplePhotos;
  state.places = s.places;
  renderBusy();
  $('bot-name').textContent = s.bot.name;
  setClock(s.clock.now);
  setInterval(renderClock, 1000);
  renderSamples();
  renderEvidenceChoices();
  connectEvents();
  await choosePersona(defaultPersona());
}

void start();

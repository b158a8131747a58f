#!/usr/bin/env node
/*
 * Telegram Bot API emulator for the Chi bộ bot end-to-end tests.
 *
 * Base: the npm package `telegram-test-api` (pinned in package.json). It gives us the express
 * server, its lifecycle, the per-token queue of user updates (ids, storage, clean-up, webhook
 * delivery) and its own client routes (/sendMessage, /sendCommand, ...). Its *bot* routes are
 * too loose for python-telegram-bot v22, so this wrapper puts its own routes in front of the
 * package's ones (it prepends an installer to the package's exported route list, which the
 * TelegramServer constructor walks). What is patched and why: see README.md next to this file.
 *
 * Usage: node server.js [--host 127.0.0.1] [--port 0] [--bot-username ChiBoBot] [--watch-stdin]
 * Prints exactly one line on stdout when listening: `READY <port>`; everything else goes to
 * stderr. Only ever listens on the host given (127.0.0.1 by default).
 */
'use strict';

const Busboy = require('busboy');
const crypto = require('crypto');
const EventEmitter = require('events');
const TelegramServer = require('telegram-test-api');
const packageRoutes = require('telegram-test-api/lib/routes/index');

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------
function parseArgs(argv) {
  const opts = {
    host: '127.0.0.1', port: 0, botUsername: 'ChiBoBot', botFirstName: 'Chi bộ bot', watchStdin: false,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (key === '--watch-stdin') {
      opts.watchStdin = true; // exit when stdin closes, i.e. when the parent process dies
      i -= 1;
    } else if (key === '--host') opts.host = value;
    else if (key === '--port') opts.port = Number(value);
    else if (key === '--bot-username') opts.botUsername = value;
    else if (key === '--bot-first-name') opts.botFirstName = value;
    else throw new Error(`unknown argument ${key}`);
  }
  return opts;
}
const opts = parseArgs(process.argv.slice(2));
const log = (...args) => process.stderr.write(`[emulator] ${args.join(' ')}\n`);

// ---------------------------------------------------------------------------------------------
// State kept by the wrapper (the package's storage is still used for the user-update queue)
// ---------------------------------------------------------------------------------------------
const state = {
  events: [], // observable log: bot API calls, messages sent/edited/deleted, faults, ...
  seq: 0, // never reset, so a stale cursor can't see new events as old ones
  faults: [], // fault-injection rules, in order of creation
  nextFaultId: 1,
  chats: new Map(), // chat id -> Chat object, learnt from user messages
  botMessages: new Map(), // `${chatId}:${messageId}` -> current Message sent by a bot
  files: new Map(), // file_id -> {content: Buffer|null, file_name, mime_type, file_unique_id}
  callbacks: new Map(), // callback_query_id -> {token, answered}
  commands: new Map(), // token -> commands set by setMyCommands
  members: new Map(), // `${chatId}:${userId}` -> ChatMember status
  pollers: new Map(), // token -> function that ends the pending getUpdates with a 409
};
const bus = new EventEmitter();
bus.setMaxListeners(0);

function record(type, data) {
  state.seq += 1;
  const event = { seq: state.seq, type, time: Date.now() / 1000, ...data };
  state.events.push(event);
  bus.emit('event', event);
  return event;
}

function reset() {
  for (const end of state.pollers.values()) end(200, { ok: true, result: [] });
  state.events = [];
  state.faults = [];
  for (const key of ['chats', 'botMessages', 'files', 'callbacks', 'commands', 'members']) {
    state[key].clear();
  }
  server.storage.userMessages = [];
  server.storage.botMessages = [];
  server.webhooks = {};
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------
const nowSec = () => Math.floor(Date.now() / 1000);
const JSON_PARAMS = new Set([
  'reply_markup', 'entities', 'caption_entities', 'commands', 'scope', 'link_preview_options',
  'reply_parameters', 'allowed_updates', 'media', 'menu_button',
]);

class ApiError extends Error {
  constructor(code, description, parameters) {
    super(description);
    this.code = code;
    this.parameters = parameters;
  }
}
const badRequest = (description) => new ApiError(400, `Bad Request: ${description}`);

function sendOk(res, result) {
  res.status(200).json({ ok: true, result });
}
function sendFail(res, code, description, parameters) {
  const body = { ok: false, error_code: code, description };
  if (parameters) body.parameters = parameters;
  res.status(code).json(body);
}

/** All request parameters (query string, form, JSON or multipart), JSON-decoded where needed. */
function params(req) {
  const out = { ...req.query, ...(req.body || {}) };
  for (const key of Object.keys(out)) {
    if (JSON_PARAMS.has(key) && typeof out[key] === 'string') {
      try {
        out[key] = JSON.parse(out[key]);
      } catch (_e) {
        throw badRequest(`can't parse ${key} JSON object`);
      }
    }
  }
  return out;
}

function botUser(token) {
  const id = Number(String(token).split(':')[0]);
  return {
    id: Number.isSafeInteger(id) && id > 0 ? id : 666,
    is_bot: true,
    first_name: opts.botFirstName,
    username: opts.botUsername,
  };
}

function chatFor(chatId) {
  const known = state.chats.get(String(chatId));
  if (known) return { ...known };
  const id = Number(chatId);
  if (!Number.isSafeInteger(id)) throw badRequest('chat not found');
  return id < 0 ? { id, type: 'group', title: `Group ${id}` } : { id, type: 'private', first_name: 'User' };
}

const msgKey = (chatId, messageId) => `${Number(chatId)}:${Number(messageId)}`;

// --- parse_mode=HTML: validate like Telegram does and strip the tags -------------------------
const HTML_TAGS = new Set([
  'b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'a', 'code', 'pre', 'span',
  'tg-spoiler', 'tg-emoji', 'blockquote',
]);
const cantParse = (what) => badRequest(`can't parse entities: ${what}`);

function parseHtml(src) {
  const byteOffset = (k) => Buffer.byteLength(src.slice(0, k));
  const stack = [];
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '<') {
      const end = src.indexOf('>', i);
      if (end < 0) throw cantParse(`Unclosed start tag at byte offset ${byteOffset(i)}`);
      const m = /^(\/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^]*)?$/.exec(src.slice(i + 1, end));
      if (!m) throw cantParse(`Unexpected end of name token at byte offset ${byteOffset(i)}`);
      const name = m[2].toLowerCase();
      if (!m[1]) {
        if (!HTML_TAGS.has(name)) {
          throw cantParse(`Unsupported start tag "${name}" at byte offset ${byteOffset(i)}`);
        }
        stack.push(name);
      } else {
        const open = stack.pop();
        if (open !== name) {
          throw cantParse(open
            ? `Unmatched end tag at byte offset ${byteOffset(i)}, expected "</${open}>", found "</${name}>"`
            : `Unexpected end tag at byte offset ${byteOffset(i)}`);
        }
      }
      i = end + 1;
    } else if (c === '&') {
      const m = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/.exec(src.slice(i, i + 16));
      if (m) {
        const named = { lt: '<', gt: '>', amp: '&', quot: '"' };
        const ent = m[1];
        if (named[ent]) out += named[ent];
        else out += String.fromCodePoint(ent[1] === 'x' ? parseInt(ent.slice(2), 16) : Number(ent.slice(1)));
        i += m[0].length;
      } else {
        out += c;
        i += 1;
      }
    } else {
      out += c;
      i += 1;
    }
  }
  if (stack.length) {
    throw cantParse(`Can't find end tag corresponding to start tag "${stack[stack.length - 1]}"`);
  }
  return out;
}

/** Text as the user sees it. HTML is validated and stripped; Markdown is passed through as is. */
function renderText(text, parseMode) {
  const raw = text === undefined || text === null ? '' : String(text);
  return String(parseMode || '').toLowerCase() === 'html' ? parseHtml(raw) : raw;
}

function checkReplyMarkup(markup) {
  if (!markup || !Array.isArray(markup.inline_keyboard)) return;
  for (const row of markup.inline_keyboard) {
    if (!Array.isArray(row)) throw badRequest("can't parse inline keyboard: rows must be arrays");
    for (const button of row) {
      if (!button || typeof button.text !== 'string' || button.text === '') {
        throw badRequest("can't parse inline keyboard button: Text must be non-empty");
      }
      const actions = Object.keys(button).filter((k) => k !== 'text');
      if (actions.length === 0) {
        throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
      }
      if (button.callback_data !== undefined) {
        const size = Buffer.byteLength(String(button.callback_data));
        if (size < 1 || size > 64) throw badRequest('BUTTON_DATA_INVALID');
      }
    }
  }
}
const inlineOnly = (markup) => (markup && Array.isArray(markup.inline_keyboard) ? markup : undefined);

// --- files -----------------------------------------------------------------------------------
function storeFile(content, fileName, mimeType) {
  const fileId = `E2E-${crypto.randomBytes(9).toString('hex')}`;
  const file = {
    file_id: fileId,
    file_unique_id: fileId.slice(4, 16),
    file_name: fileName || undefined,
    mime_type: mimeType || undefined,
    content,
  };
  if (content) file.file_size = content.length;
  state.files.set(fileId, file);
  return file;
}

/** The InputFile value of a send* parameter: uploaded part, attach://name, known file_id or URL. */
function resolveInputFile(req, p, field) {
  const uploads = req.files || {};
  let value = p[field];
  if (uploads[field]) value = uploads[field];
  else if (typeof value === 'string' && value.startsWith('attach://')) value = uploads[value.slice(9)];
  if (value && value.content) return storeFile(value.content, value.filename, value.mimeType);
  if (typeof value === 'string' && value !== '') {
    if (state.files.has(value)) return state.files.get(value);
    return storeFile(null, value.split('/').pop(), undefined); // a URL or a foreign file_id
  }
  throw badRequest(`there is no ${field} in the request`);
}

const publicFile = (f) => {
  const out = { file_id: f.file_id, file_unique_id: f.file_unique_id };
  for (const k of ['file_name', 'mime_type', 'file_size']) if (f[k] !== undefined) out[k] = f[k];
  return out;
};

// --- multipart/form-data (sendDocument, sendPhoto, ... with uploads) -------------------------
function parseMultipart(req, res, next) {
  if (!/^multipart\/form-data/i.test(req.headers['content-type'] || '')) {
    next();
    return;
  }
  const fields = {};
  const files = {};
  let busboy;
  try {
    busboy = Busboy({ headers: req.headers, limits: { fileSize: 50 * 1024 * 1024 } });
  } catch (e) {
    next(e);
    return;
  }
  busboy.on('field', (name, value) => {
    fields[name] = value;
  });
  busboy.on('file', (name, stream, info) => {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      files[name] = { content: Buffer.concat(chunks), filename: info.filename, mimeType: info.mimeType };
    });
  });
  busboy.on('error', next);
  busboy.on('close', () => {
    req.body = fields;
    req.files = files;
    next();
  });
  req.pipe(busboy);
}

// ---------------------------------------------------------------------------------------------
// Fault injection
// ---------------------------------------------------------------------------------------------
function matchFault(token, method, p) {
  const chatId = p.chat_id === undefined ? undefined : String(p.chat_id);
  for (const rule of state.faults) {
    if (rule.token && rule.token !== token) continue;
    if (rule.method !== '*' && rule.method.toLowerCase() !== method.toLowerCase()) continue;
    if (rule.chat_id !== undefined && rule.chat_id !== chatId) continue;
    if (rule.remaining !== null) {
      rule.remaining -= 1;
      if (rule.remaining <= 0) state.faults = state.faults.filter((r) => r !== rule);
    }
    return rule;
  }
  return null;
}

function applyFault(rule, method, p, req, res) {
  record('fault', {
    token: rule.token, fault_id: rule.id, method, kind: rule.kind, status: rule.status,
    chat_id: p.chat_id === undefined ? null : String(p.chat_id),
  });
  if (rule.kind === 'hang') {
    // Never answer; drop the connection after `seconds` (the client usually gives up first).
    const timer = setTimeout(() => req.socket.destroy(), rule.seconds * 1000);
    res.on('close', () => clearTimeout(timer));
    return;
  }
  sendFail(res, rule.status, rule.description, rule.parameters);
}

// ---------------------------------------------------------------------------------------------
// Bot API methods
// ---------------------------------------------------------------------------------------------
const handlers = {};

handlers.getMe = ({ token }) => ({
  ...botUser(token),
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
});

// Honest long polling with Telegram's offset semantics, and 409 for concurrent pollers.
handlers.getUpdates = ({ token, p, req, res }) => {
  const offset = Number(p.offset || 0);
  const limit = Math.min(Math.max(Number(p.limit || 100), 1), 100);
  const timeout = Math.max(Number(p.timeout || 0), 0);
  const previous = state.pollers.get(token);
  if (previous) {
    previous(409, {
      ok: false,
      error_code: 409,
      description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    });
  }
  const pending = () => {
    const queue = server.storage.userMessages.filter((u) => u.botToken === token);
    if (offset > 0) for (const u of queue) if (u.updateId < offset) u.isRead = true;
    return queue.filter((u) => !u.isRead).sort((a, b) => a.updateId - b.updateId).slice(0, limit);
  };
  const now = pending();
  if (now.length || timeout === 0) return now.map((u) => TelegramServer.formatUpdate(u));

  let done = false;
  const onUpdate = () => {
    const ready = pending();
    if (ready.length) end(200, { ok: true, result: ready.map((u) => TelegramServer.formatUpdate(u)) });
  };
  const userEvents = ['AddedUserMessage', 'AddedUserCommand', 'AddedUserCallbackQuery'];
  const timer = setTimeout(() => end(200, { ok: true, result: [] }), timeout * 1000);
  function end(status, body) {
    if (done) return;
    done = true;
    clearTimeout(timer);
    for (const e of userEvents) server.off(e, onUpdate);
    if (state.pollers.get(token) === end) state.pollers.delete(token);
    if (!res.writableEnded && !res.destroyed) res.status(status).json(body);
  }
  for (const e of userEvents) server.on(e, onUpdate);
  res.on('close', () => end(200, { ok: true, result: [] })); // client gave up (no-op if answered)
  state.pollers.set(token, end);
  return undefined; // answered later
};

handlers.deleteWebhook = ({ token, p }) => {
  server.deleteWebhook(token);
  if (String(p.drop_pending_updates) === 'true') {
    for (const u of server.storage.userMessages) if (u.botToken === token) u.isRead = true;
  }
  return true;
};

handlers.getWebhookInfo = ({ token }) => ({
  url: (server.webhooks[token] || {}).url || '',
  has_custom_certificate: false,
  pending_update_count: server.storage.userMessages.filter((u) => u.botToken === token && !u.isRead).length,
});

function sendMessageLike(method, { token, p }, content) {
  const chat = chatFor(p.chat_id);
  const sentMarkup = p.reply_markup || undefined;
  checkReplyMarkup(sentMarkup);
  // Let the package allocate the message id and keep its own storage/history consistent.
  const pkg = server.addBotMessage({ ...p, chat_id: String(chat.id) }, token);
  const message = {
    message_id: pkg.message_id,
    from: botUser(token),
    chat,
    date: nowSec(),
    ...content,
  };
  const markup = inlineOnly(sentMarkup);
  if (markup) message.reply_markup = markup;
  const replyTo = (p.reply_parameters && p.reply_parameters.message_id) || p.reply_to_message_id;
  if (replyTo) message.reply_to_message = { message_id: Number(replyTo), chat, date: nowSec() };
  state.botMessages.set(msgKey(chat.id, message.message_id), { token, message });
  record('message', {
    token, method, chat_id: String(chat.id), message, reply_markup: sentMarkup || null,
    parse_mode: p.parse_mode || null, raw_text: p.text ?? p.caption ?? null,
  });
  return message;
}

handlers.sendMessage = (ctx) => {
  const text = renderText(ctx.p.text, ctx.p.parse_mode);
  if (text.trim() === '') throw badRequest('message text is empty');
  if (text.length > 4096) throw badRequest('message is too long');
  return sendMessageLike('sendMessage', ctx, { text });
};

function caption(p) {
  if (p.caption === undefined) return {};
  const text = renderText(p.caption, p.parse_mode);
  if (text.length > 1024) throw badRequest('message caption is too long');
  return { caption: text };
}

const MEDIA = {
  sendDocument: ['document', (f) => publicFile(f)],
  sendPhoto: ['photo', (f) => [{ ...publicFile(f), width: 320, height: 240 }].map((x) => {
    delete x.file_name;
    delete x.mime_type;
    return x;
  })],
  sendAudio: ['audio', (f) => ({ ...publicFile(f), duration: 1 })],
  sendVoice: ['voice', (f) => ({ ...publicFile(f), duration: 1 })],
  sendVideo: ['video', (f) => ({ ...publicFile(f), width: 320, height: 240, duration: 1 })],
  sendAnimation: ['animation', (f) => ({ ...publicFile(f), width: 320, height: 240, duration: 1 })],
};
for (const [method, [field, describe]] of Object.entries(MEDIA)) {
  handlers[method] = (ctx) => {
    const file = resolveInputFile(ctx.req, ctx.p, field);
    return sendMessageLike(method, ctx, { [field]: describe(file), ...caption(ctx.p) });
  };
}

function findBotMessage(p, what) {
  if (p.inline_message_id) return null; // inline messages aren't tracked; caller answers `true`
  const entry = state.botMessages.get(msgKey(p.chat_id, p.message_id));
  if (!entry) throw badRequest(`message to ${what} not found`);
  return entry;
}

function applyEdit(method, ctx, entry, changes, markup) {
  const { message } = entry;
  checkReplyMarkup(markup);
  const next = { ...message, ...changes };
  delete next.reply_markup;
  if (inlineOnly(markup)) next.reply_markup = markup; // no reply_markup => keyboard removed
  const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (same(next.text, message.text) && same(next.caption, message.caption)
      && same(next.reply_markup, message.reply_markup)) {
    throw badRequest('message is not modified: specified new message content and reply markup are'
      + ' exactly the same as a current content and reply markup of the message');
  }
  next.edit_date = nowSec();
  entry.message = next;
  record('edit', {
    token: ctx.token, method, chat_id: String(message.chat.id), message: next,
    reply_markup: next.reply_markup || null, parse_mode: ctx.p.parse_mode || null,
    raw_text: ctx.p.text ?? ctx.p.caption ?? null,
  });
  return next;
}

handlers.editMessageText = (ctx) => {
  const entry = findBotMessage(ctx.p, 'edit');
  if (!entry) return true;
  if (entry.message.text === undefined) throw badRequest('there is no text in the message to edit');
  const text = renderText(ctx.p.text, ctx.p.parse_mode);
  if (text.trim() === '') throw badRequest('message text is empty');
  if (text.length > 4096) throw badRequest('message is too long');
  server.editMessageText({ ...ctx.p, chat_id: String(ctx.p.chat_id) }); // package storage
  return applyEdit('editMessageText', ctx, entry, { text }, ctx.p.reply_markup);
};

handlers.editMessageCaption = (ctx) => {
  const entry = findBotMessage(ctx.p, 'edit');
  if (!entry) return true;
  if (entry.message.text !== undefined) throw badRequest('there is no caption in the message to edit');
  return applyEdit('editMessageCaption', ctx, entry, { caption: caption(ctx.p).caption }, ctx.p.reply_markup);
};

handlers.editMessageReplyMarkup = (ctx) => {
  const entry = findBotMessage(ctx.p, 'edit');
  if (!entry) return true;
  server.editMessageReplyMarkup({ ...ctx.p, chat_id: String(ctx.p.chat_id) }); // package storage
  return applyEdit('editMessageReplyMarkup', ctx, entry, {}, ctx.p.reply_markup);
};

handlers.deleteMessage = ({ token, p }) => {
  const key = msgKey(p.chat_id, p.message_id);
  const entry = state.botMessages.get(key);
  const deletedByPackage = server.deleteMessage(Number(p.chat_id), Number(p.message_id));
  if (!entry && !deletedByPackage) throw badRequest('message to delete not found');
  state.botMessages.delete(key);
  record('delete', { token, method: 'deleteMessage', chat_id: String(p.chat_id), message_id: Number(p.message_id) });
  return true;
};

handlers.answerCallbackQuery = ({ token, p }) => {
  const cb = state.callbacks.get(String(p.callback_query_id));
  if (!cb || cb.token !== token || cb.answered) {
    throw badRequest('query is too old and response timeout expired or query ID is invalid');
  }
  cb.answered = true;
  record('callback_answer', {
    token,
    method: 'answerCallbackQuery',
    callback_query_id: String(p.callback_query_id),
    text: p.text ?? null,
    show_alert: String(p.show_alert) === 'true',
    url: p.url ?? null,
  });
  return true;
};

handlers.setMyCommands = ({ token, p }) => {
  if (!Array.isArray(p.commands)) throw badRequest('commands must be an array');
  for (const c of p.commands) {
    if (!/^[a-z0-9_]{1,32}$/.test(c.command || '')) throw badRequest('BOT_COMMAND_INVALID');
    if (!c.description || c.description.length > 256) throw badRequest('command description is invalid');
  }
  state.commands.set(token, p.commands);
  return true;
};
handlers.getMyCommands = ({ token }) => state.commands.get(token) || [];
handlers.deleteMyCommands = ({ token }) => {
  state.commands.delete(token);
  return true;
};

handlers.getFile = ({ p }) => {
  const f = state.files.get(String(p.file_id));
  if (!f) throw badRequest('invalid file_id');
  const out = { file_id: f.file_id, file_unique_id: f.file_unique_id, file_path: `files/${f.file_id}` };
  if (f.file_size !== undefined) out.file_size = f.file_size;
  return out;
};

handlers.getChat = ({ p }) => ({
  ...chatFor(p.chat_id),
  accent_color_id: 0,
  max_reaction_count: 11,
  accepted_gift_types: {
    unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false,
  },
});

handlers.getChatMember = ({ p }) => {
  const userId = Number(p.user_id);
  const status = state.members.get(`${Number(p.chat_id)}:${userId}`) || 'member';
  const member = { status, user: { id: userId, is_bot: false, first_name: 'User' } };
  if (status === 'administrator') {
    Object.assign(member, {
      can_be_edited: false, is_anonymous: false, can_manage_chat: true, can_delete_messages: true,
      can_manage_video_chats: true, can_restrict_members: true, can_promote_members: false,
      can_change_info: true, can_invite_users: true, can_post_stories: false,
      can_edit_stories: false, can_delete_stories: false,
    });
  } else if (status === 'creator') {
    member.is_anonymous = false;
  } else if (status === 'kicked') {
    member.until_date = 0;
  }
  return member;
};

for (const method of [
  'sendChatAction', 'setMyDescription', 'setMyShortDescription', 'setMyName',
  'setChatMenuButton', 'pinChatMessage', 'unpinChatMessage', 'unpinAllChatMessages',
  'leaveChat', 'setMessageReaction', 'close', 'logOut',
]) {
  handlers[method] = ({ token, p }) => {
    if (method === 'pinChatMessage' || method === 'unpinChatMessage') {
      record('pin', { token, method, chat_id: String(p.chat_id), message_id: Number(p.message_id) || null });
    }
    return true;
  };
}
handlers.getChatMenuButton = () => ({ type: 'commands' });

// Methods that fall through to the package's own route (it handles them well enough).
const PACKAGE_METHODS = new Set(['setwebhook']);
const HANDLERS = new Map(Object.entries(handlers).map(([k, v]) => [k.toLowerCase(), v]));

// ---------------------------------------------------------------------------------------------
// Test-side control API (/_e2e/...), JSON in and out
// ---------------------------------------------------------------------------------------------
function userObject(u) {
  const user = { id: Number(u.id), is_bot: false, first_name: u.first_name || 'Test' };
  for (const k of ['last_name', 'username', 'language_code']) if (u[k]) user[k] = u[k];
  return user;
}

function userChat(body, user) {
  const chatId = Number(body.chat_id);
  const known = state.chats.get(String(chatId));
  let chat;
  if (chatId === user.id) {
    chat = { id: chatId, type: 'private', first_name: user.first_name };
    if (user.last_name) chat.last_name = user.last_name;
    if (user.username) chat.username = user.username;
  } else {
    chat = known || { id: chatId, type: body.chat_type || 'group', title: body.chat_title || `Group ${chatId}` };
    if (body.chat_type) chat.type = body.chat_type;
    if (body.chat_title) chat.title = body.chat_title;
  }
  state.chats.set(String(chatId), chat);
  return chat;
}

function commandEntities(text) {
  const m = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
  return m ? [{ offset: 0, length: m[0].length, type: 'bot_command' }] : undefined;
}

async function userMessage(body, extra) {
  const user = userObject(body.user || {});
  const chat = userChat(body, user);
  const messageId = server.messageId;
  const message = { botToken: body.token, from: user, chat, date: nowSec(), ...extra };
  if (body.reply_to_message_id) {
    const entry = state.botMessages.get(msgKey(chat.id, body.reply_to_message_id));
    message.reply_to_message = entry ? entry.message : { message_id: Number(body.reply_to_message_id), chat, date: nowSec() };
  }
  const updateId = server.updateId;
  await server.addUserMessage(message);
  record('user_message', { token: body.token, chat_id: String(chat.id), message_id: messageId, update_id: updateId });
  return { message_id: messageId, update_id: updateId };
}

function buttonsOf(message) {
  return ((message.reply_markup || {}).inline_keyboard || []).flat();
}

const control = {
  'GET /_e2e/health': () => ({ ok: true }),
  'POST /_e2e/reset': () => {
    reset();
    return { ok: true, seq: state.seq };
  },
  'POST /_e2e/user/message': async (body) => {
    const text = String(body.text ?? '');
    const extra = { text };
    const entities = commandEntities(text);
    if (entities) extra.entities = entities;
    return userMessage(body, extra);
  },
  // multipart: a `meta` JSON field (token, user, chat_id, caption) and a `document` file part;
  // multipart because the package's JSON body parser stops at 100 kB.
  'POST /_e2e/user/document': async (body, req) => {
    const meta = JSON.parse(body.meta || '{}');
    const upload = (req.files || {}).document;
    if (!upload) throw new ApiError(400, 'no document part');
    const file = storeFile(upload.content, upload.filename, upload.mimeType);
    const extra = { document: publicFile(file) };
    if (meta.caption) extra.caption = meta.caption;
    return { ...(await userMessage(meta, extra)), file_id: file.file_id };
  },
  'POST /_e2e/user/callback': async (body) => {
    const user = userObject(body.user || {});
    const entry = state.botMessages.get(msgKey(body.chat_id, body.message_id));
    if (!entry || entry.token !== body.token) {
      throw new ApiError(404, `no message ${body.message_id} from this bot in chat ${body.chat_id}`);
    }
    const buttons = buttonsOf(entry.message);
    if (!buttons.some((b) => b.callback_data === body.data)) {
      const have = buttons.map((b) => `${JSON.stringify(b.text)} -> ${JSON.stringify(b.callback_data)}`);
      throw new ApiError(409, `message ${body.message_id} has no button with callback_data `
        + `${JSON.stringify(body.data)}; its buttons now: [${have.join(', ')}]`);
    }
    const id = String(server.callbackId);
    const chatInstance = String(crypto.createHash('sha1').update(String(body.chat_id)).digest().readBigInt64BE());
    state.callbacks.set(id, { token: body.token, answered: false });
    const updateId = server.updateId;
    await server.addUserCallback({
      botToken: body.token, from: user, message: entry.message, data: body.data, chat_instance: chatInstance,
    });
    record('user_callback', { token: body.token, chat_id: String(body.chat_id), callback_query_id: id, data: body.data });
    return { callback_query_id: id, update_id: updateId };
  },
  'GET /_e2e/events': (_body, req, res) => {
    const after = Number(req.query.after || 0);
    const timeout = Math.min(Number(req.query.timeout || 0), 30);
    const types = req.query.types ? new Set(String(req.query.types).split(',')) : null;
    const token = req.query.token || null;
    const select = () => state.events.filter((e) => e.seq > after
      && (!types || types.has(e.type)) && (!token || !e.token || e.token === token));
    const found = select();
    if (found.length || timeout <= 0) return { events: found, seq: state.seq };
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        bus.off('event', onEvent);
        resolve({ events: select(), seq: state.seq });
      };
      const onEvent = (e) => {
        if (select().length) finish();
        return e;
      };
      const timer = setTimeout(finish, timeout * 1000);
      bus.on('event', onEvent);
      res.on('close', () => {
        clearTimeout(timer);
        bus.off('event', onEvent);
      });
    });
  },
  'GET /_e2e/messages': (_body, req) => {
    const chatId = String(Number(req.query.chat_id));
    const token = req.query.token || null;
    const out = [];
    for (const entry of state.botMessages.values()) {
      if (String(entry.message.chat.id) === chatId && (!token || entry.token === token)) out.push(entry.message);
    }
    return { messages: out.sort((a, b) => a.message_id - b.message_id) };
  },
  'GET /_e2e/file': (_body, req, res) => {
    const f = state.files.get(String(req.query.file_id));
    if (!f || !f.content) throw new ApiError(404, 'no such file (or it was sent by URL/file_id only)');
    res.type(f.mime_type || 'application/octet-stream').send(f.content);
    return undefined;
  },
  'POST /_e2e/faults': (body) => {
    const kind = body.kind || 'error';
    if (!['error', 'hang'].includes(kind)) throw new ApiError(400, `unknown fault kind ${kind}`);
    const rule = {
      id: state.nextFaultId++,
      token: body.token || null,
      method: body.method || '*',
      chat_id: body.chat_id === undefined || body.chat_id === null ? undefined : String(body.chat_id),
      kind,
      status: Number(body.status || 500),
      description: body.description || 'Internal Server Error',
      parameters: body.parameters || undefined,
      seconds: Number(body.seconds || 30),
      remaining: body.count === undefined || body.count === null ? null : Number(body.count),
    };
    state.faults.push(rule);
    return { id: rule.id };
  },
  'POST /_e2e/faults/clear': (body) => {
    state.faults = body.id ? state.faults.filter((r) => r.id !== Number(body.id)) : [];
    return { ok: true };
  },
  'GET /_e2e/faults': () => ({ faults: state.faults }),
  'POST /_e2e/chat_member': (body) => {
    state.members.set(`${Number(body.chat_id)}:${Number(body.user_id)}`, body.status || 'member');
    return { ok: true };
  },
};

// ---------------------------------------------------------------------------------------------
// Wiring: an installer prepended to the package's route list, so it runs before its routes
// ---------------------------------------------------------------------------------------------
function installRoutes(app) {
  for (const [key, fn] of Object.entries(control)) {
    const [verb, path] = key.split(' ');
    app[verb.toLowerCase()](path, parseMultipart, async (req, res) => {
      try {
        const result = await fn(req.body || {}, req, res);
        if (result !== undefined && !res.headersSent) res.json(result);
      } catch (e) {
        const status = Number.isInteger(e.code) ? e.code : 500;
        if (!res.headersSent) res.status(status).json({ error: e.message });
      }
    });
  }

  // Files the bot downloads (File.download_*), at PTB's base_file_url + token + file_path.
  app.get('/file/bot:token/files/:fileId', (req, res) => {
    const f = state.files.get(req.params.fileId);
    if (!f || !f.content) {
      res.status(404).json({ ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    res.type(f.mime_type || 'application/octet-stream').send(f.content);
  });

  app.all('/bot:token/:method', parseMultipart, async (req, res, next) => {
    const { token, method } = req.params;
    if (!['GET', 'POST'].includes(req.method)) {
      sendFail(res, 405, `Method Not Allowed: HTTP ${req.method}`);
      return;
    }
    let p;
    try {
      p = params(req);
    } catch (e) {
      sendFail(res, e.code || 400, e.message);
      return;
    }
    const safeParams = { ...p };
    for (const name of Object.keys(req.files || {})) safeParams[name] = `<upload ${req.files[name].filename}>`;
    if (method === 'getUpdates') record('poll', { token, method, params: safeParams });
    else record('call', { token, method, params: safeParams });

    const fault = matchFault(token, method, p);
    if (fault) {
      applyFault(fault, method, p, req, res);
      return;
    }
    const handler = HANDLERS.get(method.toLowerCase());
    if (!handler) {
      if (PACKAGE_METHODS.has(method.toLowerCase())) {
        next();
        return;
      }
      log(`unsupported Bot API method ${method} (add it to tests/e2e/emulator/server.js)`);
      record('unsupported', { token, method });
      sendFail(res, 400, `Bad Request: method ${method} is not implemented by the e2e emulator`);
      return;
    }
    try {
      const result = await handler({ token, method, p, req, res });
      if (result !== undefined && !res.headersSent) sendOk(res, result);
    } catch (e) {
      if (e instanceof ApiError) sendFail(res, e.code, e.message, e.parameters);
      else {
        log(`error in ${method}: ${e.stack || e}`);
        sendFail(res, 500, `Internal Server Error: ${e.message}`);
      }
    }
  });
}

// The package's formatUpdate drops chat_instance (required by PTB's CallbackQuery) and leaks
// its internal `botToken` field into user messages.
const packageFormatUpdate = TelegramServer.formatUpdate;
TelegramServer.formatUpdate = function formatUpdate(update) {
  const out = packageFormatUpdate.call(this, update);
  if (out.callback_query) {
    out.callback_query.chat_instance = update.callbackQuery.chat_instance || '0';
  }
  if (out.message) delete out.message.botToken;
  return out;
};

packageRoutes.routes.unshift(installRoutes);
const server = new TelegramServer({ host: opts.host, port: opts.port || 1, storeTimeout: 3600 });
server.config.port = opts.port; // the package turns 0 into 9000; we want an OS-assigned port

server.start().then(() => {
  const { port } = server.server.address();
  process.stdout.write(`READY ${port}\n`);
  log(`Telegram Bot API emulator listening on http://${opts.host}:${port}`);
}).catch((e) => {
  log(`failed to start: ${e.stack || e}`);
  process.exit(1);
});

const shutdown = () => process.exit(0);
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (opts.watchStdin) {
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}

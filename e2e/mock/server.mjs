// Development tooling only — never part of the app build.
//
// Serves frontend/dist with a fake `window.go.app.App` and `window.runtime` that follow
// the app.App contract, so the UI and e2e/run.mjs can be exercised before (or without)
// the Go dev build. State lives in this process and starts empty (a fresh vault).
//
//   node e2e/mock/server.mjs [--port 34116]
//   E2E_URL=http://127.0.0.1:34116/ node e2e/run.mjs
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = join(here, '..', '..', 'frontend', 'dist');
const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 34116;

const state = {
  initialized: false,
  locked: true,
  passphrase: '',
  passphraseOnly: false,
  recoveryCode: '',
  pendingCode: '',
  autoLockMinutes: 10,
  failures: 0,
  retryAt: 0,
  audit: [],
};

function audit(action, detail = '') {
  state.audit.push({
    seq: state.audit.length + 1,
    at: new Date().toISOString(),
    actor: 'practitioner',
    action,
    recordType: 'vault',
    recordId: '',
    detail,
  });
}

function statusDTO() {
  return {
    initialized: state.initialized,
    locked: state.locked,
    keychainAvailable: process.env.MOCK_NO_KEYCHAIN ? false : true,
    keychainProblem: process.env.MOCK_NO_KEYCHAIN ? 'no Secret Service on the session bus' : '',
    passphraseOnly: state.passphraseOnly,
    autoLockMinutes: state.autoLockMinutes,
    unlockDelaySeconds: Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000)),
  };
}

function strength(p) {
  const words = p.trim().split(/\s+/).filter(Boolean).length;
  let score = 0;
  if (p.length >= 8) score = 1;
  if (p.length >= 12) score = 2;
  if (p.length >= 16 && words >= 3) score = 3;
  if (p.length >= 24 && words >= 4) score = 4;
  return {
    score,
    acceptable: score >= 3,
    warning: score < 2 ? 'This is short and easy to guess.' : '',
    suggestions: score < 3 ? ['Add another word or two. Uncommon words are better.'] : [],
    crackTime: ['seconds', 'minutes', 'days', 'centuries', 'centuries'][score],
  };
}

function newKit() {
  const raw = randomBytes(20).toString('hex').toUpperCase().slice(0, 32);
  state.pendingCode = raw.match(/.{4}/g).join('-');
  const pdf = Buffer.from('%PDF-1.4\n% mock recovery kit\n%%EOF\n').toString('base64');
  return { recoveryCode: state.pendingCode, recoveryKitPDF: pdf };
}

const norm = (c) => String(c).toUpperCase().replace(/[^0-9A-Z]/g, '');
const fail = (msg) => {
  throw new Error(msg);
};
function needUnlocked() {
  if (!state.initialized || state.locked) fail('locked: the vault is locked');
}

const methods = {
  Version: () => ({ version: '0.0.0-mock', commit: 'mock', dataDir: '/tmp/calmally-mock' }),
  Status: () => statusDTO(),
  CheckPassphrase: (p) => strength(p),
  CreateVault: (req) => {
    if (state.initialized) fail('conflict: a vault already exists');
    if (!strength(req.passphrase).acceptable) fail('invalid: passphrase too weak');
    state.initialized = true;
    state.locked = false;
    state.passphrase = req.passphrase;
    state.passphraseOnly = req.passphraseOnly;
    audit('vault_created');
    return newKit();
  },
  ConfirmRecoveryCode: (code) => {
    if (!state.pendingCode) fail('invalid: there is no new recovery code to confirm');
    if (norm(code) !== norm(state.pendingCode)) fail('invalid: the recovery code does not match');
    state.recoveryCode = state.pendingCode;
    state.pendingCode = '';
    return null;
  },
  Unlock: (p) => {
    if (Date.now() < state.retryAt) fail('locked: too many attempts; wait and try again');
    if (p !== state.passphrase) {
      state.failures++;
      if (state.failures >= 3) state.retryAt = Date.now() + 1000 * 2 ** (state.failures - 3);
      audit('unlock_failed');
      fail('locked: wrong passphrase');
    }
    state.failures = 0;
    state.locked = false;
    audit('unlock');
    return statusDTO();
  },
  Lock: () => {
    if (!state.locked) audit('lock', 'user');
    state.locked = true;
    return { __event: ['vault:locked', { reason: 'user' }] };
  },
  Activity: () => null,
  Recover: (req) => {
    if (norm(req.recoveryCode) !== norm(state.recoveryCode)) fail('locked: the recovery code is not right');
    if (!strength(req.newPassphrase).acceptable) fail('invalid: passphrase too weak');
    state.passphrase = req.newPassphrase;
    state.locked = false;
    audit('recovery_used');
    return newKit();
  },
  ChangePassphrase: (req) => {
    needUnlocked();
    if (req.current !== state.passphrase) fail('locked: wrong passphrase');
    state.passphrase = req.next;
    audit('passphrase_changed');
    return null;
  },
  NewRecoveryKit: (p) => {
    needUnlocked();
    if (p !== state.passphrase) fail('locked: wrong passphrase');
    audit('recovery_code_replaced');
    return newKit();
  },
  SetAutoLock: (m) => {
    needUnlocked();
    if (!Number.isInteger(m) || m < 1 || m > 240) fail('invalid: auto-lock must be 1 to 240 minutes');
    state.autoLockMinutes = m;
    return statusDTO();
  },
  RotateDataKey: () => {
    needUnlocked();
    audit('data_key_rotated');
    return { __rekey: 40 };
  },
  AuditActions: () => {
    needUnlocked();
    return ['vault_created', 'unlock', 'unlock_failed', 'lock', 'passphrase_changed', 'recovery_used', 'recovery_code_replaced', 'data_key_rotated'];
  },
  AuditList: (f) => {
    needUnlocked();
    const rows = [...state.audit]
      .reverse()
      .filter((e) => !f.action || e.action === f.action)
      .filter((e) => !f.recordId || e.recordId === f.recordId)
      .filter((e) => !f.from || e.at.slice(0, 10) >= f.from)
      .filter((e) => !f.to || e.at.slice(0, 10) <= f.to);
    return { entries: rows.slice(f.offset, f.offset + (f.limit || 50)), total: rows.length };
  },
  AuditVerify: () => {
    needUnlocked();
    return { ok: true, entries: state.audit.length, problem: '' };
  },
};

const shim = `// mock Wails runtime (development tooling only)
(() => {
  const listeners = {};
  const emit = (name, payload) => (listeners[name] || []).slice().forEach((cb) => cb(payload));
  window.runtime = {
    EventsOnMultiple(name, cb) {
      (listeners[name] ||= []).push(cb);
      return () => { listeners[name] = (listeners[name] || []).filter((c) => c !== cb); };
    },
    EventsOff(name) { delete listeners[name]; },
    EventsEmit: emit,
  };
  const call = async (method, args) => {
    const res = await fetch('/__mock__/call', { method: 'POST', body: JSON.stringify({ method, args }) });
    const body = await res.json();
    if (body.error) throw body.error;
    const out = body.result;
    if (out && out.__event) { setTimeout(() => emit(...out.__event), 0); return null; }
    if (out && out.__rekey) {
      let done = 0;
      const total = out.__rekey;
      const tick = () => { done = Math.min(total, done + 4); emit('rekey:progress', { done, total });
        if (done < total) setTimeout(tick, 50); else emit('rekey:done', { error: '' }); };
      setTimeout(tick, 50);
      return null;
    }
    return out;
  };
  window.__mockEmit = emit;
  window.go = { app: { App: new Proxy({}, { get: (_, m) => (...args) => call(m, args) }) } };
})();
`;

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

createServer(async (req, res) => {
  try {
    if (req.url === '/__mock__/wails.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return res.end(shim);
    }
    if (req.url === '/__mock__/call' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const { method, args } = JSON.parse(body);
      let out;
      try {
        if (!methods[method]) fail(`not_found: no method ${method}`);
        out = { result: methods[method](...args) ?? null };
      } catch (e) {
        out = { error: e.message };
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(out));
    }
    let path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (path === '/' || path === '') path = '/index.html';
    const file = join(dist, path);
    if (!file.startsWith(dist)) throw Object.assign(new Error('outside'), { code: 'ENOENT' });
    let data = await readFile(file);
    if (path === '/index.html') {
      data = Buffer.from(data.toString().replace('<head>', '<head><script src="/__mock__/wails.js"></script>'));
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(data);
  } catch (e) {
    res.writeHead(e.code === 'ENOENT' ? 404 : 500);
    res.end(String(e.message));
  }
}).listen(port, '127.0.0.1', () => console.log(`mock: http://127.0.0.1:${port}/`));

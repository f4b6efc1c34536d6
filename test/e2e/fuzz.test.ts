import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  assertStays,
  createProgram,
  createTendHome,
  fixture,
  getProgram,
  type ProgramRow,
  type TendHome,
  waitForProgram,
} from './helpers.js';

// Hostile input to the control socket: broken and huge bodies, wrong types in every field, names
// that try to escape, bad encodings, unknown methods, stalled and garbage connections, thousands
// at once. Every request gets a 4xx (or the connection is cleanly refused), the daemon stays the
// same process and keeps answering, and nothing changes: one program, as it was.

const TARGET = 'target';
/** Stands for a JSON number that parses as Infinity (JSON.stringify cannot write one). */
const INFINITY = '__infinity__';
const RAW_TIMEOUT_MS = 5000;
const HOSTILE_NAMES = [
  '../evil',
  '../../tmp/tend-fuzz-escape',
  'a/b',
  '/abs',
  '.',
  '..',
  '.hidden',
  '-dash',
  '_underscore',
  '',
  ' ',
  'a b',
  'tab\there',
  'new\nline',
  'carriage\rreturn',
  'nul\0byte',
  'escape\x1b[31m',
  'del\x7f',
  'a'.repeat(65),
  'a'.repeat(100_000),
  'ünïcödé',
  '日本語',
  '😀',
  'e\u0301',
  'zero\u200bwidth',
  'rtl\u202eabc',
  'back\\slash',
  'semi;colon',
  '$(reboot)',
  '`id`',
  'per%cent',
  '%2e%2e',
];

interface Answer {
  status: number;
  text: string;
}

/** One HTTP request with any method, headers and body, on a connection of its own. */
function send(
  socketPath: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Raw bytes on a fresh connection; resolves with the status line's code (null if none came) once the
 * daemon closes the connection or `timeoutMs` passes. Write errors are expected: the daemon may hang
 * up before it has read everything.
 */
function sendRaw(
  socketPath: string,
  data: Buffer | string | (Buffer | string)[],
  timeoutMs = RAW_TIMEOUT_MS,
): Promise<{ status: number | null; closed: boolean; text: string }> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      resolve({ status: status ? Number(status) : null, closed, text });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (isCompleteResponse(Buffer.concat(chunks))) finish(false);
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    // Part by part, and no more once an answer has begun: by then the daemon has stopped reading.
    const parts = Array.isArray(data) ? data : [data];
    let next = 0;
    const writeNext = () => {
      const part = parts[next++];
      if (done || chunks.length > 0 || part === undefined) return;
      socket.write(part, (error) => {
        if (!error) writeNext();
      });
    };
    socket.on('connect', writeNext);
  });
}

/** Headers and as many body bytes as they announce: the daemon may keep the connection open after. */
function isCompleteResponse(data: Buffer): boolean {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(data.subarray(0, end).toString('latin1'))?.[1];
  return length !== undefined && data.length - end - 4 >= Number(length);
}

/** A fixed-seed generator, so the "random" garbage is the same on every run. */
function createRandom(seed: number): (max: number) => number {
  let state = seed;
  return (max) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % max;
  };
}

function assertClientError(answer: { status: number | null; text: string }, what: string): void {
  assert.ok(
    answer.status !== null && answer.status >= 400 && answer.status < 500,
    `${what}: expected a 4xx, got ${answer.status}: ${answer.text.slice(0, 300)}`,
  );
}

/** A 4xx with the API's error body: `{ error: { code, message } }`. */
function assertApiError(answer: Answer, what: string, statuses: number[] = [400]): void {
  assert.ok(
    statuses.includes(answer.status),
    `${what}: expected ${statuses.join('/')}, got ${answer.status}: ${answer.text.slice(0, 300)}`,
  );
  const body = JSON.parse(answer.text) as { error?: { code?: string; message?: string } };
  assert.equal(typeof body.error?.code, 'string', `${what}: ${answer.text.slice(0, 300)}`);
  assert.equal(typeof body.error?.message, 'string', what);
}

describe('hostile input to the control socket', () => {
  let h: TendHome;
  let daemonPid: number;
  let programsBefore: unknown;
  let filesBefore: string[];

  const comparable = (rows: ProgramRow[]) => rows.map(({ uptimeMs: _uptime, ...row }) => row);
  const listFiles = () =>
    ['logs', 'fifo'].flatMap((dir) => readdirSync(join(h.home, dir)).map((f) => `${dir}/${f}`));
  const post = (path: string, body: unknown) =>
    send(h.socket, 'POST', path, JSON.stringify(body).replaceAll(`"${INFINITY}"`, '1e400'));
  const validProgram = (overrides: Record<string, unknown> = {}) => ({
    name: 'fuzzed',
    command: [fixture('sleeper.sh')],
    cwd: h.home,
    start: false,
    ...overrides,
  });

  before(async () => {
    h = await createTendHome();
    await createProgram(h, { name: TARGET, command: [fixture('sleeper.sh')], startSecs: '100ms' });
    await waitForProgram(h, TARGET, (row) => row.state === 'running', 5000, 'running');
    daemonPid = (await h.api<{ pid: number }>({ method: 'GET', path: '/v1/daemon' })).body.pid;
    programsBefore = comparable(await h.tendJson<ProgramRow[]>(['ls']));
    filesBefore = listFiles();
  });

  after(async () => {
    await h.cleanup();
  });

  afterEach(async () => {
    const { status, body } = await h.api<ProgramRow[]>({ method: 'GET', path: '/v1/programs' });
    assert.equal(status, 200);
    assert.deepEqual(
      body.map((row) => row.name),
      [TARGET],
      'no program was created or deleted',
    );
  });

  test('broken JSON, JSON of the wrong shape and invalid UTF-8 are 400s', async () => {
    const bodies: (string | Buffer)[] = [
      '{',
      '}',
      '{"name":',
      '{"name": "x",}',
      "{'name': 'x'}",
      '{name: "x"}',
      'nul',
      'tru',
      '[1,2',
      '"unterminated',
      '{"a":1}{"b":2}',
      '{"a":1} trailing',
      '\uFEFF{}',
      'NaN',
      'Infinity',
      '-',
      '1e',
      '0x10',
      '{"a":"\\x41"}',
      '{"a":"\\u12"}',
      '\0',
      Buffer.from([0xff, 0xfe, 0xfd]),
      Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
      `{"name":"x","command":["${fixture('sleeper.sh')}"]`,
      'null',
      'true',
      '0',
      '"x"',
      '[]',
      '{}',
      '[{}]',
      JSON.stringify([validProgram()]),
    ];
    for (const body of bodies) {
      assertApiError(
        await send(h.socket, 'POST', '/v1/programs', body),
        `body ${JSON.stringify(String(body))}`,
      );
    }
  });

  test('bodies of other content types are 400s', async () => {
    const cases: [string, string][] = [
      ['application/x-www-form-urlencoded', 'name=x&command=sleep'],
      [
        'multipart/form-data; boundary=b',
        '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n',
      ],
      ['text/xml', '<program name="x"/>'],
      ['text/plain', 'tend start x'],
      ['application/json; charset=utf-16le', Buffer.from('{"name":"x"}', 'utf16le').toString('latin1')],
      ['application/octet-stream', '\x00\x01\x02'],
    ];
    // A well-formed program in JSON is refused too when it says it is something else (or says nothing):
    // only the content type is wrong, so only the check of it can refuse these.
    const program = JSON.stringify({ name: 'typed', command: ['sleep', '60'], start: false });
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
    ]) {
      cases.push([type, program]);
    }
    for (const [type, body] of cases) {
      assertApiError(await send(h.socket, 'POST', '/v1/programs', body, { 'content-type': type }), type);
    }
    assertApiError(await send(h.socket, 'POST', '/v1/programs', program, {}), 'no content type');
    const names = await send(h.socket, 'GET', '/v1/programs');
    assert.ok(!names.text.includes('"typed"'), 'no program was created');
    const accepted = await send(h.socket, 'POST', '/v1/programs', program, {
      'content-type': 'application/json; charset=UTF-8',
    });
    assert.equal(accepted.status, 200, accepted.text);
    assert.equal((await send(h.socket, 'DELETE', '/v1/programs/typed')).status, 200);
  });

  test('a body over 1 MB is a 413, with a length, chunked, or with a length that lies', async () => {
    const big = `{"name":"${'a'.repeat(1024 * 1024)}"}`;
    assertApiError(await send(h.socket, 'POST', '/v1/programs', big), 'content-length', [413]);
    // Just past the limit, then silence: the answer must come without the rest of the body (and a
    // client that kept writing into a closed connection could lose the answer to EPIPE).
    const chunk = 'x'.repeat(64 * 1024);
    const justOver = Math.ceil((1024 * 1024) / chunk.length) + 1;
    const chunked = [
      'POST /v1/programs HTTP/1.1\r\nHost: tend\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      ...Array.from({ length: justOver }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`),
    ];
    const answer = await sendRaw(h.socket, chunked);
    assert.equal(answer.status, 413, answer.text.slice(0, 300));
    const liar = [
      'POST /v1/apply HTTP/1.1\r\nHost: tend\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n',
      ...Array.from({ length: justOver }, () => chunk),
    ];
    const lied = await sendRaw(h.socket, liar);
    assert.equal(lied.status, 413, lied.text.slice(0, 300));
  });

  test('deeply nested JSON is a 400, at the top and inside fields', async () => {
    const arrays = `${'['.repeat(400_000)}${']'.repeat(400_000)}`;
    const objects = `${'{"a":'.repeat(150_000)}1${'}'.repeat(150_000)}`;
    const inside = (field: string) =>
      `{"name":"fuzzed","command":["${fixture('sleeper.sh')}"],"${field}":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const cases: [string, string][] = [
      ['/v1/programs', arrays],
      ['/v1/programs', objects],
      ['/v1/programs', inside('env')],
      ['/v1/programs', inside('backoff')],
      ['/v1/apply', arrays],
      ['/v1/apply', `{"source":"/x/tend.yaml","programs":${arrays}}`],
      ['/v1/daemon/shutdown', objects],
      [`/v1/programs/${TARGET}/signal`, objects],
    ];
    for (const [path, body] of cases) {
      assertApiError(await send(h.socket, 'POST', path, body), `${path} ${body.slice(0, 40)}…`);
    }
  });

  test('unknown fields are 400s at every level, prototype keys included', async () => {
    const bodies = [
      validProgram({ frobnicate: true }),
      validProgram({ backoff: { initial: '1s', jitter: true } }),
      validProgram({ logs: { maxSize: '1MB', rotateHourly: true } }),
      validProgram({ giveUp: { failures: 3, within: '1m', forever: true } }),
      validProgram({ constructor: { prototype: { polluted: true } } }),
      validProgram({ prototype: {} }),
    ];
    for (const body of bodies) assertApiError(await post('/v1/programs', body), JSON.stringify(body));
    const proto = JSON.stringify(validProgram()).replace(/^\{/, '{"__proto__":{"polluted":true},');
    assertApiError(await send(h.socket, 'POST', '/v1/programs', proto), '__proto__');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('a wrong value in any field of POST /v1/programs is a 4xx', async () => {
    const durations = [
      null,
      true,
      'soon',
      -1,
      '-5s',
      '1 fortnight',
      '1e400s',
      `1${'0'.repeat(400)}ms`,
      INFINITY,
      [],
      {},
    ];
    const wrong: Record<string, unknown[]> = {
      name: [null, 1, true, [], {}],
      command: [null, 1, true, {}, [], [''], [1], [null], '', '   ', [['sleep']], ['sleep\0x'], 'sleep 1\0'],
      cwd: [null, 1, true, [], {}, '', 'relative/dir', '/no/such/dir', `${h.home}\0`],
      env: [
        null,
        1,
        'A=1',
        [],
        { A: 1 },
        { A: null },
        { A: {} },
        { 'A=B': 'x' },
        { '': 'x' },
        { 'A\0': 'x' },
        { A: 'x\0y' },
      ],
      restart: [null, 1, true, 'sometimes', 'ALWAYS', []],
      successExitCodes: [null, 0, 'x', [], [-1], [256], [1.5], ['0'], [null]],
      restartDelay: durations,
      backoff: [
        null,
        1,
        'x',
        [],
        { initial: 'x' },
        { multiplier: 0 },
        { multiplier: 101 },
        { multiplier: '2' },
        { multiplier: INFINITY },
        { max: -1 },
        { resetAfter: {} },
      ],
      giveUp: [
        1,
        'x',
        [],
        { failures: 0, within: '1m' },
        { failures: 1.5, within: '1m' },
        { failures: 1 },
        { within: '1m' },
        { failures: 1, within: 'x' },
      ],
      startSecs: durations,
      ready: [null, 1, true, 'maybe', 'NOTIFY'],
      readyFd: [null, 0, 1, 2, 256, 3.5, '3', INFINITY],
      startTimeout: durations,
      watchdog: [true, 'x', -1, {}, []],
      stopSignal: [null, true, [], {}, '', 'SIGFOO', 'KILL\0', 0, 999, -1, 3.5],
      stopTimeout: durations,
      logs: [
        null,
        1,
        'x',
        [],
        { out: 'relative.log' },
        { out: 1 },
        { err: '~/x.log' },
        { out: '/tmp/x\0.log' },
        { merge: 'yes' },
        { timestamps: 1 },
        { format: 'xml' },
        { maxSize: 'big' },
        { maxSize: -1 },
        { maxSize: `1${'0'.repeat(400)}MB` },
        { keep: -1 },
        { keep: 10_001 },
        { keep: 1.5 },
        { keep: INFINITY },
        { compress: 'yes' },
        { rotateDaily: 1 },
      ],
      source: [1, true, [], {}],
      instanceOf: [1, true, '../x', 'all', ''],
      instance: [-1, 1.5, '1', true, {}, INFINITY],
      offsetEnv: [null, 'PORT', [1], ['1BAD'], ['A=B'], ['']],
      dependsOn: [null, 'x', [1], ['../x'], ['all']],
      autostart: [null, 'yes', 1],
      user: [1, true, '', 'no-such-user-tend-fuzz'],
      group: [1, true, '', 'no-such-group-tend-fuzz'],
      umask: [1, '', '999', '0x22', 'abc', '00777', '7777'],
      start: [null, 'yes', 1, []],
    };
    for (const [field, values] of Object.entries(wrong)) {
      for (const value of values) {
        const answer = await post('/v1/programs', validProgram({ [field]: value }));
        assertApiError(answer, `${field}: ${JSON.stringify(value)}`, [400, 422]);
      }
    }
  });

  test('names with ../, /, control characters, NUL, unicode or over 64 characters are refused in bodies and paths', async () => {
    for (const name of [...HOSTILE_NAMES, 'all']) {
      assertApiError(
        await post('/v1/programs', validProgram({ name })),
        `body name ${JSON.stringify(name.slice(0, 80))}`,
      );
    }
    // (A path longer than the 16 KB header limit is answered 431 with a reset: see the next test.)
    for (const name of HOSTILE_NAMES.filter((candidate) => candidate.length < 1000)) {
      const encoded = encodeURIComponent(name);
      const requests: [string, string][] = [
        ['GET', `/v1/programs/${encoded}`],
        ['GET', `/v1/programs/${encoded}/events`],
        ['GET', `/v1/programs/${encoded}/logs`],
        ['POST', `/v1/programs/${encoded}/start`],
        ['POST', `/v1/programs/${encoded}/stop`],
        ['POST', `/v1/programs/${encoded}/logs/flush`],
        ['DELETE', `/v1/programs/${encoded}`],
      ];
      for (const [method, path] of requests) {
        const answer = await send(h.socket, method, path);
        assertClientError(answer, `${method} ${path.slice(0, 100)}`);
      }
    }
    assert.equal(existsSync('/tmp/tend-fuzz-escape'), false);
    assert.equal(existsSync(join(h.home, '..', 'evil.out.log')), false);
  });

  test('invalid URL encodings and request targets are 4xx', async () => {
    const targets = [
      '/v1/programs/%',
      '/v1/programs/%zz',
      '/v1/programs/%E0%A4%A',
      '/v1/programs/%C0%AF',
      '/v1/programs/%ff%fe',
      '/v1/programs/%00',
      '/v1/programs/x%2F..%2F..%2Fetc',
      `/v1/programs/${TARGET}/events?limit=%zz`,
      `/v1/programs/${TARGET}/events?limit=%00`,
      `/v1/programs/${TARGET}/logs?lines=%ff`,
      'http://[',
      'http://tend:99999/v1/programs/%zz',
      `/${'a'.repeat(20_000)}`,
    ];
    for (const target of targets) {
      const answer = await sendRaw(h.socket, `GET ${target} HTTP/1.1\r\nHost: tend\r\n\r\n`);
      assertClientError(answer, `GET ${target.slice(0, 60)}`);
    }
    const queries = [
      'events?limit=0',
      'events?limit=-1',
      'events?limit=1.5',
      'events?limit=abc',
      'events?limit=10001',
      'events?limit=',
      'events?limit=1e400',
      'logs?lines=-1',
      'logs?lines=abc',
      'logs?lines=100001',
      'logs?stream=both,out',
      'logs?since=yesterday',
      `logs?since=1${'0'.repeat(400)}s`,
    ];
    for (const query of queries) {
      assertApiError(await send(h.socket, 'GET', `/v1/programs/${TARGET}/${query}`), query);
    }
  });

  test('unknown methods are 405 or refused by the HTTP parser, unknown paths 404', async () => {
    const paths = [
      '/v1/programs',
      `/v1/programs/${TARGET}`,
      '/v1/daemon',
      '/v1/apply',
      `/v1/programs/${TARGET}/logs`,
    ];
    const methods = [
      'PUT',
      'PATCH',
      'OPTIONS',
      'TRACE',
      'PROPFIND',
      'MKCOL',
      'LOCK',
      'PURGE',
      'SEARCH',
      'REPORT',
      'COPY',
      'MOVE',
      'HEAD',
    ];
    for (const path of paths) {
      for (const method of methods) {
        const answer = await send(h.socket, method, path);
        assert.equal(answer.status, 405, `${method} ${path}: ${answer.text}`);
      }
    }
    for (const method of ['FOO', 'get', 'GETT', 'G\0T', 'CONNECT']) {
      const answer = await sendRaw(h.socket, `${method} /v1/programs HTTP/1.1\r\nHost: tend\r\n\r\n`);
      assert.ok(
        answer.status === null ? answer.closed : answer.status >= 400 && answer.status < 500,
        `${method}: ${answer.text}`,
      );
    }
    const unknown = [
      '/',
      '/v1',
      '/v1/',
      '/v2/programs',
      '/v1/PROGRAMS',
      '/v1//programs',
      '/v1/programs/',
      `/v1/programs/${TARGET}/nope`,
      `/v1/programs/${TARGET}/start/again`,
      `/v1/programs/${TARGET}/logs/nope`,
      '/favicon.ico',
      '/.env',
      '/v1/%2e%2e/%2e%2e/etc/passwd',
    ];
    for (const path of unknown) {
      for (const method of ['GET', 'POST']) {
        assertApiError(await send(h.socket, method, path), `${method} ${path}`, [404]);
      }
    }
  });

  test('bad bodies for signal, scale and shutdown are 400s and do nothing', async () => {
    const targetBefore = await getProgram(h, TARGET);
    const signals = [
      undefined,
      null,
      {},
      [],
      'HUP',
      { signal: 'SIGFOO' },
      { signal: 0 },
      { signal: 999 },
      { signal: -9 },
      { signal: '' },
      { signal: '9x' },
      { signal: [] },
      { signal: null },
      { signal: 'HUP', extra: 1 },
    ];
    for (const body of signals) {
      const answer = await send(
        h.socket,
        'POST',
        `/v1/programs/${TARGET}/signal`,
        body === undefined ? undefined : JSON.stringify(body),
      );
      assertApiError(answer, `signal ${JSON.stringify(body)}`);
    }
    for (const instances of [-1, 1025, 1.5, '2', null, {}, [], INFINITY]) {
      assertApiError(
        await post(`/v1/programs/${TARGET}/scale`, { instances }),
        `scale ${JSON.stringify(instances)}`,
      );
    }
    assertApiError(await post(`/v1/programs/${TARGET}/scale`, { instances: 1, extra: true }), 'scale extra');
    for (const body of [
      { stopPrograms: 'no' },
      { stopPrograms: 1 },
      { stopPrograms: null },
      { extra: true },
      [],
      'x',
      1,
    ]) {
      assertApiError(await post('/v1/daemon/shutdown', body), `shutdown ${JSON.stringify(body)}`);
    }
    const targetAfter = await getProgram(h, TARGET);
    assert.equal(targetAfter.pid, targetBefore.pid);
    assert.equal(targetAfter.restarts, targetBefore.restarts);
    for (const [method, path] of [
      ['POST', '/v1/programs/nope/start'],
      ['POST', '/v1/programs/nope/stop'],
      ['POST', '/v1/programs/nope/restart'],
      ['POST', '/v1/programs/nope/logs/flush'],
      ['DELETE', '/v1/programs/nope'],
      ['GET', '/v1/programs/nope/logs'],
    ] as const) {
      assertApiError(await send(h.socket, method, path), `${method} ${path}`, [404]);
    }
  });

  test('POST /v1/apply and /v1/down with malformed config are 4xx and create nothing', async () => {
    const good = (name: string, overrides: Record<string, unknown> = {}) => ({
      name,
      command: [fixture('sleeper.sh')],
      cwd: h.home,
      ...overrides,
    });
    const source = join(h.home, 'tend.yaml');
    const bodies: unknown[] = [
      null,
      [],
      'x',
      {},
      { source },
      { programs: [] },
      { source: 'tend.yaml', programs: [] },
      { source: 1, programs: [] },
      { source, programs: {} },
      { source, programs: [], extra: 1 },
      { source, programs: [], only: 'web' },
      { source, programs: [], only: ['../web'] },
      { source, programs: [], dryRun: 'yes' },
      { source, programs: [{}] },
      { source, programs: [null] },
      { source, programs: [1] },
      { source, programs: [{ name: 'a' }] },
      { source, programs: [{ name: 'a', command: [fixture('sleeper.sh')] }] },
      { source, programs: [good('a', { cwd: 'relative' })] },
      { source, programs: [good('a'), good('a')] },
      { source, programs: [good('a'), good('b', { restart: 'sometimes' })] },
      { source, programs: [good('a'), good('b', { command: ['no-such-command-tend-fuzz'] })] },
      { source, programs: [good('a', { dependsOn: ['nope'] })] },
      { source, programs: [good('a', { dependsOn: ['b'] }), good('b', { dependsOn: ['a'] })] },
      { source, programs: [good('a')], only: ['nope'] },
      { source, programs: [good('a', { env: { A: 'x\0' } })] },
      { source, programs: Array.from({ length: 10_001 }, () => ({})) },
    ];
    for (const body of bodies) {
      const answer = await post('/v1/apply', body);
      assertApiError(answer, `apply ${JSON.stringify(body).slice(0, 200)}`, [400, 404, 422, 424]);
    }
    for (const body of [null, {}, { source: 'relative' }, { source, only: 'x' }, { source, extra: 1 }]) {
      assertApiError(await post('/v1/down', body), `down ${JSON.stringify(body)}`);
    }
  });

  test('malformed config files make tend up fail with one clear error and create nothing', async (t) => {
    const dir = join(h.home, 'configs');
    await mkdir(dir);
    const random = createRandom(0x7e4d);
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 10; level++) {
      const previous = String.fromCharCode(96 + level);
      const current = String.fromCharCode(97 + level);
      laughs.push(`${current}: &${current} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    const files: Record<string, string | Buffer> = {
      'syntax.yaml': 'programs:\n  web:\n    command: [unclosed\n',
      'laughs.yaml': `${laughs.join('\n')}\nprograms:\n  web:\n    command: *j\n`,
      'garbage.yaml': Buffer.from(Array.from({ length: 4096 }, () => random(256))),
      'deep.yaml': `programs: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`,
      'types.json': JSON.stringify({ programs: { web: { command: 5, restart: [], env: 'x' } } }),
      'nul.yaml': 'programs:\n  web:\n    command: ["sleep\\0", "1"]\n',
      'names.yaml': 'programs:\n  "../evil":\n    command: ["sleep", "1"]\n',
    };
    for (const [name, content] of Object.entries(files)) {
      const path = join(dir, name);
      await writeFile(path, content);
      const up = await h.tend(['up', '-f', path]);
      t.diagnostic(`${name}: exit ${up.code}: ${up.stderr.trim().slice(0, 160)}`);
      assert.notEqual(up.code, 0, `${name}: ${up.stdout}`);
      assert.ok(up.code !== null && up.code < 128, `${name} exited ${up.code}`);
      assert.ok(up.stderr.trim().length > 0, `${name}: says what is wrong`);
      assert.doesNotMatch(
        up.stderr,
        /\n\s+at /,
        `${name}: an error message, not a stack trace: ${up.stderr}`,
      );
    }
  });

  test('a request that never finishes its body does not hold up other clients', async () => {
    const stalled = Array.from({ length: 50 }, (_, index) => {
      const socket = connect(h.socket);
      socket.on('error', () => {});
      socket.write(
        index % 2 === 0
          ? 'POST /v1/programs HTTP/1.1\r\nHost: tend\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":'
          : 'GET /v1/programs HTTP/1.1\r\nHost: tend\r\nX-Never-Ends: ',
      );
      return socket;
    });
    try {
      for (let round = 0; round < 20; round++) {
        const started = performance.now();
        const answer = await send(h.socket, 'GET', '/v1/programs');
        assert.equal(answer.status, 200);
        // Well under the 10 s headers timeout that would free a server stuck behind the stalled ones.
        assert.ok(performance.now() - started < 5000, 'answered while other requests hang');
      }
    } finally {
      for (const socket of stalled) socket.destroy();
    }
  });

  test('2000 concurrent connections are all answered or cleanly refused', async (t) => {
    const outcomes = await Promise.all(
      Array.from({ length: 2000 }, () =>
        Promise.race([
          send(h.socket, 'GET', '/v1/programs').then(
            (answer) =>
              answer.status === 200 && JSON.parse(answer.text).length === 1
                ? 'answered'
                : `status ${answer.status}`,
            (error: NodeJS.ErrnoException) => `refused ${error.code}`,
          ),
          new Promise<string>((resolve) => setTimeout(() => resolve('hung'), 30_000).unref()),
        ]),
      ),
    );
    const counts = new Map<string, number>();
    for (const outcome of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    const summary = JSON.stringify(Object.fromEntries(counts));
    t.diagnostic(summary);
    for (const outcome of counts.keys()) {
      assert.match(outcome, /^(answered|refused (EAGAIN|ECONNREFUSED|ECONNRESET|EPIPE))$/, summary);
    }
    assert.ok((counts.get('answered') ?? 0) >= 500, `most are answered: ${summary}`);
    assert.equal((await send(h.socket, 'GET', '/v1/daemon')).status, 200);
  });

  test('random bytes on the raw socket leave the daemon unharmed', async () => {
    const random = createRandom(0x5eed);
    const garbage = (length: number) => Buffer.from(Array.from({ length }, () => random(256)));
    const payloads: (Buffer | string | (Buffer | string)[])[] = [
      ...Array.from({ length: 40 }, (_, index) => garbage(1 + random(index % 4 === 0 ? 65_536 : 512))),
      Buffer.from('16030100a5010000a10303', 'hex'),
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      '\r\n\r\n\r\n\r\n',
      'GET /v1/programs HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
      'POST /v1/programs HTTP/1.1\r\nContent-Length: -1\r\n\r\n',
      'POST /v1/programs HTTP/1.1\r\nContent-Length: abc\r\n\r\n',
      'POST /v1/programs HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
      'GET /v1/programs HTTP/9.9\r\n\r\n',
      `GET /v1/programs HTTP/1.1\r\nHost: tend\r\n${'X-Big: y\r\n'.repeat(5000)}\r\n`,
      ['GET /v1/programs HTTP/1.1\r\nHost: tend\r\n\r\n', garbage(1024)],
    ];
    for (const payload of payloads) {
      // An incomplete request may simply wait for more bytes: give it a second, then hang up.
      const answer = await sendRaw(h.socket, payload, 1000);
      if (answer.status !== null && answer.status !== 200) assertClientError(answer, 'garbage');
    }
    await Promise.all(
      Array.from(
        { length: 200 },
        () =>
          new Promise<void>((resolve) => {
            const socket = connect(h.socket, () => {
              socket.destroy();
              resolve();
            });
            socket.on('error', () => resolve());
          }),
      ),
    );
  });

  test('afterwards the same daemon answers and nothing changed', async () => {
    const daemon = await h.api<{ pid: number }>({ method: 'GET', path: '/v1/daemon' });
    assert.equal(daemon.status, 200);
    assert.equal(daemon.body.pid, daemonPid, 'the daemon is the same process');
    assert.deepEqual(comparable(await h.tendJson<ProgramRow[]>(['ls'])), programsBefore);
    assert.deepEqual(listFiles(), filesBefore);
    const daemonLog = readFileSync(join(h.home, 'daemon.log'), 'utf8');
    assert.doesNotMatch(daemonLog, /uncaught|unhandled rejection/i);
  });
});

test('a duration past 24.8 days is not cut short to 1 ms by node timers', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  await createProgram(h, { name: 'slow', command: [fixture('sleeper.sh')], startSecs: '30d' });
  await assertStays(
    async () => (await getProgram(h, 'slow')).state === 'starting',
    500,
    'slow to stay starting',
  );
  const daemonLog = readFileSync(join(h.home, 'daemon.log'), 'utf8');
  assert.doesNotMatch(daemonLog, /TimeoutOverflowWarning/);
});

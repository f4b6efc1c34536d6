import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DAEMON_NODE_FLAGS } from '../daemon/node-flags.js';
import { renderLaunchdPlist } from './launchd-plist.js';
import { parseInstalledUnit } from './startup-check.js';

// There is no launchd here: the plist is parsed back with a tiny plist reader and checked by content.

type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

/** Reads the subset of the XML plist format the renderer writes: dict, array, string, integer, true, false. */
function parsePlist(xml: string): PlistValue {
  const tokens = [
    ...xml
      .replace(/<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--[\s\S]*?-->/g, '')
      .matchAll(/<(\/?)(\w+)(?:\s[^>]*?)?(\/?)>([^<]*)/g),
  ];
  let index = 0;
  const decode = (text: string) =>
    text
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
  const next = () => {
    const token = tokens[index++];
    if (!token) throw new Error('unexpected end of plist');
    return {
      closing: token[1] === '/',
      tag: token[2] as string,
      empty: token[3] === '/',
      text: token[4] ?? '',
    };
  };
  const readValue = (open = next()): PlistValue => {
    if (open.tag === 'plist') {
      const value = readValue();
      assert.equal(next().tag, 'plist');
      return value;
    }
    if (open.tag === 'true' && open.empty) return true;
    if (open.tag === 'false' && open.empty) return false;
    if (open.tag === 'string' || open.tag === 'integer') {
      const close = next();
      assert.equal(close.tag, open.tag);
      return open.tag === 'integer' ? Number(open.text) : decode(open.text);
    }
    if (open.tag === 'array') {
      const items: PlistValue[] = [];
      for (let token = next(); !(token.closing && token.tag === 'array'); token = next())
        items.push(readValue(token));
      return items;
    }
    if (open.tag === 'dict') {
      const entries: Record<string, PlistValue> = {};
      for (let token = next(); !(token.closing && token.tag === 'dict'); token = next()) {
        assert.equal(token.tag, 'key');
        const name = decode(token.text);
        assert.equal(next().tag, 'key');
        entries[name] = readValue();
      }
      return entries;
    }
    throw new Error(`unexpected <${open.tag}>`);
  };
  const value = readValue();
  assert.equal(index, tokens.length, 'trailing content after the plist');
  return value;
}

const spec = {
  label: 'dev.tend.tend',
  nodePath: '/usr/local/bin/node',
  tendPath: '/usr/local/lib/node_modules/tend/bin/tend.js',
  tendHome: '/Users/ann/.tend',
  pathEnv: '/usr/local/bin:/usr/bin:/bin',
  exitTimeoutSec: 25,
  logPath: '/Users/ann/.tend/daemon.log',
};

describe('launchd plist', () => {
  test('a LaunchAgent runs tend daemon run at load and after a crash, not after a clean stop', () => {
    const plist = parsePlist(renderLaunchdPlist({ ...spec, scope: 'user', user: null }));
    assert.deepEqual(plist, {
      Label: 'dev.tend.tend',
      ProgramArguments: [spec.nodePath, ...DAEMON_NODE_FLAGS, spec.tendPath, 'daemon', 'run'],
      EnvironmentVariables: { TEND_HOME: spec.tendHome, PATH: spec.pathEnv },
      WorkingDirectory: '/',
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ExitTimeOut: 25,
      StandardOutPath: spec.logPath,
      StandardErrorPath: spec.logPath,
    });
  });

  test('a LaunchDaemon for a user names UserName', () => {
    const plist = parsePlist(renderLaunchdPlist({ ...spec, scope: 'system', user: 'ann' })) as Record<
      string,
      PlistValue
    >;
    assert.equal(plist.UserName, 'ann');
  });

  test('escapes XML in paths, and --check reads them back', () => {
    const text = renderLaunchdPlist({ ...spec, scope: 'user', user: null, tendHome: '/Users/a&b/<tend>' });
    const plist = parsePlist(text) as { EnvironmentVariables: Record<string, string> };
    assert.equal(plist.EnvironmentVariables.TEND_HOME, '/Users/a&b/<tend>');
    const unit = parseInstalledUnit('launchd', text);
    assert.equal(unit.tendHome, '/Users/a&b/<tend>');
    assert.deepEqual(unit.argv, [spec.nodePath, ...DAEMON_NODE_FLAGS, spec.tendPath, 'daemon', 'run']);
    assert.equal(unit.timeoutStopSec, 25);
  });
});

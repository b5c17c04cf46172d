/** The interface registry drives the rules validator and routing; the README's table must match it. */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { INTERFACES, interfacesOn } from '../src/model/interfaces.js';
import { INTERFACE_NAMES, SECTIONS } from '../src/model/vocabulary.js';
import { DEFAULT_RULES, validateForwardingRules } from '../src/model/forwarding-rules.js';

/** The README's interface table, as the registry says it should read. */
function renderTable(): string {
  const rows = INTERFACE_NAMES.map((name) => {
    const entry = INTERFACES[name];
    const allowed = SECTIONS.map((section) => entry.allowed[section]?.map((type) => `\`${type}\``).join(', ') ?? '–');
    const rule = entry.defaultRule;
    const byDefault = rule.type === 'none' ? '`none`' : `\`${rule.type}\` (${rule.format})`;
    return `| \`${name}\` | ${allowed.join(' | ')} | ${byDefault} | ${entry.description} |`;
  });
  return ['| interface | `sms` allows | `ott` allows | default | receipts |', '|---|---|---|---|---|', ...rows].join('\n');
}

test('the README lists every interface as the registry declares it', () => {
  const readme = fs.readFileSync('README.md', 'utf8');
  assert.ok(readme.includes(renderTable()), `README.md should contain:\n${renderTable()}`);
});

test('every interface that fixes a destination sends receipts back through it by default', () => {
  for (const name of INTERFACE_NAMES) {
    const entry = INTERFACES[name];
    const expected = entry.fixedDestination ? 'interface' : 'none';
    assert.equal(entry.defaultRule.type, expected, name);
  }
});

test('the defaults name exactly the interfaces of each section, and validate', () => {
  for (const section of SECTIONS) {
    const names = Object.keys(DEFAULT_RULES[section]).filter((key) => key !== 'statuses');
    assert.deepEqual(names, interfacesOn(section), section);
  }
  const result = validateForwardingRules(DEFAULT_RULES);
  assert.ok(result.ok && JSON.stringify(result.value) === JSON.stringify(DEFAULT_RULES));
});

test('a rule type an interface does not allow is refused with the interface named', () => {
  for (const name of INTERFACE_NAMES) {
    for (const section of SECTIONS) {
      const allowed = INTERFACES[name].allowed[section];
      if (!allowed) continue;
      for (const type of ['url', 'interface'] as const) {
        const rule = type === 'url' ? { type, url: 'https://example.com/r', format: 'json' } : { type, format: 'json' };
        const result = validateForwardingRules({ [section]: { [name]: rule } });
        assert.equal(result.ok, allowed.includes(type), `${section}.${name} ${type}`);
        if (!result.ok) assert.match(result.invalid[0].reason, new RegExp(name));
      }
    }
  }
});

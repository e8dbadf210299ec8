import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKLIST_END, CHECKLIST_START, deployChecklist } from '../../lib/deploy-checklist.ts';
import { REPO_ROOT } from '../../lib/functions.ts';
import { SYSTEM_NAMES, SYSTEMS } from '../../lib/systems.ts';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

/** Biome aligns README's table columns; the cells are what must match. */
function cells(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) => (line.startsWith('|') ? line.replace(/\s+/g, ' ').replace(/-{3,}/g, '---') : line))
    .join('\n');
}

describe('README.md "Before the first deploy"', () => {
  it('is the checklist generated from the declarations (npm run docs:checklist)', () => {
    const start = readme.indexOf(CHECKLIST_START);
    const end = readme.indexOf(CHECKLIST_END) + CHECKLIST_END.length;
    expect(start).toBeGreaterThan(0);
    expect(cells(readme.slice(start, end))).toBe(cells(deployChecklist()));
  });

  it('names every required setting of every system and the secret each system reads', () => {
    const checklist = deployChecklist();
    for (const name of SYSTEM_NAMES) {
      for (const [setting, spec] of Object.entries(SYSTEMS[name].settings)) {
        if (spec.required)
          expect(checklist).toContain(`systems.${name}.settings.${setting}\` | **required**`);
      }
    }
    expect(checklist).toContain('`engagement-oracle/<stage>/AirApiKey` | **fill in** | `{"apiKey":"..."}`');
    expect(checklist).toContain('`engagement-oracle/<stage>/EvmSignerKey`');
  });
});

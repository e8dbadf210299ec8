/**
 * A stage's configuration file (lib/stages/<stage>.json): which systems it deploys and their
 * settings. Read once at synth; anything missing or malformed fails the synth with the setting's
 * name and the file to put it in.
 *
 *   {
 *     "example": false,                     // true only in lib/stages/example.json
 *     "systems": {
 *       "attention": { "enabled": true, "settings": { "PUBLISH_MODE": "program", ... } },
 *       "creator":   { "enabled": false },
 *       "delivery":  { "enabled": true, "settings": { ... } },
 *       "market":    { "enabled": false }
 *     },
 *     "core": { "settings": { "NOTIFICATIONS_EMAIL_FROM": "..." } }   // optional
 *   }
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from './functions.ts';
import {
  CORE_SETTINGS,
  DERIVED_SETTINGS,
  type SettingSpec,
  SYSTEM_NAMES,
  SYSTEMS,
  type SystemName,
  type SystemOrCore,
} from './systems.ts';

/** Where `npm run synth` and CI take their configuration: example values, never deployable. */
export const EXAMPLE_STAGE_FILE = 'lib/stages/example.json';

export function stageFile(stage: string): string {
  return `lib/stages/${stage}.json`;
}

export interface StageSettings {
  /** Repository-relative path of the file it was read from. */
  readonly file: string;
  /** Synthesized from example values: deploying it must fail (lib/app.ts marks every stack). */
  readonly example: boolean;
  readonly enabled: ReadonlySet<SystemName>;
  /** Environment text of every setting of the core and the enabled systems (given, or default). */
  readonly values: Readonly<Record<string, string>>;
}

const systemEntry = z.object({ enabled: z.boolean(), settings: z.record(z.unknown()).default({}) }).strict();
const fileSchema = z
  .object({
    description: z.string().optional(),
    example: z.boolean().default(false),
    systems: z
      .object({ attention: systemEntry, creator: systemEntry, delivery: systemEntry, market: systemEntry })
      .strict(),
    core: z
      .object({ settings: z.record(z.unknown()).default({}) })
      .strict()
      .default({}),
  })
  .strict();

export function isEnabled(stage: StageSettings, system: SystemOrCore): boolean {
  return system === 'core' || stage.enabled.has(system);
}

export function loadStageSettings(path: string, root = REPO_ROOT): StageSettings {
  const absolute = isAbsolute(path) ? path : join(root, path);
  const file = relative(root, absolute);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch {
    throw new Error(
      `${file}: the stage configuration file does not exist (see README.md, "Before the first deploy")`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  return parseStageSettings(json, file);
}

export function parseStageSettings(json: unknown, file: string): StageSettings {
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new Error(`${file}: ${issues.join('; ')}`);
  }
  const problems: string[] = [];
  const enabled = new Set(SYSTEM_NAMES.filter((name) => parsed.data.systems[name].enabled));
  const values: Record<string, string> = {};
  const take = (
    where: string,
    declared: Readonly<Record<string, SettingSpec>>,
    given: Record<string, unknown>,
    title: string,
  ) => {
    for (const key of Object.keys(given)) {
      if (declared[key] === undefined) {
        problems.push(
          `${where}.${key} is not a setting of the ${title} (its settings: ${Object.keys(declared).join(', ')})`,
        );
      }
    }
    for (const [key, spec] of Object.entries(declared)) {
      const raw = given[key];
      if (raw === undefined) {
        if (spec.default !== undefined) values[key] = spec.default;
        else if (spec.required) {
          problems.push(
            `the ${title} is enabled but ${key} is not set: add it to ${where} in ${file} (${spec.description})`,
          );
        }
        continue;
      }
      const value = spec.schema.safeParse(raw);
      if (value.success) values[key] = value.data;
      else problems.push(`${where}.${key} in ${file}: ${value.error.issues[0]?.message ?? 'invalid'}`);
    }
  };
  take('core.settings', CORE_SETTINGS, parsed.data.core.settings, 'platform core');
  for (const name of enabled) {
    const system = SYSTEMS[name];
    for (const need of system.needs) {
      if (!enabled.has(need)) {
        problems.push(
          `systems.${name} (${system.title}) is enabled but needs systems.${need} (${SYSTEMS[need].title}), which is disabled in ${file}: enable ${need} or disable ${name}`,
        );
      }
    }
    take(`systems.${name}.settings`, system.settings, parsed.data.systems[name].settings, system.title);
  }
  for (const [alias, source] of Object.entries(DERIVED_SETTINGS)) {
    const value = values[source];
    if (value !== undefined) values[alias] = value;
  }
  if (problems.length > 0) throw new Error(`${file}:\n  - ${problems.join('\n  - ')}`);
  return { file, example: parsed.data.example, enabled, values };
}

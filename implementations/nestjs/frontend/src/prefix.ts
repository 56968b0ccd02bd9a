/**
 * Pre-fix switches of the web app: each brings back one incident of the
 * post-mortem the way the code had it. Read from VITE_IG_PREFIX (comma-
 * separated names) when the dev server starts; each name is checked at
 * exactly one place in the code: search for preFix('<name>').
 */
export const PREFIX_SWITCHES = {
  'no-hydration-gate': 'AppLayout renders pages before the persisted session is rehydrated',
  'stream-bearer-null': 'the chat stream sends the token the API client read when it was loaded, before rehydration: Bearer null',
} as const;

export type PreFixSwitch = keyof typeof PREFIX_SWITCHES;

const enabled = new Set(
  String(import.meta.env.VITE_IG_PREFIX ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0),
);

for (const name of enabled) {
  if (!(name in PREFIX_SWITCHES)) console.warn(`VITE_IG_PREFIX: unknown switch ${name}`);
}

export function preFix(name: PreFixSwitch): boolean {
  return enabled.has(name);
}

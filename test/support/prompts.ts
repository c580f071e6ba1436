import { readFileSync } from 'node:fs';
import { DEV_PROMPTS } from './paths';

export interface DevPrompt {
  act: string;
  type: 'TEXT' | 'STRUCTURED' | 'IMAGE';
  for_devs: boolean;
  prompt: string;
}

export function loadDevPrompts(): DevPrompt[] {
  return readFileSync(DEV_PROMPTS, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as DevPrompt);
}

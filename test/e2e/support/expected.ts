import { encode as encodeCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';

/**
 * The reference count, computed straight from the tokenizer library rather than
 * through the extension's own code, so the test checks the extension against it.
 * Special-token strings in a prompt are plain text, hence the empty disallowed set.
 */
export function o200kTokenCount(text: string): number {
  return encode(text, { disallowedSpecial: new Set() }).length;
}

export function cl100kTokenCount(text: string): number {
  return encodeCl100k(text, { disallowedSpecial: new Set() }).length;
}

import { compressPrompt, type CapsuleResult, type CompressOptions } from '../capsule';
import { countByTokenizer } from '../count/countModels';
import { estimateServing, type ServingEstimate, type ServingQuery } from '../serving/estimate';
import { TOKENIZER_IDS, isTokenizerId, type TokenizerId } from '../tokens/tokenizer';
import { throwIfAborted, type CancelSignal } from './cancellation';

/**
 * Every kind of heavy work the extension host sends to a worker thread, with its input
 * and output types. Handlers are synchronous and pure; they poll the signal.
 */
export interface JobMap {
  countTokens: {
    input: { text: string; tokenizers: TokenizerId[] };
    output: Partial<Record<TokenizerId, number>>;
  };
  compress: {
    input: { text: string; options: CompressOptions };
    output: CapsuleResult;
  };
  estimateServing: {
    input: ServingQuery;
    output: ServingEstimate;
  };
}

export type JobKind = keyof JobMap;
export type JobInput<K extends JobKind> = JobMap[K]['input'];
export type JobOutput<K extends JobKind> = JobMap[K]['output'];
export type JobHandler<K extends JobKind> = (input: JobInput<K>, signal: CancelSignal, progress: (done: number, total: number) => void) => JobOutput<K>;

function countTokensJob(input: JobInput<'countTokens'>, signal: CancelSignal): JobOutput<'countTokens'> {
  const wanted = input.tokenizers.filter(isTokenizerId);
  throwIfAborted(signal);
  const counts = countByTokenizer(input.text, wanted.length ? wanted : TOKENIZER_IDS);
  return Object.fromEntries(counts) as JobOutput<'countTokens'>;
}

export const jobHandlers: { [K in JobKind]: JobHandler<K> } = {
  countTokens: countTokensJob,
  compress: (input, signal) => compressPrompt(input.text, input.options, signal),
  estimateServing: (input, signal, progress) => estimateServing(input, signal, progress),
};

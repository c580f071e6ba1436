/** Display formats shared by the CLI, the status bar and the panel. */

const grouped = new Intl.NumberFormat('en-US');
const dollars = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatCount(n: number): string {
  return grouped.format(Math.round(n));
}

const upToTwoDecimals = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** A user-typed quantity as typed, with separators: 10,000, 0.25, 4. */
export function formatNumber(n: number): string {
  return upToTwoDecimals.format(n);
}

const fixedFormats = new Map<number, Intl.NumberFormat>();

/** A number with `digits` decimals and thousands separators: 1,300.12. */
export function formatFixed(n: number, digits: number): string {
  let format = fixedFormats.get(digits);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    fixedFormats.set(digits, format);
  }
  return format.format(n);
}

/** Dollars with enough precision to tell small per-call costs apart: $0.00309, $12.40. */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return '—';
  if (usd === 0) return '$0';
  const sign = usd < 0 ? '-' : '';
  const abs = Math.abs(usd);
  if (abs >= 1) return `${sign}$${dollars.format(abs)}`;
  if (abs < 1e-6) return `${sign}<$0.000001`;
  // Three significant digits, written out in full (never 1e-7 notation).
  const digits = Math.max(2, 2 - Math.floor(Math.log10(abs)));
  return `${sign}$${abs.toFixed(digits).replace(/0+$/, '').replace(/\.$/, '')}`;
}

export function formatPercent(share: number, digits = 0): string {
  return `${(share * 100).toFixed(digits)}%`;
}

/** A duration as the cards and the CLI write it: "12.3 ms", "2,114 ms" or "12.5 s". */
export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${formatFixed(ms / 1000, 1)} s` : `${formatFixed(ms, ms >= 100 ? 0 : 1)} ms`;
}

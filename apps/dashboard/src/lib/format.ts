const integer = new Intl.NumberFormat('en');
const percent = new Intl.NumberFormat('en', { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const smallPercent = new Intl.NumberFormat('en', { style: 'percent', minimumSignificantDigits: 2, maximumSignificantDigits: 2 });

export const formatInt = (n: number) => integer.format(n);
/** Shares below 0.01% keep two significant digits instead of showing 0.00%. */
export const formatShare = (f: number) => (f > 0 && f < 0.0001 ? smallPercent.format(f) : percent.format(f));
export const formatDate = (iso: string) => iso.slice(0, 10);

/**
 * The seed notebook's rule for the family in a Bambenek description: strip the leading
 * "Domain used by ", then cut at the first of the suffixes that occurs, tried in order.
 *   "Domain used by Cryptolocker - Flashback DGA for 10 Nov 2016" → "Cryptolocker - Flashback"
 *   "Domain used by banjori - not date seeded"                   → "banjori"
 *   "Domain used by pykspa (varying date seeds)"                  → "pykspa"
 */
export const DEFAULT_FAMILY_SUFFIXES: readonly string[] = [' DGA', ' (', ' -'];
const PREFIX = 'Domain used by ';

export function familyFromDescription(description: string, suffixes: readonly string[] = DEFAULT_FAMILY_SUFFIXES): string {
  let family = description.trim();
  if (family.startsWith(PREFIX)) family = family.slice(PREFIX.length);
  for (const suffix of suffixes) {
    const at = family.indexOf(suffix);
    if (at >= 0) {
      family = family.slice(0, at);
      break;
    }
  }
  return family.trim();
}

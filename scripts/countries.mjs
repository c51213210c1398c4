// Regenerates src/domain/country.rs: every country's name in Simplified and Traditional
// Chinese from CLDR, and the order each language sorts them in (pinyin for zh-CN, strokes for
// zh-TW, as ICU collates them). The codes and English names are kept from the file itself.
//
//   npm install --prefix /tmp/cldr cldr-localenames-full
//   node scripts/countries.mjs /tmp/cldr/node_modules/cldr-localenames-full
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const cldr = process.argv[2];
if (!cldr) throw new Error("usage: node scripts/countries.mjs <path of cldr-localenames-full>");
const names = (locale) =>
  JSON.parse(readFileSync(join(cldr, "main", locale, "territories.json"), "utf8")).main[locale].localeDisplayNames.territories;
const hans = names("zh");
const hant = names("zh-Hant");
const version = JSON.parse(readFileSync(join(cldr, "package.json"), "utf8")).version;

const file = new URL("../src/domain/country.rs", import.meta.url);
const source = readFileSync(file, "utf8");
const rows = [...source.matchAll(/^    \("([A-Z]{2})", "((?:[^"\\]|\\.)*)"/gm)].map((m) => ({ code: m[1], en: m[2] }));
if (rows.length < 240) throw new Error(`only ${rows.length} countries read from ${file}`);
for (const r of rows) {
  r.hans = hans[r.code];
  r.hant = hant[r.code];
  if (!r.hans || !r.hant) throw new Error(`CLDR has no Chinese name for ${r.code}`);
}
const order = (locale, key) => {
  const collator = new Intl.Collator(locale);
  return rows.map((r, i) => [r[key], i]).sort((a, b) => collator.compare(a[0], b[0])).map(([, i]) => i);
};
const list = (xs) => xs.join(", ").replace(/(.{1,92})(, |$)/g, "    $1,\n").replace(/,,\n$/, ",\n");
const table = rows.map((r) => `    ("${r.code}", "${r.en}", "${r.hans}", "${r.hant}"),`).join("\n");
const head = source.slice(0, source.indexOf("/// (code, English name"));
const tail = source.slice(source.indexOf("/// Whether"));
writeFileSync(
  file,
  `${head}/// (code, English name, Simplified Chinese name, Traditional Chinese name), in English order.
/// The Chinese names are CLDR ${version}'s (\`scripts/countries.mjs\` regenerates them).
pub const COUNTRIES: &[(&str, &str, &str, &str)] = &[
${table}
];

/// Positions in [\`COUNTRIES\`] in the order Simplified Chinese sorts the names (pinyin).
pub const ORDER_ZH_HANS: &[u16] = &[
${list(order("zh-CN", "hans"))}];

/// Positions in [\`COUNTRIES\`] in the order Traditional Chinese sorts the names (strokes).
pub const ORDER_ZH_HANT: &[u16] = &[
${list(order("zh-TW", "hant"))}];

${tail}`,
);
console.log(`${rows.length} countries written`);

// Formats CSL-JSON items with citeproc-js, the reference CSL processor
// (used by Zotero), and prints {key: text} as JSON.
//
//   node citeproc.js ITEMS.json STYLE.csl LOCALE.xml
//
// The style's own language (its default-locale) is used, as refkeeper uses
// it: citeproc-js asks for that locale, which is read from
// `locales-LANG.xml` beside LOCALE.xml (the CSL locales repository's
// names); LOCALE.xml (en-US) answers a language without a file.
//
// Needs the npm package `citeproc` (NODE_PATH may point at its folder).
'use strict';
const fs = require('fs');
const CSL = require('citeproc');

const [itemsPath, stylePath, localePath] = process.argv.slice(2);
const items = JSON.parse(fs.readFileSync(itemsPath, 'utf8'));
const style = fs.readFileSync(stylePath, 'utf8');
const path = require('path');
const fallback = fs.readFileSync(localePath, 'utf8');
const localeDir = path.dirname(localePath);
// citeproc-js asks for "de-DE", or for "de" when a style names only the
// language: one file is kept per language (the dialect the styles name).
const retrieveLocale = (lang) => {
  const exact = path.join(localeDir, `locales-${lang}.xml`);
  if (fs.existsSync(exact)) return fs.readFileSync(exact, 'utf8');
  const primary = lang.split('-')[0];
  const found = fs
    .readdirSync(localeDir)
    .filter((name) => name.startsWith(`locales-${primary}-`))
    .sort();
  if (found.length > 0) return fs.readFileSync(path.join(localeDir, found[0]), 'utf8');
  return primary === 'en' ? fallback : false;
};
const byId = new Map(items.map((item) => [item.id, item]));

const engine = new CSL.Engine(
  {
    retrieveLocale,
    retrieveItem: (id) => byId.get(id),
  },
  style,
);
engine.setOutputFormat('text');
const ids = items.map((item) => item.id);
engine.updateItems(ids);
const [meta, entries] = engine.makeBibliography();
// An entry citeproc-js renders empty is dropped from `entries` but its id
// stays in `meta.entry_ids`: every later text would pair with the wrong
// key. When the counts differ, find the empty ones (each rendered alone)
// and leave them out before pairing.
let listed = meta.entry_ids.map((entryIds) => entryIds[0]);
if (listed.length !== entries.length) {
  const alone = new CSL.Engine(
    { retrieveLocale, retrieveItem: (i) => byId.get(i) },
    style,
  );
  alone.setOutputFormat('text');
  const empty = new Set(
    listed.filter((id) => {
      alone.updateItems([id]);
      const [, texts] = alone.makeBibliography();
      return texts.length === 0 || texts.every((t) => t.trim() === '');
    }),
  );
  listed = listed.filter((id) => !empty.has(id));
}
const out = {};
listed.forEach((id, i) => {
  out[id] = entries[i];
});
process.stdout.write(JSON.stringify(out));

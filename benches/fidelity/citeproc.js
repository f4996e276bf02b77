// Formats CSL-JSON items with citeproc-js, the reference CSL processor
// (used by Zotero), and prints {key: text} as JSON.
//
//   node citeproc.js ITEMS.json STYLE.csl LOCALE.xml
//
// Needs the npm package `citeproc` (NODE_PATH may point at its folder).
'use strict';
const fs = require('fs');
const CSL = require('citeproc');

const [itemsPath, stylePath, localePath] = process.argv.slice(2);
const items = JSON.parse(fs.readFileSync(itemsPath, 'utf8'));
const style = fs.readFileSync(stylePath, 'utf8');
const locale = fs.readFileSync(localePath, 'utf8');
const byId = new Map(items.map((item) => [item.id, item]));

const engine = new CSL.Engine(
  {
    retrieveLocale: () => locale,
    retrieveItem: (id) => byId.get(id),
  },
  style,
  'en-US',
  true,
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
    { retrieveLocale: () => locale, retrieveItem: (i) => byId.get(i) },
    style,
    'en-US',
    true,
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

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
engine.updateItems(items.map((item) => item.id));
const [meta, entries] = engine.makeBibliography();
const out = {};
meta.entry_ids.forEach((ids, i) => {
  out[ids[0]] = entries[i];
});
process.stdout.write(JSON.stringify(out));

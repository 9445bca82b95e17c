// Parse Mermaid diagrams with the real Mermaid library, as GitHub and the docs render them.
//
// stdin: a JSON list of {"name": ..., "text": ...}; stdout: a JSON list, one entry per diagram,
// {"name", "error"} where it does not parse, or {"name", "error": null, "nodes": [[id, text]],
// "edges": [[from, to, label]]} where it does, each text as a reader of the drawing sees it.
// Used by tests/test_diagrams.py; run `npm ci` in this folder first.

import { JSDOM } from "jsdom";

// Mermaid sanitises labels with DOMPurify, which needs a window: jsdom's is enough to parse.
const { window } = new JSDOM("");
globalThis.window = window;
globalThis.document = window.document;

const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

// While parsing, Mermaid keeps an entity code such as "#quot;" as "ﬂ°quot¶ß" (and "#124;" as
// "ﬂ°°124¶ß"); drawing, it writes them as HTML entities into a label that is HTML. A reader sees
// that HTML's text, so that is what is handed back: codes to entities, then HTML to text.
function decode(text) {
  const html = String(text ?? "")
    .replace(/ﬂ°°(\d+)¶ß/g, "&#$1;")
    .replace(/ﬂ°(\w+)¶ß/g, "&$1;");
  const element = window.document.createElement("div");
  element.innerHTML = html;
  return element.textContent;
}

async function read(text) {
  await mermaid.parse(text); // throws with the parser's message where the text is wrong
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db;
  if (typeof db.getVertices !== "function") {
    return { nodes: [], edges: [] };
  }
  const nodes = [...db.getVertices().values()].map((v) => [v.id, decode(v.text)]);
  const edges = db.getEdges().map((e) => [e.start, e.end, decode(e.text)]);
  return { nodes, edges };
}

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const results = [];
for (const { name, text } of JSON.parse(Buffer.concat(chunks).toString("utf8"))) {
  try {
    results.push({ name, error: null, ...(await read(text)) });
  } catch (error) {
    results.push({ name, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));

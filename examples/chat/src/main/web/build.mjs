// Bundles the chat page (src/app.ts, the typed client and zod) into one script for the browser:
// node build.mjs <outfile>. Fails when the bundle would hold more than one copy of zod (the client
// takes zod as a peer dependency, so the page's own zod must be the only one).
import { build } from "esbuild";
import { relative } from "node:path";

const outfile = process.argv[2];
if (!outfile) {
  console.error("usage: node build.mjs <outfile>");
  process.exit(2);
}
const result = await build({
  entryPoints: ["src/app.ts"],
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["es2022"],
  minify: true,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  outfile,
});
const zods = new Set(
  Object.keys(result.metafile.inputs)
    .map((input) => /^(.*node_modules\/zod)\//.exec(input)?.[1])
    .filter((root) => root !== undefined),
);
if (zods.size !== 1) {
  console.error(`expected one zod in the bundle, found ${zods.size}: ${[...zods].join(", ")}`);
  process.exit(1);
}
const bytes = Object.values(result.metafile.outputs)[0].bytes;
console.log(`chat page bundled: ${relative(process.cwd(), outfile)}, ${bytes} bytes`);

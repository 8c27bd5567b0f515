// Copies the Swagger UI assets the server's /api/docs page loads into dist/swagger-ui/.
// Runs after `vite build`; reads only from node_modules (no network).
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const source = dirname(require.resolve("swagger-ui-dist/package.json"));
const target = join(root, "dist", "swagger-ui");

mkdirSync(target, { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css"]) {
  copyFileSync(join(source, file), join(target, file));
  console.log(`copied ${file} -> dist/swagger-ui/${file}`);
}

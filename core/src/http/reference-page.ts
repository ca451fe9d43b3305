// The API reference as one HTML page, rendered on the server from the OpenAPI document: every
// route with its parameters and body schema. No script or stylesheet from elsewhere, so it works
// where Vigil runs without internet access.

type Json = Record<string, unknown>;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

function operationHtml(method: string, path: string, operation: Json): string {
  const parameters = (operation.parameters as Json[] | undefined) ?? [];
  const body = (operation.requestBody as { content: Record<string, { schema: Json }> } | undefined)?.content[
    'application/json'
  ]?.schema;
  const responses = Object.entries((operation.responses as Record<string, { description: string }>) ?? {});
  return `<section id="${escapeHtml(`${method}-${path}`)}">
  <h2><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h2>
  <p>${escapeHtml(String(operation.summary ?? ''))}</p>
  ${
    parameters.length
      ? `<h3>Parameters</h3><ul>${parameters
          .map(
            (p) =>
              `<li><code>${escapeHtml(String(p.name))}</code> (${escapeHtml(String(p.in))}${p.required ? ', required' : ''})${p.description ? `: ${escapeHtml(String(p.description))}` : ''}</li>`,
          )
          .join('')}</ul>`
      : ''
  }
  ${body ? `<h3>JSON body</h3><pre>${escapeHtml(JSON.stringify(body, null, 2))}</pre>` : ''}
  <h3>Responses</h3><ul>${responses.map(([status, r]) => `<li><code>${escapeHtml(status)}</code> ${escapeHtml(r.description)}</li>`).join('')}</ul>
</section>`;
}

export function referencePage(document: Json): string {
  const info = document.info as { title: string; description: string };
  const operations: [string, string, Json][] = [];
  for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, Json>>)) {
    for (const [method, operation] of Object.entries(methods)) operations.push([method, path, operation]);
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(info.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
  pre { background: rgba(127,127,127,.12); padding: .75rem; overflow-x: auto; font-size: .85rem; }
  section { border-top: 1px solid rgba(127,127,127,.35); padding-top: .5rem; }
  .method { font-size: .8rem; padding: .1rem .4rem; border-radius: .25rem; color: #fff; }
  .get { background: #1d4ed8; } .post { background: #047857; }
  nav li { list-style: none; }
</style></head><body>
<h1>${escapeHtml(info.title)}</h1>
<p>${escapeHtml(info.description)} The machine-readable document: <a href="openapi.json"><code>openapi.json</code></a>.</p>
<nav><ul>${operations.map(([m, p]) => `<li><a href="#${escapeHtml(`${m}-${p}`)}">${m.toUpperCase()} ${escapeHtml(p)}</a></li>`).join('')}</ul></nav>
${operations.map(([m, p, o]) => operationHtml(m, p, o)).join('\n')}
</body></html>`;
}

// Content capture off means no content, from any dialect: one request per dialect carries a marker
// string in every place that dialect puts prompts, completions and tool payloads (span attributes
// and event attributes), and the marker is searched for in every column of every row stored. With
// capture on, the same requests store it, so the fixtures do carry it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomHex, startTestCollector, type TestCollector } from './harness.ts';
import { postJson } from './otlp-json.ts';

const MARKER = 'SECRET-PROMPT-MARKER-7f3a';
const json = (value: unknown) => JSON.stringify(value);
const messages = [{ role: 'user', content: `tell me ${MARKER}` }];

interface DialectFixture {
  dialect: string;
  attributes: Record<string, string | string[]>;
  events?: { name: string; attributes: Record<string, string> }[];
}

const FIXTURES: DialectFixture[] = [
  {
    dialect: 'OTel GenAI semconv (current)',
    attributes: {
      'gen_ai.input.messages': json(messages),
      'gen_ai.output.messages': json(messages),
      'gen_ai.system_instructions': MARKER,
      'gen_ai.tool.definitions': json([{ name: 'search', description: MARKER }]),
    },
    events: [{ name: 'gen_ai.client.inference.operation.details', attributes: { 'gen_ai.input.messages': MARKER } }],
  },
  {
    dialect: 'OTel GenAI semconv (deprecated events)',
    attributes: {},
    events: [
      { name: 'gen_ai.user.message', attributes: { content: MARKER } },
      { name: 'gen_ai.choice', attributes: { message: json(messages) } },
      { name: 'log', attributes: { 'gen_ai.prompt': MARKER } },
    ],
  },
  { dialect: 'gen_ai.request.messages', attributes: { 'gen_ai.request.messages': json(messages) } },
  {
    dialect: 'OpenInference',
    attributes: {
      'input.value': MARKER,
      'output.value': MARKER,
      'input.mime_type': 'text/plain',
      'llm.input_messages.0.message.content': MARKER,
      'llm.output_messages.0.message.content': MARKER,
      'llm.tools.0.tool.json_schema': json({ description: MARKER }),
      'llm.prompt_template.variables': json({ q: MARKER }),
    },
  },
  {
    dialect: 'OpenLLMetry / Traceloop',
    attributes: {
      'gen_ai.prompt.0.content': MARKER,
      'gen_ai.completion.0.content': MARKER,
      'llm.request.functions.0.name': 'search',
      'llm.request.functions.0.description': `search for ${MARKER}`,
      'llm.request.functions.0.parameters': json({ properties: { q: { description: MARKER } } }),
      'traceloop.entity.input': json({ args: [MARKER] }),
      'traceloop.entity.output': MARKER,
    },
  },
  {
    dialect: 'OpenLIT',
    attributes: { 'gen_ai.content.prompt': MARKER },
    events: [
      { name: 'gen_ai.content.prompt', attributes: { 'gen_ai.prompt': MARKER } },
      { name: 'gen_ai.content.completion', attributes: { 'gen_ai.completion': MARKER } },
    ],
  },
  {
    dialect: 'Vercel AI SDK',
    attributes: {
      'ai.prompt': json({ prompt: MARKER }),
      'ai.prompt.messages': json(messages),
      'ai.response.text': MARKER,
      'ai.toolCall.args': json({ q: MARKER }),
    },
  },
  {
    dialect: 'Langfuse',
    attributes: { 'langfuse.observation.input': json(messages), 'langfuse.trace.output': MARKER },
  },
  { dialect: 'LangSmith', attributes: { 'langsmith.prompt': MARKER, 'gen_ai.prompt': json(messages) } },
  {
    dialect: 'MLflow',
    attributes: { 'mlflow.spanInputs': json(messages), 'mlflow.spanOutputs': json({ text: MARKER }) },
  },
  {
    dialect: 'Logfire',
    attributes: {
      prompt: MARKER,
      request_data: json({ model: 'gpt-4o', messages }),
      response_data: json({ message: { content: MARKER } }),
      all_messages_events: json(messages),
    },
  },
  {
    dialect: 'an unknown dialect (the generic rule)',
    attributes: { 'acme.llm.prompt': MARKER, 'acme.chat.messages': [MARKER], 'acme.tool.output': MARKER },
  },
];

let t: TestCollector;
beforeAll(async () => {
  t = await startTestCollector();
  await t.db.pool.query('update projects set capture_content = true where id = $1', [t.projectB]);
});
afterAll(() => t.close());

function requestOf(fixture: DialectFixture, traceId: string): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const kv = (attributes: Record<string, string | string[] | number>) =>
    Object.entries(attributes).map(([key, value]) => ({
      key,
      value: Array.isArray(value)
        ? { arrayValue: { values: value.map((v) => ({ stringValue: v })) } }
        : typeof value === 'number'
          ? { intValue: String(value) }
          : { stringValue: value },
    }));
  return json({
    resourceSpans: [
      {
        resource: { attributes: kv({ 'service.name': 'content-test' }) },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: randomHex(8),
                name: 'chat gpt-4o',
                kind: 3,
                startTimeUnixNano: String(now),
                endTimeUnixNano: String(now + 1_000_000n),
                attributes: kv({
                  'gen_ai.operation.name': 'chat',
                  'gen_ai.request.model': 'gpt-4o',
                  'gen_ai.usage.input_tokens': 10,
                  'llm.token_count.prompt': 10,
                  ...fixture.attributes,
                }),
                events: (fixture.events ?? []).map((event) => ({
                  name: event.name,
                  timeUnixNano: String(now),
                  attributes: kv(event.attributes),
                })),
              },
            ],
          },
        ],
      },
    ],
  });
}

/** Every stored column of every row of the trace in the span tables, as text. */
async function storedText(projectId: string, traceId: string): Promise<string> {
  const { rows } = await t.db.pool.query<{ row: string }>(
    `select row_to_json(s)::text as row from spans s where project_id = $1 and trace_id = $2
     union all
     select row_to_json(c)::text from ai_api_calls c where project_id = $1 and trace_id = $2`,
    [projectId, traceId],
  );
  expect(rows.length).toBeGreaterThan(0);
  return rows.map((r) => r.row).join('\n');
}

/** The trace's captured content (span_contents), as text. */
async function contentText(projectId: string, traceId: string): Promise<string> {
  const { rows } = await t.db.pool.query<{ row: string }>(
    `select row_to_json(c)::text as row from span_contents c where project_id = $1 and trace_id = $2::uuid`,
    [projectId, traceId],
  );
  return rows.map((r) => r.row).join('\n');
}

describe('content capture off stores no content, from any dialect', () => {
  for (const fixture of FIXTURES) {
    it(`${fixture.dialect}: the marker is stored nowhere, and apart from the span when capture is on`, async () => {
      const off = randomHex(16);
      const on = randomHex(16);
      expect((await postJson(t.url, t.keyA, requestOf(fixture, off))).status).toBe(200);
      expect((await postJson(t.url, t.keyB, requestOf(fixture, on))).status).toBe(200);
      expect(await storedText(t.projectA, off)).not.toContain(MARKER);
      expect(await contentText(t.projectA, off)).toBe('');
      // Captured content lives in span_contents, where row-level security hides it by role.
      expect(await storedText(t.projectB, on)).not.toContain(MARKER);
      expect(await contentText(t.projectB, on)).toContain(MARKER);
    });
  }

  it('keeps what describes content without holding it, and counts under content-like names', async () => {
    const traceId = randomHex(16);
    await postJson(t.url, t.keyA, requestOf(FIXTURES.find((f) => f.dialect === 'OpenInference')!, traceId));
    const { rows } = await t.db.pool.query(
      'select attributes, input_tokens from spans where project_id = $1 and trace_id = $2',
      [t.projectA, traceId],
    );
    expect(rows[0].attributes).toMatchObject({ 'input.mime_type': 'text/plain', 'llm.token_count.prompt': 10 });
    expect(rows[0].input_tokens).toBe(10);
  });
});

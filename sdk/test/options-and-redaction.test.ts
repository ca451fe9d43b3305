// init()'s options from code and from the OpenTelemetry environment variables, bad options refused
// with a clear error, and what redaction takes out of captured content.

import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/options.ts';
import { redact } from '../src/redact.ts';
import { postgrestAttributes } from '../src/supabase.ts';

describe('init options', () => {
  it('follow the OTel environment variables when the code does not say', () => {
    const resolved = resolveOptions(
      {},
      {
        OTEL_SERVICE_NAME: 'chat-api',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_RESOURCE_ATTRIBUTES: 'service.version=2026.11.3,deployment.environment.name=prod',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        VIGIL_API_KEY: 'vk_secret',
      },
    );
    expect(resolved).toMatchObject({
      serviceName: 'chat-api',
      tracesUrl: 'http://collector:4318/v1/traces',
      deployment: '2026.11.3',
      environment: 'prod',
      sampleRate: 0.25,
      headers: { authorization: 'Bearer vk_secret' },
      captureContent: false,
      protocol: 'http/protobuf',
    });
  });

  it('take a signal-specific traces endpoint as it is, and code over environment', () => {
    expect(
      resolveOptions({ deployment: 'd' }, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://vigil.example.com/ingest' })
        .tracesUrl,
    ).toBe('https://vigil.example.com/ingest');
    const resolved = resolveOptions(
      { endpoint: 'http://localhost:4318', deployment: 'from-code', serviceName: 'svc' },
      { VIGIL_DEPLOYMENT: 'from-env', OTEL_SERVICE_NAME: 'other' },
    );
    expect(resolved).toMatchObject({
      tracesUrl: 'http://localhost:4318/v1/traces',
      deployment: 'from-code',
      serviceName: 'svc',
    });
  });

  it('refuse a bad endpoint or sample rate with an error that names the option', () => {
    expect(() => resolveOptions({ endpoint: 'not a url' }, {})).toThrow(/^vigil init: endpoint: /);
    expect(() => resolveOptions({ sampleRate: 2 }, {})).toThrow(/^vigil init: sampleRate: .*1/);
  });
});

describe('redaction of captured content', () => {
  it('takes out emails, provider keys, tokens and passwords, and leaves the rest', () => {
    const text = [
      'mail jane.doe+ai@example.co.uk',
      'openai sk-proj-abcdefghijklmnopqrstuvwxyz012345',
      'anthropic sk-ant-api03-abcdefghijklmnopqrstuv',
      'aws AKIAABCDEFGHIJKLMNOP',
      'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop',
      'header Authorization: Bearer abcdefghijklmnop1234',
      '{"password": "hunter2hunter2", "question": "what is my plan?"}',
    ].join('\n');
    const out = redact(text);
    for (const secret of [
      'jane.doe',
      'sk-proj-abc',
      'sk-ant-api03',
      'AKIAABCDEF',
      'eyJhbGci',
      'abcdefghijklmnop1234',
      'hunter2',
    ])
      expect(out).not.toContain(secret);
    expect(out).toContain('what is my plan?');
    expect(out).toContain('[REDACTED_EMAIL]');
  });
});

describe('supabase-js requests', () => {
  it('are named as the table and operation PostgREST serves, or the function called', () => {
    expect(postgrestAttributes('GET', '/rest/v1/documents?select=*&id=eq.1')).toMatchObject({
      'db.collection.name': 'documents',
      'db.operation.name': 'select',
      'db.system.name': 'postgresql',
    });
    expect(postgrestAttributes('POST', '/rest/v1/ai_api_calls')).toMatchObject({ 'db.operation.name': 'insert' });
    expect(postgrestAttributes('POST', '/rest/v1/rpc/match_documents')).toMatchObject({
      'db.operation.name': 'call',
      'db.stored_procedure.name': 'match_documents',
    });
    expect(postgrestAttributes('GET', '/auth/v1/user')).toEqual({});
  });
});

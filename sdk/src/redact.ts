// Redaction for captured prompts and completions: the obvious secrets and email addresses go
// before anything leaves the process. Obvious, not exhaustive: content capture stays off by default.

const PATTERNS: [RegExp, string][] = [
  // Provider and platform keys: OpenAI sk-…, Anthropic sk-ant-…, GitHub, Slack, AWS, Google, Stripe.
  [/\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g, '[REDACTED_KEY]'],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, '[REDACTED_KEY]'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, '[REDACTED_KEY]'],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, '[REDACTED_KEY]'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, '[REDACTED_KEY]'],
  [/\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/g, '[REDACTED_KEY]'],
  // JSON web tokens (Supabase keys and sessions among them).
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[REDACTED_TOKEN]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{12,}/gi, '$1 [REDACTED_TOKEN]'],
  // password=…, "api_key": "…", secret: … in text and JSON.
  [/((?:password|passwd|secret|api[_-]?key|access[_-]?token)\\?"?\s*[:=]\s*\\?"?)[^\s"\\,}]{4,}/gi, '$1[REDACTED]'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[REDACTED_PRIVATE_KEY]'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[REDACTED_EMAIL]'],
];

export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

// Provider names as OTel GenAI semconv spells them (gen_ai.provider.name well-known values),
// whatever the instrumentation called them: "openai.chat", "anthropic.messages", "google.vertex"…

const ALIASES: Record<string, string> = {
  openai: 'openai',
  'azure.ai.openai': 'azure.ai.openai',
  azure_openai: 'azure.ai.openai',
  'azure-openai': 'azure.ai.openai',
  azure: 'azure.ai.openai',
  'az.ai.openai': 'azure.ai.openai',
  'azure.ai.inference': 'azure.ai.inference',
  'az.ai.inference': 'azure.ai.inference',
  anthropic: 'anthropic',
  'aws.bedrock': 'aws.bedrock',
  bedrock: 'aws.bedrock',
  'amazon-bedrock': 'aws.bedrock',
  aws_bedrock: 'aws.bedrock',
  'gcp.gemini': 'gcp.gemini',
  gemini: 'gcp.gemini',
  google: 'gcp.gemini',
  'google.generative-ai': 'gcp.gemini',
  'google-generative-ai': 'gcp.gemini',
  google_genai: 'gcp.gemini',
  'gcp.vertex_ai': 'gcp.vertex_ai',
  vertex_ai: 'gcp.vertex_ai',
  vertexai: 'gcp.vertex_ai',
  'google.vertex': 'gcp.vertex_ai',
  'google-vertex': 'gcp.vertex_ai',
  'gcp.gen_ai': 'gcp.gen_ai',
  mistral: 'mistral_ai',
  mistralai: 'mistral_ai',
  mistral_ai: 'mistral_ai',
  xai: 'x_ai',
  x_ai: 'x_ai',
  'x-ai': 'x_ai',
  groq: 'groq',
  deepseek: 'deepseek',
  cohere: 'cohere',
  perplexity: 'perplexity',
  moonshot_ai: 'moonshot_ai',
  moonshot: 'moonshot_ai',
  'ibm.watsonx.ai': 'ibm.watsonx.ai',
  watsonx: 'ibm.watsonx.ai',
  ollama: 'ollama',
  openrouter: 'openrouter',
  together: 'together',
  togetherai: 'together',
  fireworks: 'fireworks',
};

/** "openai.chat" → "openai"; unknown names are lower-cased and kept. */
export function normalizeProvider(raw: string | null): string | null {
  if (!raw) return null;
  const name = raw.trim().toLowerCase();
  const direct = ALIASES[name];
  if (direct) return direct;
  // AI SDK style "<provider>.<api>" ("openai.chat", "anthropic.messages", "google.vertex.chat").
  const parts = name.split('.');
  for (let i = parts.length - 1; i >= 1; i--) {
    const prefix = ALIASES[parts.slice(0, i).join('.')];
    if (prefix) return prefix;
  }
  return name;
}

/** Only when no attribute names the provider: the model family usually does. */
export function inferProviderFromModel(model: string | null): string | null {
  if (!model) return null;
  const m = model.toLowerCase();
  if (/^(gpt-|o[134](-|$)|chatgpt|text-embedding|davinci|babbage|dall-e|whisper|tts-)/.test(m)) return 'openai';
  if (m.startsWith('claude')) return 'anthropic';
  if (m.startsWith('gemini') || m.startsWith('models/gemini')) return 'gcp.gemini';
  if (/^(mistral|mixtral|codestral|ministral|pixtral)/.test(m)) return 'mistral_ai';
  if (m.startsWith('grok')) return 'x_ai';
  if (m.startsWith('deepseek')) return 'deepseek';
  if (m.startsWith('command')) return 'cohere';
  return null;
}

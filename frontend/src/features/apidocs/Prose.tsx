import type { ReactNode } from 'react';

export function InlineCode({ children }: { children: ReactNode }) {
  return <code className="rounded bg-gray-100 px-1 py-0.5 font-mono text-[0.85em] text-gray-800">{children}</code>;
}

/** Text with `backticks` as inline code. */
function Inline({ text }: { text: string }) {
  return text.split(/(`[^`]+`)/g).map((part, i) => (part.startsWith('`') && part.endsWith('`') && part.length > 1 ? <InlineCode key={i}>{part.slice(1, -1)}</InlineCode> : part));
}

/** A spec's description: blank lines separate paragraphs, `backticks` are code. */
export function Prose({ text }: { text?: string }) {
  if (!text?.trim()) return null;
  return (
    <div className="space-y-2 text-sm text-gray-700">
      {text.trim().split(/\n\s*\n/).map((para, i) => (
        <p key={i}>
          <Inline text={para.replace(/\s*\n\s*/g, ' ')} />
        </p>
      ))}
    </div>
  );
}

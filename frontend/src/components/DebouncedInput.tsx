import { useEffect, useRef, useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { FormField } from './FormField';

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'> & {
  label: string;
  hint?: ReactNode;
  /** The committed value, e.g. from the URL. */
  value: string;
  /** Called once typing pauses for `delay` ms. */
  onCommit: (value: string) => void;
  delay?: number;
};

/**
 * A text input that commits its value only after typing pauses, so a search
 * does not fire a request per keystroke. It follows `value` when that changes
 * from elsewhere (back button, "Clear filters").
 */
export function DebouncedInput({ value, onCommit, delay = 250, ...rest }: Props) {
  const [text, setText] = useState(value);
  const committed = useRef(value);
  const commit = useRef(onCommit);
  useEffect(() => {
    commit.current = onCommit;
  });

  useEffect(() => {
    if (value === committed.current) return;
    committed.current = value;
    setText(value);
  }, [value]);

  useEffect(() => {
    if (text === committed.current) return;
    const timer = setTimeout(() => {
      committed.current = text;
      commit.current(text);
    }, delay);
    return () => clearTimeout(timer);
  }, [text, delay]);

  return <FormField {...rest} value={text} onChange={(e) => setText(e.target.value)} />;
}

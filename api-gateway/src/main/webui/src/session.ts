// The signed-in caller, for the pages that show or hide what its role may do. The API decides
// every call on its own route: hiding a control is a courtesy, never the protection.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Caller } from './api';

export const CallerContext = createContext<Caller | null>(null);

export function useCaller(): Caller {
  return useContext(CallerContext)!;
}

/** Whether the caller may change things (every role but viewer: docs/security.md). */
export function mayWrite(caller: Caller): boolean {
  return caller.role !== 'viewer';
}

/** Whether the caller sees the workers' and providers' details (operators and administrators). */
export function mayOperate(caller: Caller): boolean {
  return caller.role === 'operator' || caller.role === 'admin';
}

/**
 * Names of device logs. A device log is stored exactly like a conversation, under a key id
 * `<conversationId>#log:<logId>`: its registry key, encryption key, lock, group-commit queue and
 * exactly-once window all derive from that id through the normal machinery. '#' never occurs in a
 * conversation id, so a log key id can never collide with a conversation.
 */
import { ValidationError } from '@s5chat/s5';

const MARK = '#log:';
const LOG_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function logKeyId(conversationId: string, logId: string): string {
  return `${conversationId}${MARK}${logId}`;
}

/** The conversation a key id belongs to, and its log id when it is a device log. */
export function parseKeyId(keyId: string): { conversationId: string; logId?: string } {
  const at = keyId.indexOf(MARK);
  if (at < 0) return { conversationId: keyId };
  return { conversationId: keyId.slice(0, at), logId: keyId.slice(at + MARK.length) };
}

export function isLogKeyId(keyId: string): boolean {
  return keyId.includes(MARK);
}

/** A log id names the device in key derivation: 1–64 characters of [A-Za-z0-9_-]. */
export function checkLogId(logId: string, path = 'deviceLogs.logId'): string {
  if (typeof logId !== 'string' || !LOG_ID.test(logId)) {
    throw new ValidationError([{ path, message: 'expected 1-64 characters of [A-Za-z0-9_-]' }]);
  }
  return logId;
}

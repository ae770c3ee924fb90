/**
 * @s5chat/react — React bindings for the s5chat SDK.
 */
export { S5ChatProvider, useSdk, useOptionalSdk, type S5ChatProviderProps } from './provider.js';
export { useConversation, type UseConversationResult } from './use-conversation.js';
export { useSession, type UseSessionOptions, type UseSessionResult, type SessionState, type StreamingReply, type EndOutcome } from './use-session.js';
export { useConversations, type UseConversationsOptions, type UseConversationsResult } from './use-conversations.js';
export type { ConversationSnapshot } from './conversation-store.js';
export type { ConversationListSnapshot, ListStatus } from './conversation-list-store.js';
export type { ChatMessage, Delivery, SendOutcome, SendInput, ConversationStatus, LoadedConversation } from './types.js';
export { MissingProviderError, NoSessionError, OutboxFailedError } from './errors.js';

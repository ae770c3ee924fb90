/** The open conversation lives in the URL (`/?c=<id>`), so a reload or a second tab opens the same one. */
export function conversationIdFromUrl(): string | null {
  if (typeof window === 'undefined') return null;
  return new URLSearchParams(window.location.search).get('c');
}

export function setConversationIdInUrl(id: string | null): void {
  const url = new URL(window.location.href);
  if (id) url.searchParams.set('c', id);
  else url.searchParams.delete('c');
  window.history.replaceState(null, '', url);
}
